#include "engine/bufferring.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <liburing.h>
#include <sys/mman.h>

namespace porthole::engine {

BufferRing::BufferRing(io_uring &ring, std::uint32_t count, std::uint32_t bufferBytes)
    : m_uring(ring)
    , m_count(count)
    , m_bufferBytes(bufferBytes)
{
}

std::unique_ptr<BufferRing> BufferRing::create(io_uring &ring, std::uint32_t count, std::uint32_t bufferBytes,
                                               std::string &error)
{
    if (count == 0 || count > 32768 || !std::has_single_bit(count)) {
        error = "the receive buffer count must be a power of two from 1 to 32768, not " + std::to_string(count);
        return nullptr;
    }
    std::unique_ptr<BufferRing> self(new BufferRing(ring, count, bufferBytes));
    self->m_ringBytes = count * sizeof(io_uring_buf);
    void *mem = ::mmap(nullptr, self->m_ringBytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) {
        error = std::string("cannot map the buffer ring: ") + std::strerror(errno);
        return nullptr;
    }
    self->m_ring = static_cast<io_uring_buf_ring *>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(mem);
    reg.ring_entries = count;
    reg.bgid = GroupId;
    const int rc = io_uring_register_buf_ring(&ring, &reg, 0);
    if (rc < 0) {
        error = "provided buffer rings are not available (kernel 5.19 or newer): " + std::string(std::strerror(-rc));
        return nullptr;
    }
    self->m_registered = true;
    self->m_storage = static_cast<std::byte *>(std::aligned_alloc(64, std::size_t(count) * bufferBytes));
    if (!self->m_storage) {
        error = "out of memory for " + std::to_string(count) + " receive buffers";
        return nullptr;
    }
    io_uring_buf_ring_init(self->m_ring);
    const int mask = io_uring_buf_ring_mask(count);
    for (std::uint32_t id = 0; id < count; ++id)
        io_uring_buf_ring_add(self->m_ring, self->m_storage + std::size_t(id) * bufferBytes, bufferBytes,
                              std::uint16_t(id), mask, int(id));
    // io_uring_buf_ring_advance publishes the tail with a release store: the entries are written first.
    io_uring_buf_ring_advance(self->m_ring, int(count));
    self->m_available = count;
    return self;
}

BufferRing::~BufferRing()
{
    if (m_registered)
        io_uring_unregister_buf_ring(&m_uring, GroupId);
    if (m_ring)
        ::munmap(m_ring, m_ringBytes);
    std::free(m_storage);
}

std::span<const std::byte> BufferRing::buffer(std::uint16_t id, std::size_t bytes) const
{
    return {m_storage + std::size_t(id) * m_bufferBytes, std::min<std::size_t>(bytes, m_bufferBytes)};
}

void BufferRing::recycle(std::uint16_t id)
{
    io_uring_buf_ring_add(m_ring, m_storage + std::size_t(id) * m_bufferBytes, m_bufferBytes, id,
                          io_uring_buf_ring_mask(m_count), 0);
    // Release store of the new tail: the entry above is visible to the kernel before it.
    io_uring_buf_ring_advance(m_ring, 1);
    ++m_available;
}

} // namespace porthole::engine
