// The timeline's graphs: each frame adds only the points new since the last, from the level of detail
// the visible range needs (model::Series), and holds each step graph's value up to the newest event.

#include "timelineview.h"

#include "session.h"

#include <qcustomplot.h>

namespace porthole::ui {

std::size_t TimelineView::levelFor(double resolutionS, std::size_t coarserLevels) const
{
    const QCPRange range = m_lanesRect->axis(QCPAxis::atBottom)->range();
    const double pixelS = range.size() / std::max(1, m_lanesRect->width());
    // Buckets of a pixel or more: at most two points per pixel (a bucket's peak and its end). Half a
    // pixel (four points) cost a frame 15 ms at 100 M events, and looks the same.
    std::size_t level = 0;
    while (level < coarserLevels && resolutionS < pixelS) {
        resolutionS *= model::Series::CoarserFactor;
        ++level;
    }
    return level;
}

bool TimelineView::levelsStale() const
{
    const auto &data = m_session.timeline();
    const auto stale = [&](const QCPGraph *g, const model::Series &s) {
        const auto it = m_levels.find(g);
        return it != m_levels.end() && it->second != levelFor(s.resolutionS, model::Series::CoarserLevels);
    };
    return stale(m_queue, data.queueDepth()) || stale(m_inState[0], data.threadsInState(0));
}

double TimelineView::updateGraphs()
{
    const auto &data = m_session.timeline();
    // A count holds from its last change until the newest event (nothing changed it since): each step
    // graph gets one point there, taken off again before new points are added.
    for (const auto &[graph, key] : m_extensions)
        graph->data()->remove(key);
    m_extensions.clear();
    // Only the points added since the last frame go to the graphs (a long run has millions), from the
    // level of detail the visible range needs: a graph that changes level starts over.
    const auto set = [this](QCPGraph *g, const model::Series &s) {
        const std::size_t level = levelFor(s.resolutionS, model::Series::CoarserLevels);
        if (const auto it = m_levels.find(g); it == m_levels.end() || it->second != level) {
            g->data()->clear();
            m_levels[g] = level;
        }
        const std::vector<double> &times = s.levelTimeS(level), &values = s.levelValue(level);
        std::size_t have = std::size_t(g->dataCount());
        if (times.size() < have) {
            g->data()->clear();
            have = 0;
        }
        // The last bucket drawn may have grown since (its peak): it is taken again with the new points.
        if (have > 0)
            g->data()->remove(times[have - 1]);
        const std::size_t from = have > 0 ? have - 1 : 0;
        if (from == times.size())
            return;
        g->addData(QVector<double>(times.begin() + std::ptrdiff_t(from), times.end()),
                   QVector<double>(values.begin() + std::ptrdiff_t(from), values.end()), true);
    };
    if (data.originNs() != m_plottedOrigin) { // a new run or a loaded trace: start the graphs over
        m_plottedOrigin = data.originNs();
        for (QCPGraph *g : {m_queue, m_pending, m_threads, m_rate})
            g->data()->clear();
        for (QCPGraph *g : m_inState)
            g->data()->clear();
        m_labelledLanes = -1;
    }
    set(m_queue, data.queueDepth());
    set(m_pending, data.pendingOps());
    set(m_threads, data.threadCount());
    set(m_rate, data.completionsPerS());
    for (int st = 0; st < StateCount; ++st)
        set(m_inState[st], data.threadsInState(std::uint8_t(st)));
    const double own = data.toSeconds(std::max(data.originNs(), m_session.model().lastTimeNs()));
    std::vector<std::pair<QCPGraph *, const model::Series *>> steps = {
        {m_queue, &data.queueDepth()}, {m_pending, &data.pendingOps()}, {m_threads, &data.threadCount()}};
    for (int st = 0; st < StateCount; ++st)
        steps.emplace_back(m_inState[st], &data.threadsInState(std::uint8_t(st)));
    for (const auto &[g, series] : steps) {
        if (g->dataCount() == 0)
            continue;
        double lastKey = (g->data()->constEnd() - 1)->key;
        // The last bucket's points hold its peak: where it ended, then that value up to the newest event.
        if (series->endTime() > lastKey && series->endTime() < own) {
            g->addData(series->endTime(), series->endValue());
            m_extensions.emplace_back(g, series->endTime());
            lastKey = series->endTime();
        }
        if (lastKey < own) {
            g->addData(own, series->endValue());
            m_extensions.emplace_back(g, own);
        }
    }
    return own;
}

} // namespace porthole::ui
