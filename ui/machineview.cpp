#include "machineview.h"

#include "lanerows.h"
#include "palette.h"
#include "session.h"
#include "socketgrid.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <map>

namespace porthole::ui {

MachineView::MachineView(Session &session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    setMinimumSize(360, 200);
    m_clock.start();
    connect(&session, &Session::frame, this, qOverload<>(&QWidget::update));
    m_flightTick.setSingleShot(true);
    m_flightTick.setInterval(Session::FrameMs * 3 / 2); // restarted at each paint: fires only between frames
    connect(&m_flightTick, &QTimer::timeout, this, qOverload<>(&QWidget::update));
}

void MachineView::setFontScale(double scale)
{
    m_fontScale = scale;
    update();
}

void MachineView::setHighlight(const QString &area)
{
    m_highlight = area;
    update();
}

int MachineView::threadAt(QPointF point) const
{
    for (const auto &[r, thread] : m_cards)
        if (r.contains(point))
            return int(thread);
    return -1;
}

void MachineView::mousePressEvent(QMouseEvent *event)
{
    if (const int thread = threadAt(event->position()); thread >= 0) {
        m_session.setSpotlight(m_session.spotlight() == thread ? -1 : thread);
        return;
    }
    QWidget::mousePressEvent(event);
}

void MachineView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), Palette::background());
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * m_fontScale);
    p.setFont(f);
    const QRectF all = QRectF(rect()).adjusted(8, 8, -8, -8);
    const double w = all.width();
    m_socketsArea = QRectF(all.left(), all.top(), w * 0.40, all.height());
    m_queueArea = QRectF(all.left() + w * 0.42, all.top(), w * 0.16, all.height());
    m_threadsArea = QRectF(all.left() + w * 0.60, all.top(), w * 0.40, all.height());
    paintSockets(p, m_socketsArea);
    paintQueue(p, m_queueArea);
    paintThreads(p, m_threadsArea);
    launchFlights();
    paintFlights(p);
    const QRectF framed = m_highlight == QLatin1String("sockets") ? m_socketsArea
                          : m_highlight == QLatin1String("queue") ? m_queueArea
                          : m_highlight == QLatin1String("threads") ? m_threadsArea
                                                                    : QRectF();
    if (!framed.isNull()) {
        p.setPen(QPen(Palette::highlight(), 4, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(framed.adjusted(-5, -5, 5, 5), 10, 10);
    }
}

void MachineView::launchFlights()
{
    const std::size_t now = m_session.cursorState().eventIndex;
    const auto &events = m_session.model().events();
    // Only forward steps of a live run or a replay animate; a jump of the cursor just redraws.
    if (now > m_lastIndex && now - m_lastIndex < 200000 && now <= events.size()) {
        const qint64 t = m_clock.elapsed();
        for (std::size_t i = m_lastIndex; i < now && m_flights.size() < MaxFlights; ++i) {
            const trace::Event &e = events[i];
            if (e.type == trace::EventType::OpCompleted)
                m_flights.push_back({false, e.thread, t});
            else if (e.type == trace::EventType::OpDequeued)
                m_flights.push_back({true, e.thread, t});
        }
    }
    m_lastIndex = now;
}

void MachineView::paintFlights(QPainter &p)
{
    const qint64 now = m_clock.elapsed();
    const qint64 duration = qint64(double(FlightMs) * std::min(m_session.slowMotion(), 20.0));
    std::erase_if(m_flights, [&](const Flight &f) { return now - f.startMs > duration; });
    const double d = 14 * m_fontScale;
    for (const Flight &f : m_flights) {
        const double k = double(now - f.startMs) / double(duration);
        const QPointF from = f.toThread ? m_queueExit : m_socketsExit;
        const QPointF to = f.toThread ? m_cardCentre.value(f.thread, m_queueExit) : m_queueEntry;
        const QPointF at = from + (to - from) * k;
        p.setPen(QPen(Palette::text(), Palette::lineWidth()));
        p.setBrush(f.toThread ? QColor(0xE6, 0x9F, 0x00) : QColor(0xF0, 0xE4, 0x42));
        p.drawEllipse(QRectF(at.x() - d / 2, at.y() - d / 2, d, d));
    }
    if (!m_flights.empty())
        m_flightTick.start(); // keep moving until they land: at the next frame, else soon after (never as fast as paints go)
}

void MachineView::paintSockets(QPainter &p, const QRectF &area)
{
    const auto &sockets = m_session.cursorState().sockets;
    const qreal line = p.fontMetrics().height();
    std::size_t pending = 0, completed = 0;
    for (auto s : sockets) {
        pending += s == model::SocketState::Pending;
        completed += s == model::SocketState::Completed;
    }
    p.setPen(Palette::text());
    p.drawText(QRectF(area.left(), area.top(), area.width(), line), Qt::AlignLeft,
               tr("Sockets with a receive on the port: %1").arg(sockets.size()));
    const QRectF grid = area.adjusted(0, line * 1.3, 0, -line * 2.6);
    m_socketsExit = QPointF(grid.right(), grid.center().y());
    if (sockets.empty() && m_session.scenario().sockets > 0) {
        // Epoll and thread per socket post no receive to a port: their waits show on the threads.
        const bool real = !m_session.scenario().realRuntime.isEmpty();
        p.drawText(grid, Qt::AlignCenter | Qt::TextWordWrap,
                   real ? tr("%1 sockets in the .NET process, waited on by its own I/O thread:\nPorthole observes its threads (/proc) and its callbacks,\nnot its sockets — see the threads")
                              .arg(m_session.scenario().sockets)
                        : tr("%1 sockets, no completion port:\nthis model waits with epoll or with a blocked thread per socket —\nsee the threads")
                              .arg(m_session.scenario().sockets));
    }
    if (!sockets.empty()) {
        // Square cells filling the area; each cell is one socket.
        const double cellArea = grid.width() * grid.height() / double(sockets.size());
        double cell = std::max(1.0, std::floor(std::sqrt(cellArea)));
        // Shrink until every row fits in the area.
        while (cell > 1 && std::ceil(double(sockets.size()) / std::max(1.0, std::floor(grid.width() / cell))) * cell > grid.height())
            cell -= 1;
        const int cols = std::max(1, int(grid.width() / cell));
        // Drawn in device pixels (an export at twice the size gets cells twice as many pixels wide).
        const double ratio = std::max(1.0, p.device()->devicePixelRatioF());
        const int cellPx = int(std::lround(cell * ratio));
        // Tiny cells (no gaps: they read as a texture) take taller rows, up to twice their width, to fill the height.
        const double rows = std::ceil(double(sockets.size()) / cols);
        const double rowHeight = cell >= 6 ? cell : std::clamp(std::floor(grid.height() / rows), cell, cell * 2);
        QImage cells = socketGridImage(sockets, cols, cellPx, cell >= 6 ? int(std::lround(ratio)) : 0, cell >= 6,
                                       int(std::lround(rowHeight * ratio)));
        cells.setDevicePixelRatio(double(cellPx) / cell);
        p.drawImage(QPointF(std::round(grid.left()), std::round(grid.top())), cells);
    }
    const auto legend = [&](double y, QColor colour, bool hatch, const QString &text) {
        const QRectF box(area.left(), y + 2, line * 0.8, line * 0.8);
        p.fillRect(box, colour);
        if (hatch)
            p.fillRect(box, QBrush(Qt::black, Qt::BDiagPattern));
        p.setPen(Palette::text());
        p.drawText(QPointF(area.left() + line, y + line * 0.8), text);
    };
    if (!sockets.empty()) { // models without a port have said so above
        legend(area.bottom() - line * 2.3, Palette::socket(model::SocketState::Pending), false, tr("receive pending: %1").arg(pending));
        legend(area.bottom() - line * 1.2, Palette::socket(model::SocketState::Completed), true, tr("data arrived: %1").arg(completed));
    }
}

void MachineView::paintQueue(QPainter &p, const QRectF &area)
{
    const model::ModelState &s = m_session.cursorState();
    const qreal line = p.fontMetrics().height();
    const bool emulated = runtime::needsPortFor(m_session.scenario().runtime.kind);
    QFont small = p.font();
    small.setPointSizeF(small.pointSizeF() * 0.75);
    // The height of `words` wrapped in the column's width (the badge's in its box, 8 px narrower).
    const auto heightIn = [&](const QFont &font, const QString &words, qreal width) {
        return QFontMetricsF(font).boundingRect(QRectF(0, 0, width, 1000), Qt::AlignHCenter | Qt::TextWordWrap, words).height();
    };
    const qreal badgeWidth = area.width() - 8;
    // The counts below the tube, as tall as their words need in this column (a narrow one wraps them to four lines).
    const QString counts =
        tr("CQ %1 · port %2\npending %3 · worker queue %4").arg(s.cqReady).arg(s.portQueue).arg(s.pendingOps).arg(s.workerQueue);
    // The title, and (FACTS §8) what is emulated: on Linux the port's LIFO wake and concurrency value are Porthole's.
    // Where that leaves the tube less than two lines (a short window, a side-by-side column), fewer words: the
    // emulation badge names the queue itself, and the title and counts are set small.
    QString title = tr("Completion queue");
    QString badgeText = emulated ? tr("IOCP contract, implemented by Porthole on io_uring") : QString();
    QFont titleFont = p.font(), countsFont = p.font();
    const qreal tubeRoom = area.height() - heightIn(titleFont, title, area.width()) -
                           (emulated ? heightIn(small, badgeText, badgeWidth) + 6 : 0) -
                           heightIn(countsFont, counts, area.width()) - line * 0.7;
    if (tubeRoom < line * 2) {
        if (emulated) {
            title.clear();
            badgeText = tr("Completion queue: Porthole's IOCP on io_uring");
        } else {
            titleFont = small;
        }
        countsFont = small;
    }
    const qreal titleHeight = title.isEmpty() ? 0 : heightIn(titleFont, title, area.width());
    p.setPen(Palette::text());
    if (!title.isEmpty()) {
        p.save();
        p.setFont(titleFont);
        p.drawText(QRectF(area.left(), area.top(), area.width(), titleHeight), Qt::AlignHCenter | Qt::TextWordWrap, title);
        p.restore();
    }
    qreal badge = 0;
    if (!badgeText.isEmpty()) {
        badge = heightIn(small, badgeText, badgeWidth) + 6;
        const QRectF at(area.left() + 2, area.top() + titleHeight + (title.isEmpty() ? 0 : line * 0.1), area.width() - 4, badge);
        p.save();
        p.setFont(small);
        p.setPen(QPen(Palette::text(), 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(at);
        p.drawText(at, Qt::AlignCenter | Qt::TextWordWrap, badgeText);
        p.restore();
    }
    const qreal countsHeight = heightIn(countsFont, counts, area.width()) + line * 0.2;
    const QRectF tube = area.adjusted(area.width() * 0.25, titleHeight + line * 0.3 + badge, -area.width() * 0.25, -countsHeight - line * 0.2);
    p.setPen(QPen(Palette::text(), 2 * Palette::lineWidth()));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(tube, 8, 8);
    m_queueEntry = QPointF(tube.center().x(), tube.bottom() - 10); // the kernel posts at the tail...
    m_queueExit = QPointF(tube.right(), tube.top() + 10);           // ...threads take from the head
    // One token per completion waiting (the CQ and the port queue), as many as fit; the count says the rest.
    const std::uint64_t waiting = s.cqReady + s.portQueue;
    const double d = std::min(tube.width() * 0.7, 22.0);
    const int fit = std::max(1, int((tube.height() - 8) / (d + 3)));
    const int shown = int(std::min<std::uint64_t>(waiting, std::uint64_t(fit)));
    for (int i = 0; i < shown; ++i) {
        const QRectF token(tube.center().x() - d / 2, tube.bottom() - 4 - (i + 1) * (d + 3), d, d);
        p.setBrush(i < int(std::min<std::uint64_t>(s.portQueue, std::uint64_t(fit))) ? QColor(0xE6, 0x9F, 0x00) : QColor(0xF0, 0xE4, 0x42));
        p.setPen(QPen(Palette::text(), Palette::lineWidth()));
        p.drawEllipse(token);
    }
    p.setPen(Palette::text());
    p.save();
    p.setFont(countsFont);
    p.drawText(QRectF(area.left(), area.bottom() - countsHeight, area.width(), countsHeight), Qt::AlignHCenter | Qt::TextWordWrap, counts);
    p.restore();
}

void MachineView::setShowPortholeThreads(bool show)
{
    m_showPortholeThreads = show;
    update();
}

void MachineView::paintThreads(QPainter &p, const QRectF &area)
{
    const model::ModelState &s = m_session.cursorState();
    const qreal line = p.fontMetrics().height();
    // The kernel's own io-wq workers are threads of the trace too: the sampler saw them in /proc.
    // Porthole's own threads (the scenario driver, the sampler) are not the lesson's: counted apart.
    std::vector<const model::ThreadView *> alive, kernelWorkers, own;
    for (const model::ThreadView &t : s.threads)
        if (t.alive)
            (t.role == trace::ThreadRole::KernelWorker ? kernelWorkers : t.role == trace::ThreadRole::Porthole ? own : alive).push_back(&t);
    m_threadsHeadline = kernelWorkers.empty() ? tr("Threads: %1").arg(alive.size())
                                              : tr("Threads: %1 + %2 kernel io-wq").arg(alive.size()).arg(kernelWorkers.size());
    if (!own.empty())
        m_threadsHeadline += tr("   (+ %1 of Porthole's own)").arg(own.size());
    p.setPen(Palette::text());
    p.drawText(QRectF(area.left(), area.top(), area.width(), line), Qt::AlignLeft, m_threadsHeadline);
    if (m_showPortholeThreads)
        alive.insert(alive.end(), own.begin(), own.end());
    const QRectF cards = area.adjusted(0, line * 1.3, 0, 0);
    m_cards.clear();
    const int spotlight = m_session.spotlight();
    // thread < 0: a card of a group or a kernel thread (never spotlit, dimmed while one thread is)
    const auto drawCard = [&](const QRectF &r, std::uint8_t state, const QString &title, const QString &detail, int thread) {
        const bool lit = spotlight >= 0 && thread == spotlight;
        p.setOpacity(spotlight >= 0 && !lit ? 0.3 : 1.0);
        if (thread >= 0)
            m_cards.emplace_back(r, std::uint32_t(thread));
        p.setPen(lit ? QPen(Palette::highlight(), 4) : QPen(Palette::text(), Palette::lineWidth()));
        p.setBrush(Palette::cardFill(state));
        p.drawRoundedRect(r, 6, 6);
        // On whole pixels: a fractional rectangle is filled antialiased, span by span, and Qt splits a fill of
        // 96 spans or more across its GUI thread pool and waits for it (QT_THREAD_PARALLEL_FILLS), behind the
        // run's busy threads: in live_ingest, ~100 such waits a second, up to 12 ms each, all from this stripe.
        const QRect stripe = QRectF(r.left(), r.top(), 8, r.height()).toRect();
        p.fillRect(stripe, QBrush(Palette::threadState(state), Qt::SolidPattern));
        p.fillRect(stripe, QBrush(Qt::black, Palette::threadPattern(state) == Qt::SolidPattern ? Qt::NoBrush : Palette::threadPattern(state)));
        p.setPen(Palette::text());
        const QRectF text = r.adjusted(12, 2, -4, -2);
        const QString both = title + QLatin1Char('\n') + detail;
        const QRectF needed = p.boundingRect(text, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, both);
        if (needed.height() <= text.height() && needed.width() <= text.width()) {
            p.drawText(text, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, both);
        } else { // does not fit (a long frame name, presenter mode): one line each, elided, never cut mid-glyph
            const QFontMetricsF fm = p.fontMetrics();
            p.drawText(text, Qt::AlignLeft | Qt::AlignTop, fm.elidedText(title, Qt::ElideRight, text.width()) + QLatin1Char('\n')
                                                            + fm.elidedText(detail, Qt::ElideLeft, text.width()));
        }
        p.setOpacity(1.0);
    };
    constexpr std::size_t MaxCards = 24;
    const trace::Vocabulary &names = m_session.model().vocabulary();
    if (alive.size() + kernelWorkers.size() <= MaxCards) {
        // As the lanes list them (Porthole's own last); only here: ten thousand threads are grouped below.
        for (auto *list : {&alive, &kernelWorkers})
            std::sort(list->begin(), list->end(), [](const auto *a, const auto *b) { return listedBefore(*a, *b); });
        const int cols = alive.size() > 8 ? 3 : 2;
        const double cw = cards.width() / cols, ch = std::min(line * 3.4, cards.height() / std::max<double>(1, std::ceil(double(alive.size()) / cols)));
        for (std::size_t i = 0; i < alive.size(); ++i) {
            const model::ThreadView &t = *alive[i];
            const QRectF r(cards.left() + double(i % cols) * cw, cards.top() + double(i / cols) * ch, cw - 4, ch - 4);
            const std::string_view frame = t.stack.empty() ? std::string_view() : names.frameLabel(t.stack.back().frame, m_session.model().string(t.stack.back().native));
            QString top = QString::fromUtf8(frame.data(), qsizetype(frame.size())).section(QLatin1Char('('), 0, 0).section(QLatin1Char('.'), -2);
            if (!t.stack.empty() && names.isReportedFrame(t.stack.back().frame)) // a runtime's own name, often compiler-made: its end on one line
                top = p.fontMetrics().elidedText(top, Qt::ElideLeft, int(r.width()) - 16);
            m_cardCentre[t.index] = QPointF(r.right() - r.height() * 0.3, r.center().y()); // tokens land clear of the text
            const QString who = t.role == trace::ThreadRole::Other || t.role == trace::ThreadRole::Porthole ? QString::fromStdString(t.name)
                                                                                                             : Palette::roleLabel(t.role);
            drawCard(r, std::uint8_t(t.state), QStringLiteral("%1 · %2").arg(who, Palette::threadStateLabel(std::uint8_t(t.state))),
                     top, int(t.index));
        }
        for (std::size_t k = 0; k < kernelWorkers.size(); ++k) {
            const std::size_t i = alive.size() + k;
            const QRectF r(cards.left() + double(i % cols) * cw, cards.top() + double(i / cols) * ch, cw - 4, ch - 4);
            const model::ThreadView &kw = *kernelWorkers[k];
            const bool running = kw.kernel.state == 'R';
            const std::string_view wchan = m_session.model().string(kw.kernel.wchan);
            const QString seen = !kw.kernel.state ? tr("state not observed yet")
                                 : running        ? tr("running")
                                                  : tr("state %1 %2").arg(QString(QLatin1Char(kw.kernel.state)), QString::fromUtf8(wchan.data(), qsizetype(wchan.size())));
            drawCard(r, std::uint8_t(!kw.kernel.state ? trace::ThreadState::NotObserved : running ? trace::ThreadState::Running : trace::ThreadState::Parked),
                     tr("%1 · kernel").arg(QString::fromStdString(kw.name)), tr("io-wq, tid %1, %2").arg(kw.osThreadId).arg(seen), -1);
        }
        return;
    }
    // Too many to draw one by one (thread per socket): one card per role and state, with the count.
    m_cardCentre.clear(); // grouped cards: tokens fly to the group's card
    std::map<std::pair<int, int>, int> groups;
    for (const model::ThreadView *t : alive)
        ++groups[{int(t->role), int(t->state)}];
    const double ch = std::min(line * 2.6, cards.height() / std::max<double>(1, double(groups.size())));
    int row = 0;
    for (const auto &[key, count] : groups) {
        const QRectF r(cards.left(), cards.top() + row++ * ch, cards.width() - 4, ch - 4);
        for (const model::ThreadView *t : alive)
            if (int(t->role) == key.first && int(t->state) == key.second)
                m_cardCentre[t->index] = r.center();
        drawCard(r, std::uint8_t(key.second), tr("%1 × %2").arg(count).arg(Palette::roleLabel(trace::ThreadRole(key.first))),
                 Palette::threadStateLabel(std::uint8_t(key.second)), -1);
    }
}

} // namespace porthole::ui
