#include "engine/descriptorlimit.h"

#include <dirent.h>
#include <sys/resource.h>

namespace porthole::engine {

std::uint64_t countOpenDescriptors()
{
    DIR *dir = ::opendir("/proc/self/fd");
    if (!dir)
        return 0;
    std::uint64_t count = 0;
    while (const dirent *entry = ::readdir(dir))
        if (entry->d_name[0] != '.')
            ++count;
    ::closedir(dir);
    return count - 1; // the directory stream itself
}

DescriptorLimit currentDescriptorLimit()
{
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    return {std::uint64_t(limit.rlim_cur), std::uint64_t(limit.rlim_max), countOpenDescriptors()};
}

DescriptorLimit raiseDescriptorLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    return currentDescriptorLimit();
}

std::string checkDescriptorBudget(std::uint64_t needed, const std::string &what)
{
    const DescriptorLimit limit = currentDescriptorLimit();
    if (limit.open + needed <= limit.soft)
        return {};
    const std::uint64_t wanted = limit.open + needed + 64;
    const std::string advice = wanted <= limit.hard
                                   ? "raise the limit: 'ulimit -n " + std::to_string(wanted) + "' in the shell"
                                   : "raise the hard limit as root first (/etc/security/limits.conf), then 'ulimit -n "
                                         + std::to_string(wanted) + "'";
    return what + " needs " + std::to_string(needed) + " more file descriptors, but " + std::to_string(limit.open)
           + " are open and the limit is " + std::to_string(limit.soft) + " (hard limit " + std::to_string(limit.hard)
           + "). Use fewer sockets, or " + advice + ".";
}

} // namespace porthole::engine
