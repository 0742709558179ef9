#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

struct io_uring;
struct io_uring_buf_ring;

namespace porthole::engine {

// A provided-buffer ring (IORING_REGISTER_PBUF_RING, kernel 5.19): the kernel takes a buffer only
// when data arrives, so ten thousand pending receives pin no memory of their own.
// It starts with `count` buffers and grows by as many again (grow()) while data arrives faster than
// the buffers come back, up to the ring's `entries`: a receive that found every buffer busy
// (-ENOBUFS) costs a second trip through the kernel, so a pool too small for the traffic is slow.
// It never shrinks. Not thread-safe: the port calls it under its submission lock.
class BufferRing
{
public:
    static constexpr std::uint16_t GroupId = 1;

    // Returns null and sets error when the kernel has no buffer rings.
    // `entries`: a power of two from 1 to 32768, at least `count`.
    static std::unique_ptr<BufferRing> create(io_uring &ring, std::uint32_t count, std::uint32_t entries,
                                              std::uint32_t bufferBytes, std::string &error);
    ~BufferRing();

    std::span<const std::byte> buffer(std::uint16_t id, std::size_t bytes) const;
    void recycle(std::uint16_t id); // hands the buffer back to the kernel
    void markTaken() { --m_available; } // a completion arrived holding one of our buffers
    // Adds `count` more buffers (the size it started with) if the ring has room; false if not.
    bool grow();
    std::uint32_t count() const { return m_count; }
    // Buffers the kernel holds and has not yet been seen filling (it may be filling some right now).
    std::uint32_t available() const { return m_available; }
    std::uint32_t bufferBytes() const { return m_bufferBytes; }
    std::size_t memoryBytes() const { return m_ringBytes + std::size_t(m_count) * m_bufferBytes; }

private:
    BufferRing(io_uring &ring, std::uint32_t chunk, std::uint32_t entries, std::uint32_t bufferBytes);
    bool addChunk(); // `m_chunk` more buffers, handed to the kernel

    struct FreeDeleter {
        void operator()(std::byte *p) const;
    };

    io_uring &m_uring;
    const std::uint32_t m_chunk;   // buffers per piece of storage: the count it started with
    const std::uint32_t m_entries; // the ring's slots: the most buffers it can hold
    const std::uint32_t m_bufferBytes;
    std::uint32_t m_count = 0; // buffers so far
    std::size_t m_ringBytes = 0;
    io_uring_buf_ring *m_ring = nullptr; // shared with the kernel
    std::vector<std::unique_ptr<std::byte, FreeDeleter>> m_storage; // buffer id / m_chunk -> its piece
    bool m_registered = false;
    std::uint32_t m_available = 0;
};

} // namespace porthole::engine
