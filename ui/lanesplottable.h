#pragma once

#include "session.h"

#include <qcustomplot.h>

namespace porthole::ui {


// Draws the visible, folded intervals of every lane; nothing outside the visible range is touched.
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
    int laneCount() const { return int(std::min<std::size_t>(m_session.timeline().lanes().size(), MaxLanes)); }

protected:
    void draw(QCPPainter *painter) override;
    void drawLegendIcon(QCPPainter *, const QRectF &) const override {}

private:
    Session &m_session;
};


} // namespace porthole::ui
