#include "lanesplottable.h"

#include "palette.h"
#include "session.h"

namespace porthole::ui {

void LanesPlottable::draw(QCPPainter *painter)
{
    const auto &data = m_session.timeline();
    const QCPRange range = mKeyAxis->range();
    const double pxPerS = mKeyAxis->axisRect()->width() / std::max(1e-9, range.size());
    const auto toNs = [&](double s) { return data.originNs() + std::uint64_t(std::max(0.0, s) * 1e9); };
    // Nothing past the newest event: a thread's current state is drawn only as far as it is known.
    const std::uint64_t from = toNs(range.lower), to = std::min(toNs(range.upper), m_session.model().lastTimeNs());
    const std::uint64_t minWidth = std::uint64_t(2e9 / pxPerS); // 2 px
    const auto &lanes = data.lanes();
    const int spotlight = m_session.spotlight(); // lanes are in thread index order
    for (int lane = 0; lane < laneCount(); ++lane) {
        painter->setOpacity(spotlight >= 0 && lane != spotlight ? 0.25 : 1.0);
        const double y0 = mValueAxis->coordToPixel(lane - 0.4), y1 = mValueAxis->coordToPixel(lane + 0.4);
        for (const model::Interval &i : lanes[std::size_t(lane)].visible(from, to, minWidth)) {
            const double x0 = mKeyAxis->coordToPixel(data.toSeconds(i.start));
            const double x1 = std::max(x0 + 1, mKeyAxis->coordToPixel(data.toSeconds(i.end)));
            const QRectF r(QPointF(x0, y1), QPointF(x1, y0));
            painter->fillRect(r, Palette::threadState(i.state));
            if (Palette::threadPattern(i.state) != Qt::SolidPattern && r.width() > 6)
                painter->fillRect(r, QBrush(QColor(0, 0, 0, 90), Palette::threadPattern(i.state)));
        }
        if (lane == spotlight) {
            painter->setPen(QPen(Palette::highlight(), 2));
            painter->setBrush(Qt::NoBrush);
            painter->drawRect(QRectF(QPointF(mKeyAxis->axisRect()->left(), y1 - 2), QPointF(mKeyAxis->axisRect()->right(), y0 + 2)));
        }
    }
    painter->setOpacity(1.0);
}

} // namespace porthole::ui
