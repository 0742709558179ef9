#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace porthole::engine {

// What the kernel says about one thread of this process, from /proc/self/task/TID/.
struct KernelThreadView {
    std::int32_t tid = 0;
    std::string comm;            // thread name; "iou-wrk-<pid>" for io_uring's io-wq workers
    char state = '?';            // from stat: R running, S sleeping, D uninterruptible, ...
    std::string wchan;           // where it sleeps, e.g. io_cqring_wait; "0" or empty when running
    std::optional<long> syscall; // the syscall it sleeps in (426 = io_uring_enter); empty when running
    std::uint64_t cpuNs = 0;     // user + system CPU time so far (stat's utime + stime)
    std::vector<std::string> kernelStack; // innermost first; only where /proc/.../stack is readable (root)
    std::vector<std::string> unreadable;  // which files could not be read, and why

    bool isIoWorker() const { return comm.rfind("iou-wrk-", 0) == 0; }
    bool isSqPoller() const { return comm.rfind("iou-sqp-", 0) == 0; }
};

class ThreadInspector
{
public:
    // full: also the name and the kernel stack (more files to open; the sampler's rounds skip them).
    static KernelThreadView inspect(std::int32_t tid, bool full = true);
    static std::string threadName(std::int32_t tid); // comm
    static std::vector<std::int32_t> listThreads();  // every task of this process
    static std::vector<KernelThreadView> ioWorkers(); // io-wq workers now alive
    static std::size_t threadCount();                // what /proc/self/task lists
    static std::optional<std::size_t> countThreads(); // the same, or nothing when /proc cannot be read (no descriptor left)
    static std::int32_t currentThreadId();
    static std::optional<std::uint64_t> residentBytes(); // of this process (/proc/self/statm), or nothing when unreadable
    // Another process (a real runtime Porthole observes from outside), as /proc shows it.
    static KernelThreadView inspectIn(std::int32_t pid, std::int32_t tid); // with its name
    static std::vector<std::int32_t> listThreadsOf(std::int32_t pid);
    static std::optional<std::uint64_t> residentBytesOf(std::int32_t pid);

private:
    static KernelThreadView inspectAt(const std::string &base, std::int32_t tid, bool full);
    static std::vector<std::int32_t> listThreadsAt(const std::string &taskDir);
    static std::optional<std::uint64_t> residentBytesAt(const std::string &statm);
};

} // namespace porthole::engine
