#pragma once

#include <cstddef>
#include <ostream>
#include <string>

namespace porthole::app {

struct DemoOptions {
    std::size_t sockets = 10000;
    std::string exportTrace; // .porthole or .json; empty = none
};

// "One thread, ten thousand pending reads": runs the real engine on real sockets and narrates
// what the kernel reports at each step. Returns the process exit code.
int runHeadlessDemo(const DemoOptions &options, std::ostream &out, std::ostream &err);

} // namespace porthole::app
