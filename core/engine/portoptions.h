#pragma once

namespace porthole::engine {

struct PortOptions {
    unsigned concurrency = 0;          // running threads allowed at once; 0 = one per processor (as IOCP)
    unsigned ringEntries = 4096;       // SQ entries; the CQ gets twice as many
    unsigned cqEntries = 0;            // 0 = twice ringEntries, at least 32768
    unsigned recvBuffers = 4096;       // provided receive buffers shared by every socket, to start with
    unsigned recvBufferRing = 32768;   // the most there can be (a power of two): while receives find every
                                       // buffer busy, the pool grows by recvBuffers at a time up to this
    unsigned recvBufferBytes = 512;    // a receive returns at most this much; the rest waits for the next one
    bool useBufferRing = true;         // false: each pending recv owns a buffer (the fallback; for tests)
    // Windows: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on every associated handle. An operation that
    // succeeds at once then posts no packet; the engine hands it out itself, without a kernel round trip.
    bool skipCompletionPortOnSuccess = false;
};

} // namespace porthole::engine
