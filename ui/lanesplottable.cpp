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
    const auto &threads = m_session.cursorState().threads;
    const int spotlight = m_session.spotlight(); // a thread index
    QFont small = mParentPlot->font(); // the view's: larger in presenter mode and on slides
    small.setPointSizeF(small.pointSizeF() * 0.85);
    for (int lane = 0; lane < laneCount(); ++lane) {
        const LaneRow &row = m_rows[std::size_t(lane)];
        if (row.folded) {
            drawFoldedGroup(painter, lane, trace::ThreadRole(row.role), from, to);
            continue;
        }
        if (row.thread < 0 || std::size_t(row.thread) >= lanes.size())
            continue; // a count row above its lanes, or Porthole's collapsed group: the label says it
        painter->setOpacity(spotlight >= 0 && row.thread != spotlight ? 0.25 : row.dimmed ? 0.4 : 1.0);
        // y0 the row's bottom, y1 its top, whichever way the axis runs.
        const double ya = mValueAxis->coordToPixel(lane - 0.4), yb = mValueAxis->coordToPixel(lane + 0.4);
        const double y0 = std::max(ya, yb), y1 = std::min(ya, yb);
        for (const model::LaneBox &b : lanes[std::size_t(row.thread)].visible(from, to, minWidth)) {
            const double x0 = mKeyAxis->coordToPixel(data.toSeconds(b.start));
            const double x1 = std::max(x0 + 1, mKeyAxis->coordToPixel(data.toSeconds(b.end)));
            if (b.state != model::Interval::Mixed) {
                const QRectF r(QPointF(x0, y1), QPointF(x1, y0));
                painter->fillRect(r, Palette::threadState(b.state));
                if (Palette::threadPattern(b.state) != Qt::SolidPattern && r.width() > 6)
                    painter->fillRect(r, QBrush(QColor(0, 0, 0, 90), Palette::threadPattern(b.state)));
                continue;
            }
            // Too many changes for these pixels: each state's share of the time, stacked from the
            // bottom, so a loop that waits 95% of the time reads as mostly waiting at any zoom.
            double bottom = y0;
            for (std::size_t st = 0; st < b.share.size(); ++st) {
                const double h = (y0 - y1) * double(b.share[st]);
                if (h <= 0)
                    continue;
                painter->fillRect(QRectF(QPointF(x0, bottom - h), QPointF(x1, bottom)), Palette::threadState(std::uint8_t(st)));
                bottom -= h;
            }
        }
        // Who got the work: the callbacks this thread ran up to the cursor (the LIFO lesson in one glance).
        const auto runsCallbacks = [](trace::ThreadRole role) {
            return role != trace::ThreadRole::Gate && role != trace::ThreadRole::Timer && role != trace::ThreadRole::KernelWorker;
        };
        if (!row.dimmed && std::size_t(row.thread) < threads.size() && runsCallbacks(threads[std::size_t(row.thread)].role) && y0 - y1 >= 12) {
            const std::uint64_t n = threads[std::size_t(row.thread)].callbacks;
            const QString text = n == 1 ? QObject::tr("1 callback") : QObject::tr("%1 callbacks").arg(n);
            painter->setFont(small);
            const QRectF box = painter->fontMetrics().boundingRect(text).adjusted(-4, -1, 4, 1);
            const QRectF at(QPointF(mKeyAxis->axisRect()->right() - box.width() - 4, (y0 + y1 - box.height()) / 2), box.size());
            painter->setOpacity(1.0);
            painter->fillRect(at, Palette::panel());
            painter->setPen(Palette::text());
            painter->drawText(at, Qt::AlignCenter, text);
        }
        if (row.thread == spotlight) {
            painter->setPen(QPen(Palette::highlight(), 2));
            painter->setBrush(Qt::NoBrush);
            painter->drawRect(QRectF(QPointF(mKeyAxis->axisRect()->left(), y1 - 2), QPointF(mKeyAxis->axisRect()->right(), y0 + 2)));
        }
    }
    painter->setOpacity(1.0);
}

void LanesPlottable::drawFoldedGroup(QCPPainter *painter, int lane, trace::ThreadRole role, std::uint64_t from, std::uint64_t to)
{
    // A folded group: at each few pixels, its threads' states stacked by how many are in each.
    const auto &data = m_session.timeline();
    const double ya = mValueAxis->coordToPixel(lane - 0.4), yb = mValueAxis->coordToPixel(lane + 0.4);
    const double y0 = std::max(ya, yb), y1 = std::min(ya, yb);
    const double x0 = mKeyAxis->coordToPixel(data.toSeconds(from)), x1 = mKeyAxis->coordToPixel(data.toSeconds(to));
    constexpr double Step = 3; // pixels per column
    painter->setOpacity(1.0);
    for (double x = x0; x < x1; x += Step) {
        const double t = mKeyAxis->pixelToCoord(x + Step / 2);
        std::array<double, model::Interval::States> counts{};
        double total = 0;
        for (std::size_t st = 0; st < counts.size(); ++st)
            total += counts[st] = std::max(0.0, data.roleThreadsInState(role, std::uint8_t(st)).at(t));
        if (total <= 0)
            continue;
        double bottom = y0;
        for (std::size_t st = 0; st < counts.size(); ++st) {
            const double h = (y0 - y1) * counts[st] / total;
            if (h <= 0)
                continue;
            painter->fillRect(QRectF(QPointF(x, bottom - h), QPointF(std::min(x + Step, x1), bottom)), Palette::threadState(std::uint8_t(st)));
            bottom -= h;
        }
    }
}

} // namespace porthole::ui
