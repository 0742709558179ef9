#include "engine/bufferring.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <liburing.h>
#include <sys/mman.h>

namespace porthole::engine {

BufferRing::BufferRing(io_uring &ring, std::uint32_t chunk, std::uint32_t entries, std::uint32_t bufferBytes)
    : m_uring(ring)
    , m_chunk(chunk)
    , m_entries(entries)
    , m_bufferBytes(bufferBytes)
{
}

void BufferRing::FreeDeleter::operator()(std::byte *p) const { std::free(p); }

std::unique_ptr<BufferRing> BufferRing::create(io_uring &ring, std::uint32_t count, std::uint32_t entries,
                                               std::uint32_t bufferBytes, std::string &error)
{
    if (entries == 0 || entries > 32768 || !std::has_single_bit(entries)) {
        error = "the receive buffer ring's size must be a power of two from 1 to 32768, not " + std::to_string(entries);
        return nullptr;
    }
    if (count == 0 || count > entries) {
        error = "the receive buffer count must be from 1 to the ring's size (" + std::to_string(entries) + "), not "
                + std::to_string(count);
        return nullptr;
    }
    std::unique_ptr<BufferRing> self(new BufferRing(ring, count, entries, bufferBytes));
    self->m_ringBytes = entries * sizeof(io_uring_buf);
    void *mem = ::mmap(nullptr, self->m_ringBytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) {
        error = std::string("cannot map the buffer ring: ") + std::strerror(errno);
        return nullptr;
    }
    self->m_ring = static_cast<io_uring_buf_ring *>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(mem);
    reg.ring_entries = entries;
    reg.bgid = GroupId;
    const int rc = io_uring_register_buf_ring(&ring, &reg, 0);
    if (rc < 0) {
        error = "provided buffer rings are not available (kernel 5.19 or newer): " + std::string(std::strerror(-rc));
        return nullptr;
    }
    self->m_registered = true;
    io_uring_buf_ring_init(self->m_ring);
    if (!self->addChunk()) {
        error = "out of memory for " + std::to_string(count) + " receive buffers";
        return nullptr;
    }
    return self;
}

bool BufferRing::addChunk()
{
    if (m_entries - m_count < m_chunk)
        return false;
    auto *storage = static_cast<std::byte *>(std::aligned_alloc(64, std::size_t(m_chunk) * m_bufferBytes));
    if (!storage)
        return false;
    m_storage.emplace_back(storage);
    const int mask = io_uring_buf_ring_mask(m_entries);
    for (std::uint32_t i = 0; i < m_chunk; ++i)
        io_uring_buf_ring_add(m_ring, storage + std::size_t(i) * m_bufferBytes, m_bufferBytes,
                              std::uint16_t(m_count + i), mask, int(i));
    // io_uring_buf_ring_advance publishes the tail with a release store: the entries are written first.
    io_uring_buf_ring_advance(m_ring, int(m_chunk));
    m_count += m_chunk;
    m_available += m_chunk;
    return true;
}

bool BufferRing::grow() { return addChunk(); }

BufferRing::~BufferRing()
{
    if (m_registered)
        io_uring_unregister_buf_ring(&m_uring, GroupId);
    if (m_ring)
        ::munmap(m_ring, m_ringBytes);
}

std::span<const std::byte> BufferRing::buffer(std::uint16_t id, std::size_t bytes) const
{
    return {m_storage[id / m_chunk].get() + std::size_t(id % m_chunk) * m_bufferBytes, std::min<std::size_t>(bytes, m_bufferBytes)};
}

void BufferRing::recycle(std::uint16_t id)
{
    io_uring_buf_ring_add(m_ring, m_storage[id / m_chunk].get() + std::size_t(id % m_chunk) * m_bufferBytes, m_bufferBytes, id,
                          io_uring_buf_ring_mask(m_entries), 0);
    // Release store of the new tail: the entry above is visible to the kernel before it.
    io_uring_buf_ring_advance(m_ring, 1);
    ++m_available;
}

} // namespace porthole::engine
