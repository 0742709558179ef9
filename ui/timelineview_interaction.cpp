// The timeline's interaction: clicks (scrub, mark, fold a role's lanes) and the range measure.

#include "timelineview.h"

#include "lanesplottable.h"
#include "session.h"

#include <qcustomplot.h>

namespace porthole::ui {

void TimelineView::setMark(double seconds)
{
    m_markS = seconds;
    refresh();
}

QString TimelineView::measureText() const
{
    if (m_markS < 0)
        return {};
    const auto &data = m_session.timeline();
    const model::StateModel &model = m_session.model();
    const std::uint64_t markNs = data.originNs() + std::uint64_t(m_markS * 1e9);
    const model::ModelState &cursor = m_session.cursorState();
    const std::uint64_t cursorNs = cursor.timeNs ? cursor.timeNs : model.lastTimeNs();
    const model::ModelState mark = model.stateAt(model.indexAtTime(markNs));
    const double seconds = (double(cursorNs) - double(markNs)) / 1e9;
    const double completions = double(cursor.dequeued) - double(mark.dequeued);
    return tr("Δt %1 ms · %2 completions%3")
        .arg(seconds * 1000, 0, 'f', 3)
        .arg(completions)
        .arg(seconds > 0 ? tr(" · %1/s").arg(qRound(completions / seconds)) : QString());
}

void TimelineView::onClick(QMouseEvent *event)
{
    // A click on a count row's label (left of the lanes) folds or unfolds that role's lanes.
    if (event->button() == Qt::LeftButton && event->position().x() < m_lanesRect->left()
        && event->position().y() >= m_lanesRect->top() && event->position().y() <= m_lanesRect->bottom()) {
        const int row = qRound(m_lanesRect->axis(QCPAxis::atLeft)->pixelToCoord(event->position().y()));
        const auto &rows = m_lanes->rows();
        if (row >= 0 && row < m_lanes->laneCount() && rows[std::size_t(row)].role >= 0) {
            const LaneRow &header = rows[std::size_t(row)];
            m_folding.folded[header.role] = !m_folding.isFolded(header.role, std::size_t(header.count));
            m_labelledLanes = -1;
            refresh();
            return;
        }
    }
    if (event->button() == Qt::RightButton) {
        setMark(std::max(0.0, m_lanesRect->axis(QCPAxis::atBottom)->pixelToCoord(event->position().x())));
        return;
    }
    if (event->button() != Qt::LeftButton || !(event->modifiers() & Qt::ShiftModifier))
        return; // plain drag pans; shift-click scrubs
    const double s = m_lanesRect->axis(QCPAxis::atBottom)->pixelToCoord(event->position().x());
    m_session.setCursorTime(m_session.timeline().originNs() + std::uint64_t(std::max(0.0, s) * 1e9));
}

} // namespace porthole::ui
