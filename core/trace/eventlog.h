#pragma once

#include "trace/event.h"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <span>
#include <vector>

namespace porthole::trace {

// A growing sequence of events kept in fixed chunks: appending never moves what is stored. A vector
// that doubles copies every event it holds when it grows — at 6 M events a 190 MB copy, 150 ms under
// the store's lock and on the GUI thread, a frozen frame while a flood is watched live.
//
// A long run would still hold every event in memory. So (on Linux) all but the newest
// `chunksInMemory` chunks are spilled: written to an unlinked temporary file (in TMPDIR, else
// /var/tmp) and mapped back copy-on-write in place of the chunk in memory. Reads and writes see the same
// events; the kernel keeps what it has room for in its page cache and reads the rest back when asked,
// and the process's own memory stops growing by 32 bytes an event. If the file cannot be made or
// written, the chunks stay in memory (spillFailed() says so).
//
// The writing is done by a thread of the log's own: a write can wait a long time when the kernel holds
// back a process that dirties pages faster than the disk takes them (a long busy run writes ~40 MB/s),
// and the thread that appends (the trace's collector, the GUI) must not wait with it. The chunk is lent
// to the writer as it is, not copied (a copy was a fifth of the GUI's fold in a flood): a chunk that old
// is only read. The chunk is swapped for the file's pages when it has been written. If it is to be
// written to meanwhile (noteWrite(): the store merges a late event), the log takes a copy to write to,
// and that copy is written again. While the writer is behind, at most MaxQueuedSpills chunks wait for
// it, and the rest simply stay in memory a while longer.
//
// Not thread-safe, as a vector: one thread at a time (the owner's lock) reads and writes it.
class EventLog
{
public:
    static constexpr std::size_t ChunkShift = 15; // 32,768 events, 1 MB a chunk
    static constexpr std::size_t ChunkEvents = std::size_t(1) << ChunkShift;
    static constexpr std::size_t ChunkBytes = ChunkEvents * sizeof(Event);
    static constexpr std::size_t DefaultChunksInMemory = 64; // 64 MB, ~2 M events, before any spill
    static constexpr std::size_t MaxQueuedSpills = 16;       // chunks lent to the writer, not yet written
    static constexpr std::size_t MaxSpareChunks = 8;         // emptied by spills, kept for the next chunks

    explicit EventLog(std::size_t chunksInMemory = DefaultChunksInMemory);
    ~EventLog();
    EventLog(const EventLog &) = delete;
    EventLog &operator=(const EventLog &) = delete;

    template <bool Const>
    class Iterator
    {
    public:
        using iterator_category = std::random_access_iterator_tag;
        using iterator_concept = std::random_access_iterator_tag;
        using value_type = Event;
        using difference_type = std::ptrdiff_t;
        using reference = std::conditional_t<Const, const Event &, Event &>;
        using pointer = std::conditional_t<Const, const Event *, Event *>;
        using Log = std::conditional_t<Const, const EventLog, EventLog>;

        Iterator() = default;
        Iterator(Log *log, std::size_t index) : m_log(log), m_index(index) {}
        operator Iterator<true>() const { return {m_log, m_index}; }

        reference operator*() const { return (*m_log)[m_index]; }
        pointer operator->() const { return &(*m_log)[m_index]; }
        reference operator[](difference_type n) const { return (*m_log)[std::size_t(difference_type(m_index) + n)]; }

        Iterator &operator++() { ++m_index; return *this; }
        Iterator operator++(int) { Iterator old = *this; ++m_index; return old; }
        Iterator &operator--() { --m_index; return *this; }
        Iterator operator--(int) { Iterator old = *this; --m_index; return old; }
        Iterator &operator+=(difference_type n) { m_index = std::size_t(difference_type(m_index) + n); return *this; }
        Iterator &operator-=(difference_type n) { return *this += -n; }
        friend Iterator operator+(Iterator it, difference_type n) { return it += n; }
        friend Iterator operator+(difference_type n, Iterator it) { return it += n; }
        friend Iterator operator-(Iterator it, difference_type n) { return it -= n; }
        friend difference_type operator-(const Iterator &a, const Iterator &b) { return difference_type(a.m_index) - difference_type(b.m_index); }
        friend bool operator==(const Iterator &a, const Iterator &b) { return a.m_index == b.m_index; }
        friend auto operator<=>(const Iterator &a, const Iterator &b) { return a.m_index <=> b.m_index; }

    private:
        Log *m_log = nullptr;
        std::size_t m_index = 0;
    };
    using iterator = Iterator<false>;
    using const_iterator = Iterator<true>;
    using value_type = Event;

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    Event &operator[](std::size_t i) { return m_chunks[i >> ChunkShift][i & (ChunkEvents - 1)]; }
    const Event &operator[](std::size_t i) const { return m_chunks[i >> ChunkShift][i & (ChunkEvents - 1)]; }
    const Event &front() const { return (*this)[0]; }
    const Event &back() const { return (*this)[m_size - 1]; }

    void push_back(const Event &e)
    {
        if ((m_size & (ChunkEvents - 1)) == 0 && (m_size >> ChunkShift) == m_chunks.size())
            addChunk();
        (*this)[m_size++] = e;
    }
    void append(std::span<const Event> events); // a chunk's worth at a time, not an event at a time
    void clear();
    // Events from `index` on are about to be written in place (not appended): a chunk lent to the writer
    // is copied first (the log writes to the copy), and the copy is written to the file again.
    void noteWrite(std::size_t index);

    std::size_t spilledChunks() const { return m_spilled; }
    bool spillFailed() const { return m_spillFailed; }
    // Maps the chunks the writer has written and hands it the next ones due, without waiting. Adding a
    // chunk does this; once nothing is added (a loaded trace, a stopped run) the owner calls it now and
    // then while spillsPending(): else the chunks the writer had not reached would stay in memory.
    void keepSpilling();
    // Chunks lent to the writer, or due to be spilled and not yet lent.
    bool spillsPending() const;
    // Waits until every chunk due is written, and maps it (tests, benchmarks).
    void settleSpills();

    iterator begin() { return {this, 0}; }
    iterator end() { return {this, m_size}; }
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, m_size}; }

    std::vector<Event> copy(std::size_t from, std::size_t to) const;

private:
    enum class ChunkSource : std::uint8_t { Anonymous, SpillFile, Heap };
    struct ChunkRelease {
        ChunkSource source = ChunkSource::Heap;
        void operator()(Event *chunk) const;
    };
    using Chunk = std::unique_ptr<Event[], ChunkRelease>;
    // Chunks to write events in are pages of their own (on Linux), not the heap's: when one is spilled its
    // pages go back to the system. A 1 MB heap block is not (glibc keeps it after free once its mmap
    // threshold has risen), and a 10-million-event trace loaded after a bigger one left a third of its
    // spilled chunks' memory resident as free heap. A few are kept for the next chunks (live, one is
    // spilled as one is added), so that these do not take their page faults again (MaxSpareChunks).
    Chunk newChunk();
    void recycle(Chunk chunk);

    struct SpillWriter; // the thread that writes chunks to the file, and its queue
    struct SpillJob;

    void addChunk();
    std::size_t dueChunks() const; // beyond the newest m_chunksInMemory, not yet lent to the writer
    bool openSpillFile();
    void queueSpill(std::size_t chunk);
    void takeWrittenSpills(); // maps the chunks the writer has written, queues again those written to since

    std::vector<Chunk> m_chunks;
    std::size_t m_size = 0;
    const std::size_t m_chunksInMemory;
    std::size_t m_spilled = 0;     // chunks mapped from the file (the oldest ones, but not always all of them)
    std::size_t m_nextToSpill = 0; // chunks [0, m_nextToSpill) were handed to the writer
    int m_spillFd = -1;            // the unlinked temporary file; -1 until the first spill
    bool m_spillFailed = false;    // no more tries: the rest stays in memory
    std::unique_ptr<SpillWriter> m_writer;
    std::vector<std::shared_ptr<SpillJob>> m_queued; // handed to the writer, not yet taken back
    std::vector<Chunk> m_spare;                       // emptied by a spill, for the next chunks
};

} // namespace porthole::trace
