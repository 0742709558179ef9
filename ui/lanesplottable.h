#pragma once

#include "lanerows.h"
#include "session.h"

#include <qcustomplot.h>

#include <vector>

namespace porthole::ui {

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
    void drawFoldedGroup(QCPPainter *painter, int lane, trace::ThreadRole role, std::uint64_t from, std::uint64_t to);

    Session &m_session;
    std::vector<LaneRow> m_rows; // top to bottom
};

} // namespace porthole::ui
