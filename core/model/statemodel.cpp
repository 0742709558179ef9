#include "model/statemodel.h"

#include <algorithm>

namespace porthole::model {

void StateModel::reset(const std::vector<trace::ThreadInfo> &threads)
{
    ++m_revision;
    m_events.clear();
    m_checkpoints.assign(1, ModelState{});
    m_sinceCheckpoint = 0;
    m_checkpointEvery = CheckpointEvery;
    m_checkpointBytes = 0;
    m_checkpointSpacing = 1;
    m_interpreter = {};
    m_timeline.reset(0);
    m_threadInfo = threads;
    m_vocabulary = trace::Vocabulary::current();
    m_strings.clear();
}

void StateModel::setThreads(const std::vector<trace::ThreadInfo> &threads)
{
    ++m_revision;
    m_threadInfo = threads;
}

void StateModel::setNames(trace::Vocabulary vocabulary, std::vector<std::string> strings)
{
    ++m_revision;
    m_vocabulary = std::move(vocabulary);
    m_strings = std::move(strings);
}

void StateModel::append(const std::vector<trace::Event> &events)
{
    if (!events.empty())
        ++m_revision;
    if (m_checkpoints.empty())
        m_checkpoints.assign(1, ModelState{});
    m_events.append(events);
    for (const trace::Event &e : events) {
        m_interpreter.apply(e);
        m_timeline.follow(e, m_interpreter.state());
        // A checkpoint copies the state: the larger the state, the fewer of them (see CheckpointBytesPerEvent).
        if (++m_sinceCheckpoint >= m_checkpointEvery) {
            const ModelState &state = m_interpreter.state();
            const std::size_t bytes = state.approximateBytes();
            m_checkpoints.push_back(state);
            m_checkpointBytes += bytes;
            m_sinceCheckpoint = 0;
            if (m_checkpointBytes > m_checkpointBudget)
                thinCheckpoints();
            m_checkpointEvery = std::max(CheckpointEvery, bytes / CheckpointBytesPerEvent) * m_checkpointSpacing;
        }
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

void StateModel::thinCheckpoints()
{
    // Keep [0] (before any event) and every other one counted back from the newest, which stays.
    std::vector<ModelState> kept;
    kept.reserve(m_checkpoints.size() / 2 + 2);
    kept.push_back(std::move(m_checkpoints.front()));
    m_checkpointBytes = 0;
    const std::size_t newest = m_checkpoints.size() - 1;
    for (std::size_t i = 1; i <= newest; ++i)
        if ((newest - i) % 2 == 0) {
            m_checkpointBytes += m_checkpoints[i].approximateBytes();
            kept.push_back(std::move(m_checkpoints[i]));
        }
    m_checkpoints = std::move(kept);
    m_checkpointSpacing *= 2;
}

ModelState StateModel::stateAt(std::size_t eventIndex) const
{
    eventIndex = std::min(eventIndex, m_events.size());
    ModelState state;
    if (eventIndex == m_events.size()) {
        state = m_interpreter.state();
    } else {
        // The last checkpoint at or before eventIndex.
        const auto after = std::upper_bound(m_checkpoints.begin(), m_checkpoints.end(), eventIndex,
                                            [](std::size_t i, const ModelState &c) { return i < c.eventIndex; });
        if (after != m_checkpoints.begin())
            state = *(after - 1);
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
