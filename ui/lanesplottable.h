#pragma once

#include "session.h"

#include <qcustomplot.h>

#include <vector>

namespace porthole::ui {

// One row of the lanes: a thread's lane, or the collapsed group of Porthole's own threads.
struct LaneRow {
    int thread = -1;     // the trace's thread index; -1: the collapsed group row (drawn empty)
    bool dimmed = false; // Porthole's own: drawn faint, they are not the lesson
    QString label;
};

// Draws the visible, folded intervals of every row; nothing outside the visible range is touched.
// At the right end of each lesson thread's row: the callbacks it ran up to the cursor.
class LanesPlottable : public QCPAbstractPlottable
{
public:
    static constexpr int MaxLanes = 64;

    LanesPlottable(QCPAxis *keyAxis, QCPAxis *valueAxis, Session &session)
        : QCPAbstractPlottable(keyAxis, valueAxis), m_session(session)
    {
    }
    double selectTest(const QPointF &, bool, QVariant *) const override { return -1; }
    QCPRange getKeyRange(bool &found, QCP::SignDomain) const override
    {
        found = true;
        return {0, m_session.timeline().toSeconds(m_session.model().lastTimeNs())};
    }
    QCPRange getValueRange(bool &found, QCP::SignDomain, const QCPRange &) const override
    {
        found = true;
        return {-0.5, double(laneCount()) - 0.5};
    }
    int laneCount() const { return int(std::min<std::size_t>(m_rows.size(), MaxLanes)); }
    void setRows(std::vector<LaneRow> rows) { m_rows = std::move(rows); }
    const std::vector<LaneRow> &rows() const { return m_rows; }

protected:
    void draw(QCPPainter *painter) override;
    void drawLegendIcon(QCPPainter *, const QRectF &) const override {}

private:
    Session &m_session;
    std::vector<LaneRow> m_rows; // top to bottom
};

// The rows for these threads: the lesson's threads grouped by role (in order of first appearance),
// each numbered within its name in creation order (".NET ThreadPool IO #7 · tid 1234"); then
// Porthole's own threads, as one collapsed row or, when shown, dimmed lanes of their own.
std::vector<LaneRow> laneRowsFor(const std::vector<model::ThreadView> &threads, bool showPortholeThreads);

} // namespace porthole::ui
