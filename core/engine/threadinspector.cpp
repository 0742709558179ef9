#include "engine/threadinspector.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/syscall.h>
#include <unistd.h>

namespace porthole::engine {

namespace {

std::optional<std::string> readSmallFile(const std::string &path, std::vector<std::string> &unreadable)
{
    std::ifstream file(path);
    if (!file) {
        unreadable.push_back(path + ": " + std::strerror(errno));
        return std::nullopt;
    }
    std::stringstream buffer;
    buffer << file.rdbuf();
    std::string text = buffer.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    if (text.empty() && file.bad()) {
        unreadable.push_back(path + ": read failed");
        return std::nullopt;
    }
    return text;
}

} // namespace

std::string ThreadInspector::threadName(std::int32_t tid)
{
    std::vector<std::string> ignored;
    return readSmallFile("/proc/self/task/" + std::to_string(tid) + "/comm", ignored).value_or(std::string());
}

KernelThreadView ThreadInspector::inspect(std::int32_t tid, bool full)
{
    return inspectAt("/proc/self/task/" + std::to_string(tid) + "/", tid, full);
}

KernelThreadView ThreadInspector::inspectIn(std::int32_t pid, std::int32_t tid)
{
    return inspectAt("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/", tid, true);
}

std::vector<std::int32_t> ThreadInspector::listThreadsOf(std::int32_t pid) { return listThreadsAt("/proc/" + std::to_string(pid) + "/task"); }

std::vector<std::int32_t> ThreadInspector::listThreadsAt(const std::string &taskDir)
{
    std::vector<std::int32_t> tids;
    DIR *dir = ::opendir(taskDir.c_str());
    if (!dir)
        return tids;
    while (const dirent *entry = ::readdir(dir))
        if (entry->d_name[0] != '.')
            tids.push_back(std::int32_t(std::strtol(entry->d_name, nullptr, 10)));
    ::closedir(dir);
    return tids;
}

std::optional<std::uint64_t> ThreadInspector::residentBytesOf(std::int32_t pid)
{
    return residentBytesAt("/proc/" + std::to_string(pid) + "/statm");
}

std::optional<std::uint64_t> ThreadInspector::residentBytesAt(const std::string &statm)
{
    std::FILE *f = std::fopen(statm.c_str(), "r");
    if (!f)
        return std::nullopt;
    unsigned long long sizePages = 0, residentPages = 0;
    const int read = std::fscanf(f, "%llu %llu", &sizePages, &residentPages);
    std::fclose(f);
    if (read != 2)
        return std::nullopt;
    return std::uint64_t(residentPages) * std::uint64_t(::sysconf(_SC_PAGESIZE));
}

KernelThreadView ThreadInspector::inspectAt(const std::string &base, std::int32_t tid, bool full)
{
    KernelThreadView view;
    view.tid = tid;
    if (full)
        if (auto comm = readSmallFile(base + "comm", view.unreadable))
            view.comm = *comm;
    if (auto stat = readSmallFile(base + "stat", view.unreadable)) {
        // "tid (comm) S ..." -- comm may hold spaces and parentheses, so read after the last ')'.
        const auto close = stat->rfind(')');
        if (close != std::string::npos && close + 2 < stat->size()) {
            view.state = (*stat)[close + 2];
            // After the state: ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime.
            std::istringstream fields(stat->substr(close + 3));
            std::string skip;
            unsigned long long utime = 0, stime = 0;
            for (int i = 0; i < 10; ++i)
                fields >> skip;
            if (fields >> utime >> stime) {
                static const long hz = ::sysconf(_SC_CLK_TCK);
                view.cpuNs = (utime + stime) * (1'000'000'000ull / std::uint64_t(hz > 0 ? hz : 100));
            }
        }
    }
    if (auto wchan = readSmallFile(base + "wchan", view.unreadable))
        view.wchan = (*wchan == "0") ? std::string() : *wchan;
    if (auto sys = readSmallFile(base + "syscall", view.unreadable)) {
        // "running", or the number followed by the arguments.
        if (!sys->empty() && sys->front() >= '0' && sys->front() <= '9')
            view.syscall = std::strtol(sys->c_str(), nullptr, 10);
    }
    std::vector<std::string> ignored; // the stack file needs root; its absence is normal, not news
    if (!full)
        return view;
    if (auto stack = readSmallFile(base + "stack", ignored)) {
        std::istringstream lines(*stack);
        for (std::string line; std::getline(lines, line);) {
            // "[<0>] io_cqring_wait+0x..." -> "io_cqring_wait"
            const auto start = line.find("] ");
            std::string frame = start == std::string::npos ? line : line.substr(start + 2);
            frame = frame.substr(0, frame.find('+'));
            if (!frame.empty())
                view.kernelStack.push_back(frame);
        }
    }
    return view;
}

std::vector<std::int32_t> ThreadInspector::listThreads() { return listThreadsAt("/proc/self/task"); }

std::vector<KernelThreadView> ThreadInspector::ioWorkers()
{
    std::vector<KernelThreadView> workers;
    for (std::int32_t tid : listThreads()) {
        KernelThreadView view = inspect(tid);
        if (view.isIoWorker() || view.isSqPoller())
            workers.push_back(std::move(view));
    }
    return workers;
}

std::size_t ThreadInspector::threadCount() { return listThreads().size(); }

std::optional<std::size_t> ThreadInspector::countThreads()
{
    DIR *dir = ::opendir("/proc/self/task");
    if (!dir)
        return std::nullopt;
    std::size_t n = 0;
    while (const dirent *entry = ::readdir(dir))
        n += entry->d_name[0] != '.';
    ::closedir(dir);
    return n;
}

std::optional<std::uint64_t> ThreadInspector::residentBytes() { return residentBytesAt("/proc/self/statm"); }

std::int32_t ThreadInspector::currentThreadId() { return std::int32_t(::syscall(SYS_gettid)); }

} // namespace porthole::engine
