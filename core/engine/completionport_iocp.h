#pragma once

#include "engine/completionport.h"

namespace porthole::engine {

// The completion port on Windows: the real IOCP (CreateIoCompletionPort, GetQueuedCompletionStatus(Ex)).

class IocpPort final : public CompletionPort
{
public:
    static std::unique_ptr<CompletionPort> make(const PortOptions &options, std::string &error); // CompletionPort::create
    ~IocpPort() override;

    bool associate(NativeHandle fd, std::uint64_t key) override;
    std::int64_t recv(NativeHandle fd, std::uint64_t token) override;
    std::int64_t send(NativeHandle fd, std::span<const std::byte> bytes, std::uint64_t token) override;
    std::int64_t read(NativeHandle fd, std::span<std::byte> into, std::uint64_t offset, std::uint64_t token) override;
    std::int64_t fsync(NativeHandle fd, std::uint64_t token, bool forceAsync = false) override;
    std::int64_t timeout(std::chrono::nanoseconds after, std::uint64_t token) override;
    std::int64_t nop(std::uint64_t token, bool forceAsync = false) override;
    std::int64_t post(std::uint64_t key, std::uint32_t bytes, std::uint64_t token) override;
    DequeueStatus dequeue(Completion &out, std::chrono::milliseconds timeout) override;
    std::size_t dequeueBatch(std::span<Completion> out, std::chrono::milliseconds timeout, DequeueStatus &status) override;
    void recycle(const Completion &completion) override;
    void flush() override;
    void submitOnThisThread() override;
    void announceBlocking() override;
    void announceUnblocked() override;
    bool isCurrentThreadMember() const override;
    void close() override;
    PortStats stats() const override;
    RingSnapshot ringSnapshot() const override;
    std::size_t memoryBytes() const override;

private:
    friend struct PortMember;
    struct OpSlot;
    struct Waiter;

    IocpPort() = default;
    bool init(const PortOptions &options, std::string &error);

    struct WinOp; // an OVERLAPPED with its buffer and the caller's token (completionport_win.cpp)
    template<typename Issue>
    std::int64_t issue(OpKind kind, NativeHandle handle, std::uint64_t token, std::size_t bufferBytes, Issue &&start);
    bool completionFromPacket(WinOp *op, std::uint64_t key, std::uint32_t bytes, bool ok, std::uint32_t error, Completion &out);
    void finishOp(WinOp *op);
    void noteDequeued(const Completion &out);

    void *m_port = nullptr; // the IOCP HANDLE
    bool m_skipOnSuccess = false;
    unsigned m_concurrency = 1;
    unsigned m_recvBufferBytes = 512;
    mutable std::mutex m_mutex;             // guards the members below it
    std::unordered_map<NativeHandle, std::uint64_t> m_keys; // associated handles (close() cancels their I/O)
    std::unordered_map<std::uint64_t, WinOp *> m_ops;       // op id -> op, until its packet is done with
    std::deque<Completion> m_inline;        // skip-on-success: completed at once, handed out before the port's
    std::atomic<std::size_t> m_inlineCount{0}; // m_inline.size(), stored under m_mutex; release/acquire: read without it
    std::uint64_t m_nextOpId = 1;
    std::atomic<bool> m_closed{false};             // release/acquire: a waiter that sees it returns Closed
    std::atomic<std::uint64_t> m_pending{0};       // ops the kernel still holds (issued, packet not yet taken): a count only
    std::atomic<std::uint64_t> m_waiters{0};       // threads inside GetQueuedCompletionStatus: a count only
    std::atomic<std::uint64_t> m_completionsHanded{0};
};

} // namespace porthole::engine
