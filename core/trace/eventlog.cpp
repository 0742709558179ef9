#include "trace/eventlog.h"

#include <algorithm>
#include <cstdlib>

#ifdef __linux__
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace porthole::trace {

EventLog::~EventLog() { clear(); }

void EventLog::ChunkRelease::operator()(Event *chunk) const
{
#ifdef __linux__
    if (mapped) {
        ::munmap(chunk, ChunkBytes);
        return;
    }
#endif
    delete[] chunk;
}

void EventLog::clear()
{
    m_chunks.clear();
    m_size = 0;
    m_spilled = 0;
#ifdef __linux__
    if (m_spillFd >= 0)
        ::close(m_spillFd);
#endif
    m_spillFd = -1;
    m_spillFailed = false;
}

void EventLog::addChunk()
{
    m_chunks.push_back(Chunk(new Event[ChunkEvents], ChunkRelease{false}));
    // Spill the oldest chunk still in memory, one per new chunk: the newest stay in memory, where the
    // store merges late events and the model's replays mostly read.
    if (m_chunks.size() > m_chunksInMemory + m_spilled && !m_spillFailed)
        spill(m_spilled);
}

void EventLog::spill(std::size_t chunk)
{
#ifdef __linux__
    if (m_spillFd < 0) {
        // TMPDIR when set; else /var/tmp, which is on disk where /tmp may be memory (tmpfs).
        const char *dir = std::getenv("TMPDIR");
        for (const char *path : {dir && *dir ? dir : "/var/tmp", "/tmp"}) {
            m_spillFd = ::open(path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600); // unlinked: gone when closed
            if (m_spillFd >= 0 || (dir && *dir))
                break;
        }
        if (m_spillFd < 0) {
            m_spillFailed = true;
            return;
        }
    }
    const off_t offset = off_t(chunk * ChunkBytes);
    const char *bytes = reinterpret_cast<const char *>(m_chunks[chunk].get());
    for (std::size_t done = 0; done < ChunkBytes;) {
        const ssize_t n = ::pwrite(m_spillFd, bytes + done, ChunkBytes - done, offset + off_t(done));
        if (n <= 0) { // a full disk: keep this and every later chunk in memory
            m_spillFailed = true;
            return;
        }
        done += std::size_t(n);
    }
    // Private: a late event merged into a spilled chunk writes to a copy of that page, never the file.
    void *mapped = ::mmap(nullptr, ChunkBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, m_spillFd, offset);
    if (mapped == MAP_FAILED) {
        m_spillFailed = true;
        return;
    }
    m_chunks[chunk] = Chunk(static_cast<Event *>(mapped), ChunkRelease{true});
    ++m_spilled;
#else
    (void)chunk;
    m_spillFailed = true; // no spilling here: everything stays in memory
#endif
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
