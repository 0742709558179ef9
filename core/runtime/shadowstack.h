#pragma once

#include "runtime/frames.h"
#include "trace/event.h"

#include <source_location>
#include <string>
#include <vector>

namespace porthole::runtime {

// The calling thread's stack of named frames, pushed and popped as it really moves. Every push
// and pop is a trace event, so any thread's stack at any moment can be rebuilt from the trace.
class ShadowStack
{
public:
    // nativeName: the function that pushes the frame, a literal of static storage (see FrameScope).
    static void push(FrameId frame, const char *nativeName);
    static void pop();
    static std::vector<FrameId> current(); // this thread's stack, outermost first
    static bool contains(FrameId frame);
};

// The role of the calling thread in the runtime being modelled (I/O, worker, poller, ...).
trace::ThreadRole currentThreadRole();
void setCurrentThreadRole(trace::ThreadRole role);
std::uint32_t currentThreadSlot();       // the number the runtime gave this thread
void setCurrentThreadSlot(std::uint32_t slot);
// Gives the OS thread its name (the first 15 bytes), so /proc/self/task/TID/comm shows it too.
void nameCurrentThread(const std::string &name);

// Pushes on construction, pops on destruction. The frame's native name is the function that
// constructs the scope, as the compiler names it: never a string typed by hand.
class FrameScope
{
public:
    explicit FrameScope(FrameId frame, std::source_location site = std::source_location::current())
    {
        ShadowStack::push(frame, site.function_name());
    }
    ~FrameScope() { ShadowStack::pop(); }
    FrameScope(const FrameScope &) = delete;
    FrameScope &operator=(const FrameScope &) = delete;
};

} // namespace porthole::runtime
