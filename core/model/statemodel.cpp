#include "model/statemodel.h"

#include <algorithm>

namespace porthole::model {

void StateModel::reset(const std::vector<trace::ThreadInfo> &threads)
{
    m_events.clear();
    m_checkpoints.assign(1, ModelState{});
    m_interpreter = {};
    m_timeline.reset(0);
    m_threadInfo = threads;
    m_vocabulary = trace::Vocabulary::current();
    m_strings.clear();
}

void StateModel::setThreads(const std::vector<trace::ThreadInfo> &threads) { m_threadInfo = threads; }

void StateModel::setNames(trace::Vocabulary vocabulary, std::vector<std::string> strings)
{
    m_vocabulary = std::move(vocabulary);
    m_strings = std::move(strings);
}

void StateModel::append(const std::vector<trace::Event> &events)
{
    if (m_checkpoints.empty())
        m_checkpoints.assign(1, ModelState{});
    m_events.reserve(m_events.size() + events.size());
    for (const trace::Event &e : events) {
        m_events.push_back(e);
        m_interpreter.apply(e);
        m_timeline.follow(e, m_interpreter.state());
        if (m_events.size() % CheckpointEvery == 0)
            m_checkpoints.push_back(m_interpreter.state());
    }
}

void StateModel::nameThreads(ModelState &state) const
{
    for (ThreadView &t : state.threads)
        if (t.index < m_threadInfo.size()) {
            t.name = m_threadInfo[t.index].name;
            t.osThreadId = m_threadInfo[t.index].osThreadId;
        }
}

ModelState StateModel::stateAt(std::size_t eventIndex) const
{
    eventIndex = std::min(eventIndex, m_events.size());
    ModelState state;
    if (eventIndex == m_events.size()) {
        state = m_interpreter.state();
    } else {
        const std::size_t k = std::min(eventIndex / CheckpointEvery, m_checkpoints.empty() ? 0 : m_checkpoints.size() - 1);
        if (!m_checkpoints.empty())
            state = m_checkpoints[k];
        for (std::size_t i = state.eventIndex; i < eventIndex; ++i)
            state.apply(m_events[i]);
    }
    nameThreads(state);
    return state;
}

std::size_t StateModel::indexAtTime(std::uint64_t timeNs) const
{
    return std::size_t(std::upper_bound(m_events.begin(), m_events.end(), timeNs,
                                        [](std::uint64_t t, const trace::Event &e) { return t < e.timeNs; })
                       - m_events.begin());
}

std::size_t StateModel::nextDequeue(std::size_t from) const
{
    for (std::size_t i = from; i < m_events.size(); ++i)
        if (m_events[i].type == trace::EventType::OpDequeued)
            return i + 1;
    return m_events.size();
}

std::size_t StateModel::previousDequeue(std::size_t from) const
{
    // The latest dequeue strictly before the one `from` stands just behind (if any).
    from = std::min(from, m_events.size());
    if (from < 2)
        return 0;
    for (std::size_t j = from - 1; j-- > 0;)
        if (m_events[j].type == trace::EventType::OpDequeued)
            return j + 1;
    return 0;
}

} // namespace porthole::model
