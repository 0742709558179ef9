#include "trace/eventlog.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#ifdef __linux__
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace porthole::trace {

struct EventLog::SpillJob {
    std::size_t chunk = 0;
    const Event *data = nullptr; // what the writer writes: the log's chunk, lent; the log only reads it meanwhile
    Chunk lent;                  // the lent chunk once noteWrite() gave the log a copy to write to: kept for the writer
    bool stale = false;          // the log's chunk was written to after it was lent (the log's thread only)
    bool written = false;        // the writer is done with it (under SpillWriter::mutex)
    bool failed = false;         // ... and could not write it all (a full disk)
};

struct EventLog::SpillWriter {
    std::mutex mutex;
    std::condition_variable wake; // a job was queued, or stop
    std::condition_variable done; // a job was written
    std::deque<std::shared_ptr<SpillJob>> queue;
    bool stop = false;
    std::thread thread;

    explicit SpillWriter(int fd)
    {
        thread = std::thread([this, fd] { run(fd); });
#ifdef __linux__
        ::pthread_setname_np(thread.native_handle(), "porthole-spill");
#endif
    }
    ~SpillWriter()
    {
        {
            std::lock_guard lock(mutex);
            stop = true; // what is still queued is dropped: the log is being cleared
        }
        wake.notify_one();
        thread.join(); // waits for at most the one write under way
    }

    void run([[maybe_unused]] int fd)
    {
#ifdef __linux__
        // Below the threads that make and show the trace: on two cores, a writer at the same priority took
        // turns with the GUI thread and stretched its frames. It only has to keep up on average.
        ::setpriority(PRIO_PROCESS, pid_t(::gettid()), 10);
#endif
        std::unique_lock lock(mutex);
        for (;;) {
            wake.wait(lock, [this] { return stop || !queue.empty(); });
            if (stop)
                return;
            const std::shared_ptr<SpillJob> job = queue.front();
            queue.pop_front();
            lock.unlock();
            bool ok = false;
#ifdef __linux__
            const off_t offset = off_t(job->chunk * ChunkBytes);
            const char *bytes = reinterpret_cast<const char *>(job->data);
            std::size_t written = 0;
            while (written < ChunkBytes) {
                const ssize_t n = ::pwrite(fd, bytes + written, ChunkBytes - written, offset + off_t(written));
                if (n <= 0)
                    break;
                written += std::size_t(n);
            }
            ok = written == ChunkBytes;
#endif
            lock.lock();
            job->written = true;
            job->failed = !ok;
            done.notify_all();
        }
    }
};

EventLog::EventLog(std::size_t chunksInMemory)
    : m_chunksInMemory(chunksInMemory)
{
}

EventLog::~EventLog() { clear(); }

void EventLog::ChunkRelease::operator()(Event *chunk) const
{
#ifdef __linux__
    if (source != ChunkSource::Heap) {
        ::munmap(chunk, ChunkBytes);
        return;
    }
#endif
    delete[] chunk;
}

EventLog::Chunk EventLog::newChunk()
{
    if (!m_spare.empty()) {
        Chunk chunk = std::move(m_spare.back());
        m_spare.pop_back();
        return chunk;
    }
#ifdef __linux__
    // Populated at once: one call instead of a page fault for each of its 256 pages as it fills.
    void *pages = ::mmap(nullptr, ChunkBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (pages != MAP_FAILED)
        return Chunk(static_cast<Event *>(pages), ChunkRelease{ChunkSource::Anonymous});
#endif
    return Chunk(new Event[ChunkEvents], ChunkRelease{ChunkSource::Heap});
}

void EventLog::recycle(Chunk chunk)
{
    if (chunk && chunk.get_deleter().source != ChunkSource::SpillFile && m_spare.size() < MaxSpareChunks)
        m_spare.push_back(std::move(chunk));
}

void EventLog::clear()
{
    m_writer.reset(); // stops the writer first: it writes to the file closed below
    m_queued.clear();
    m_chunks.clear();
    m_spare.clear();
    m_size = 0;
    m_spilled = 0;
    m_nextToSpill = 0;
#ifdef __linux__
    if (m_spillFd >= 0)
        ::close(m_spillFd);
#endif
    m_spillFd = -1;
    m_spillFailed = false;
}

void EventLog::addChunk()
{
    m_chunks.push_back(newChunk());
    keepSpilling();
}

std::size_t EventLog::dueChunks() const
{
    const std::size_t held = m_chunks.size() - m_nextToSpill;
    return m_spillFailed || held <= m_chunksInMemory ? 0 : held - m_chunksInMemory;
}

void EventLog::keepSpilling()
{
    takeWrittenSpills(); // after a failure too: what was written before it is still mapped
    // Spill the oldest chunks beyond the newest `m_chunksInMemory`: those stay in memory, where the store
    // merges late events and the model's replays mostly read.
    while (dueChunks() > 0 && m_queued.size() < MaxQueuedSpills)
        queueSpill(m_nextToSpill++);
}

bool EventLog::spillsPending() const { return !m_queued.empty() || dueChunks() > 0; }

bool EventLog::openSpillFile()
{
#ifdef __linux__
    // TMPDIR when set; else /var/tmp, which is on disk where /tmp may be memory (tmpfs).
    const char *dir = std::getenv("TMPDIR");
    for (const char *path : {dir && *dir ? dir : "/var/tmp", "/tmp"}) {
        m_spillFd = ::open(path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600); // unlinked: gone when closed
        if (m_spillFd >= 0 || (dir && *dir))
            break;
    }
    if (m_spillFd < 0)
        return false;
    m_writer = std::make_unique<SpillWriter>(m_spillFd);
    return true;
#else
    return false; // no spilling here: everything stays in memory
#endif
}

void EventLog::queueSpill(std::size_t chunk)
{
    if (m_spillFd < 0 && !openSpillFile()) {
        m_spillFailed = true;
        return;
    }
    auto job = std::make_shared<SpillJob>();
    job->chunk = chunk;
    job->data = m_chunks[chunk].get(); // full, and older than any append: only noteWrite() would write to it
    m_queued.push_back(job);
    {
        std::lock_guard lock(m_writer->mutex);
        m_writer->queue.push_back(std::move(job));
    }
    m_writer->wake.notify_one();
}

void EventLog::takeWrittenSpills()
{
    if (!m_writer)
        return;
    std::vector<std::shared_ptr<SpillJob>> written;
    {
        std::lock_guard lock(m_writer->mutex);
        for (auto it = m_queued.begin(); it != m_queued.end();) {
            if ((*it)->written) {
                written.push_back(std::move(*it));
                it = m_queued.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const std::shared_ptr<SpillJob> &job : written) {
        recycle(std::move(job->lent)); // the writer is done with it
        if (job->failed) { // a full disk: keep this and every later chunk in memory
            m_spillFailed = true;
            continue;
        }
        if (job->stale) { // written to since it was lent: the file has an old copy
            if (!m_spillFailed)
                queueSpill(job->chunk);
            continue;
        }
#ifdef __linux__
        // Private: a late event merged into a spilled chunk writes to a copy of that page, never the file.
        void *mapped = ::mmap(nullptr, ChunkBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, m_spillFd, off_t(job->chunk * ChunkBytes));
        if (mapped == MAP_FAILED) {
            m_spillFailed = true;
            continue;
        }
        recycle(std::exchange(m_chunks[job->chunk], Chunk(static_cast<Event *>(mapped), ChunkRelease{ChunkSource::SpillFile})));
        ++m_spilled;
#endif
    }
}

void EventLog::noteWrite(std::size_t index)
{
    for (const std::shared_ptr<SpillJob> &job : m_queued) {
        if ((job->chunk + 1) * ChunkEvents <= index)
            continue;
        if (!job->lent) { // the writer may be reading the chunk: the log writes to a copy of it from now on
            Chunk copy = newChunk();
            std::copy_n(m_chunks[job->chunk].get(), ChunkEvents, copy.get());
            job->lent = std::exchange(m_chunks[job->chunk], std::move(copy));
        }
        job->stale = true;
    }
}

void EventLog::settleSpills()
{
    keepSpilling();
    while (m_writer && !m_queued.empty()) {
        {
            std::unique_lock lock(m_writer->mutex);
            m_writer->done.wait(lock, [this] {
                return std::any_of(m_queued.begin(), m_queued.end(), [](const auto &job) { return job->written; });
            });
        }
        keepSpilling();
    }
}

void EventLog::append(std::span<const Event> events)
{
    while (!events.empty()) {
        if ((m_size & (ChunkEvents - 1)) == 0 && (m_size >> ChunkShift) == m_chunks.size())
            addChunk();
        const std::size_t inChunk = std::min(events.size(), ChunkEvents - (m_size & (ChunkEvents - 1)));
        std::copy_n(events.data(), inChunk, &(*this)[m_size]);
        m_size += inChunk;
        events = events.subspan(inChunk);
    }
}

std::vector<Event> EventLog::copy(std::size_t from, std::size_t to) const
{
    to = std::min(to, m_size);
    std::vector<Event> out;
    if (from >= to)
        return out;
    out.reserve(to - from);
    while (from < to) {
        const std::size_t inChunk = std::min(to - from, ChunkEvents - (from & (ChunkEvents - 1)));
        const Event *first = &(*this)[from];
        out.insert(out.end(), first, first + inChunk);
        from += inChunk;
    }
    return out;
}

} // namespace porthole::trace
