#include "apart.h"

#include "ratioreporter.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace porthole::bench {

namespace {

constexpr const char LinesVariable[] = "PORTHOLE_BENCH_LINES";

std::vector<std::string> &runLast()
{
    static std::vector<std::string> names;
    return names;
}

std::string baseName(const std::string &benchmark) { return benchmark.substr(0, benchmark.find('/')); }

bool startsWith(const char *text, const char *prefix) { return std::strncmp(text, prefix, std::strlen(prefix)) == 0; }

// Runs this program again with `args` (argv[0] first) and, if `linesFile` is not empty, the variable that makes
// it a group's process. Its standard output goes to `captured` if given, else where ours goes.
// Returns its exit status (128 + the signal if a signal ended it), or -1 if it could not start.
int runSelf(const std::vector<std::string> &args, const std::string &linesFile, std::string *captured)
{
    char self[PATH_MAX];
    const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0)
        return -1;
    self[length] = '\0';
    std::vector<char *> argv;
    for (const std::string &arg : args)
        argv.push_back(const_cast<char *>(arg.c_str()));
    argv.push_back(nullptr);
    std::vector<char *> envp;
    for (char **e = environ; *e; ++e)
        if (!startsWith(*e, LinesVariable))
            envp.push_back(*e);
    std::string linesVariable = std::string(LinesVariable) + "=" + linesFile;
    if (!linesFile.empty())
        envp.push_back(linesVariable.data());
    envp.push_back(nullptr);

    int out[2] = {-1, -1};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (captured) {
        if (pipe2(out, O_CLOEXEC) != 0)
            return -1;
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    }
    std::fflush(stdout); // what we printed comes before what it prints
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, self, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (captured) {
        close(out[1]);
        char chunk[4096];
        ssize_t n;
        while (spawned == 0 && (n = read(out[0], chunk, sizeof chunk)) > 0)
            captured->append(chunk, std::size_t(n));
        close(out[0]);
    }
    if (spawned != 0)
        return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The benchmarks' base names (before the first '/') in the order the library lists them, in groups: two
// are in one group when a comparison has one as ours and the other as its baseline.
std::vector<std::vector<std::string>> groupsOf(const std::string &listing)
{
    std::vector<std::string> bases;
    std::map<std::string, std::string> parent; // union-find over base names
    std::size_t from = 0;
    while (from < listing.size()) {
        std::size_t end = listing.find('\n', from);
        if (end == std::string::npos)
            end = listing.size();
        const std::string base = baseName(listing.substr(from, end - from));
        from = end + 1;
        if (!base.empty() && parent.emplace(base, base).second)
            bases.push_back(base);
    }
    const auto root = [&](std::string name) {
        while (parent[name] != name)
            name = parent[name];
        return name;
    };
    for (const Comparison &c : registeredComparisons()) {
        const std::string ours = baseName(c.ours), baseline = baseName(c.baseline);
        if (parent.count(ours) && parent.count(baseline))
            parent[root(ours)] = root(baseline);
    }
    std::vector<std::vector<std::string>> groups;
    std::map<std::string, std::size_t> groupOfRoot;
    for (const std::string &base : bases) {
        const auto [it, added] = groupOfRoot.emplace(root(base), groups.size());
        if (added)
            groups.emplace_back();
        groups[it->second].push_back(base);
    }
    const auto last = [](const std::vector<std::string> &group) {
        for (const std::string &name : runLast())
            if (std::find(group.begin(), group.end(), name) != group.end())
                return true;
        return false;
    };
    std::stable_partition(groups.begin(), groups.end(), [&](const auto &group) { return !last(group); });
    return groups;
}

std::string joined(const std::vector<std::string> &names, const char *separator)
{
    std::string text;
    for (const std::string &name : names)
        text += (text.empty() ? "" : separator) + name;
    return text;
}

} // namespace

void runGroupLast(const char *benchmark) { runLast().push_back(benchmark); }

const char *groupLinesFile()
{
    const char *file = std::getenv(LinesVariable);
    return file && *file ? file : nullptr;
}

int runGroupsApart(int argc, char **argv)
{
    if (groupLinesFile())
        return -1;
    std::vector<std::string> args(argv, argv + argc);
    for (int i = 1; i < argc; ++i)
        if (startsWith(argv[i], "--benchmark_filter") || startsWith(argv[i], "--benchmark_list_tests") ||
            startsWith(argv[i], "--benchmark_out"))
            return -1; // the command line chose what to run and where it goes: all in this process

    std::vector<std::string> listArgs = args;
    listArgs.push_back("--benchmark_list_tests=true");
    std::string listing;
    if (runSelf(listArgs, {}, &listing) != 0) {
        std::fprintf(stderr, "porthole_bench: could not list the benchmarks by running %s again\n", argv[0]);
        return 1;
    }
    const std::vector<std::vector<std::string>> groups = groupsOf(listing);

    const char *tmp = std::getenv("TMPDIR");
    std::string linesPath = std::string(tmp && *tmp ? tmp : "/tmp") + "/porthole-bench-lines-XXXXXX";
    const int linesFd = mkstemp(linesPath.data());
    if (linesFd < 0) {
        std::fprintf(stderr, "porthole_bench: cannot create %s: %s\n", linesPath.c_str(), std::strerror(errno));
        return 1;
    }
    close(linesFd);

    std::vector<std::string> failed;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        std::printf("\n== group %zu of %zu, a process of its own: %s\n", g + 1, groups.size(), joined(groups[g], ", ").c_str());
        std::vector<std::string> groupArgs = args;
        groupArgs.push_back("--benchmark_filter=^(" + joined(groups[g], "|") + ")(/|$)");
        const int status = runSelf(groupArgs, linesPath, nullptr);
        if (status != 0)
            failed.push_back(joined(groups[g], ", ") + ": " +
                             (status < 0 ? std::string("could not start") : "exited with status " + std::to_string(status)));
    }

    std::printf("\n== every comparison, each from the process of its group\n");
    if (FILE *lines = std::fopen(linesPath.c_str(), "r")) {
        char line[4096];
        while (std::fgets(line, sizeof line, lines))
            std::fputs(line, stdout);
        std::fclose(lines);
    }
    unlink(linesPath.c_str());
    for (const std::string &failure : failed)
        std::printf("group %s — its lines are missing\n", failure.c_str());
    std::fflush(stdout);
    return failed.empty() ? 0 : 1;
}

} // namespace porthole::bench
