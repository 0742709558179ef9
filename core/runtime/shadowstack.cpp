#include "runtime/shadowstack.h"

#include "trace/recorder.h"

#include <algorithm>
#include <pthread.h>

namespace porthole::runtime {

namespace {
thread_local std::vector<FrameId> t_frames; // only its own thread reads or writes it
thread_local trace::ThreadRole t_role = trace::ThreadRole::Other;
thread_local std::uint32_t t_slot = 0;
} // namespace

trace::ThreadRole currentThreadRole() { return t_role; }
void setCurrentThreadRole(trace::ThreadRole role) { t_role = role; }

std::uint32_t currentThreadSlot() { return t_slot; }
void setCurrentThreadSlot(std::uint32_t slot) { t_slot = slot; }

void nameCurrentThread(const std::string &name) { ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str()); }

void ShadowStack::push(FrameId frame, const char *nativeName)
{
    t_frames.push_back(frame); // stacks are a few frames deep: no allocation after the first pushes
    // The name's address travels; the collector turns it into one of the trace's strings.
    trace::record(trace::EventType::StackPush, std::uint8_t(t_frames.size()), std::uint16_t(frame),
                  reinterpret_cast<std::uintptr_t>(nativeName), 0);
}

void ShadowStack::pop()
{
    if (t_frames.empty())
        return;
    const FrameId frame = t_frames.back();
    t_frames.pop_back();
    trace::record(trace::EventType::StackPop, std::uint8_t(t_frames.size()), std::uint16_t(frame), 0, 0);
}

std::vector<FrameId> ShadowStack::current() { return t_frames; }

bool ShadowStack::contains(FrameId frame) { return std::find(t_frames.begin(), t_frames.end(), frame) != t_frames.end(); }

} // namespace porthole::runtime
