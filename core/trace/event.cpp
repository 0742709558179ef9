#include "trace/event.h"

#include <array>

namespace porthole::trace {

namespace {
template<typename Enum, std::size_t N>
std::string_view lookup(const std::array<std::string_view, N> &names, Enum value)
{
    const auto index = static_cast<std::size_t>(value);
    return index < names.size() ? names[index] : std::string_view("unknown");
}
} // namespace

std::string_view eventTypeName(EventType type)
{
    static constexpr std::array<std::string_view, 22> names = {
        "invalid", "thread created", "thread exited", "thread state", "op submitted", "op completed",
        "op dequeued", "callback begin", "callback end", "stack push", "stack pop", "queue sample",
        "post", "cq overflow", "timer", "claim checked", "walkthrough marker", "observed", "sample tick",
        "kernel state", "run control", "thread limit"};
    static_assert(names.size() == std::size_t(EventType::Last) + 1);
    return lookup(names, type);
}

std::string_view threadRoleName(ThreadRole role)
{
    static constexpr std::array<std::string_view, 9> names = {
        "thread", "I/O completion", "worker", "poller", "event loop", "timer", "gate", "kernel io-wq worker", "Porthole's own"};
    static_assert(names.size() == std::size_t(ThreadRole::Last) + 1);
    return lookup(names, role);
}

std::string_view threadReasonName(ThreadReason reason)
{
    static constexpr std::array<std::string_view, 8> names = {
        "unspecified", "startup", "min threads", "starvation", "blocked callback", "idle timeout", "shutdown",
        "cooperative blocking"};
    static_assert(names.size() == std::size_t(ThreadReason::Last) + 1);
    return lookup(names, reason);
}

std::string_view threadStateName(ThreadState state)
{
    static constexpr std::array<std::string_view, 6> names = {"running",       "waiting in port", "blocked",
                                                              "parked",        "not observed",    "held by pause"};
    static_assert(names.size() == std::size_t(ThreadState::Last) + 1);
    return lookup(names, state);
}

std::string_view queueKindName(QueueKind kind)
{
    static constexpr std::array<std::string_view, 5> names = {
        "SQ pending", "CQ ready", "port queue", "pending ops", "worker queue"};
    static_assert(names.size() == std::size_t(QueueKind::Last) + 1);
    return lookup(names, kind);
}

std::string_view opKindName(OpKind kind)
{
    static constexpr std::array<std::string_view, 8> names = {
        "nop", "recv", "send", "read", "fsync", "timeout", "post", "cancel"};
    static_assert(names.size() == std::size_t(OpKind::Last) + 1);
    return lookup(names, kind);
}

bool isValidEventType(std::uint8_t raw)
{
    return raw >= std::uint8_t(EventType::ThreadCreated) && raw <= std::uint8_t(EventType::Last);
}

} // namespace porthole::trace
