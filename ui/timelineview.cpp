#include "timelineview.h"

#include "lanesplottable.h"
#include "palette.h"
#include "session.h"

#include <qcustomplot.h>

namespace porthole::ui {

namespace {
QFont legendFontFor(QFont f)
{
    f.setPointSizeF(f.pointSizeF() * 0.85);
    return f;
}
} // namespace

TimelineView::TimelineView(Session &session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    m_plot = new QCustomPlot(this);
    // A solid graph line is drawn segment by segment: stroked as one polyline, a 2 px line of thousands
    // of points (a count that flips every bucket) became one huge polygon (frame_ms_100m: 15 ms, not 4).
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    // One paint buffer, not two: QCustomPlot buffers its "overlay" layer apart, for items redrawn without
    // the rest; nothing here is. Each buffer is cleared and blended onto the widget every frame.
    m_plot->layer(QStringLiteral("overlay"))->setMode(QCPLayer::lmLogical);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMinimumHeight(200);

    // Top to bottom: the lanes' key, the lanes, threads by state, the graphs' key, the graphs. Keys sit
    // outside the data, so they never hide a lane or a line.
    m_plot->plotLayout()->clear();
    m_lanesRect = new QCPAxisRect(m_plot);
    m_threadsRect = new QCPAxisRect(m_plot);
    m_graphsRect = new QCPAxisRect(m_plot);
    auto *laneKey = new QCPLegend;
    m_legend = new QCPLegend;
    // A key takes the width it needs, centred: empty cells on both sides take the rest.
    const auto centred = [this](int rowIndex, QCPLegend *legend) {
        auto *row = new QCPLayoutGrid;
        m_plot->plotLayout()->addElement(rowIndex, 0, row); // in the plot first: its cells get the plot too
        row->addElement(0, 0, new QCPLayoutElement(m_plot));
        row->addElement(0, 1, legend);
        row->addElement(0, 2, new QCPLayoutElement(m_plot));
        row->setColumnStretchFactors({1, 0.001, 1});
    };
    centred(0, laneKey);
    m_plot->plotLayout()->addElement(1, 0, m_lanesRect);
    m_plot->plotLayout()->addElement(2, 0, m_threadsRect);
    centred(3, m_legend);
    m_plot->plotLayout()->addElement(4, 0, m_graphsRect);
    m_plot->plotLayout()->setRowStretchFactors({0.001, 1.6, 0.55, 0.001, 0.75});
    m_plot->plotLayout()->setRowSpacing(2);
    auto *margins = new QCPMarginGroup(m_plot); // the rects share one time axis: line them up
    for (QCPAxisRect *r : rects()) {
        r->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        r->setRangeDrag(Qt::Horizontal);
        r->setRangeZoom(Qt::Horizontal);
        r->axis(QCPAxis::atRight)->setVisible(true);
        r->axis(QCPAxis::atRight)->setTickLabels(r == m_graphsRect);
        connect(r->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this, [this](const QCPRange &range) {
            for (QCPAxisRect *other : rects())
                if (other->axis(QCPAxis::atBottom)->range() != range)
                    other->axis(QCPAxis::atBottom)->setRange(range);
        });
    }
    connect(m_lanesRect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this, [this](const QCPRange &range) {
        emit visibleRangeChanged(range.lower, range.upper);
        // Zoomed out (or in) past a level of detail: the graphs take the level that range needs.
        if (!m_refreshQueued && levelsStale()) {
            m_refreshQueued = true;
            QMetaObject::invokeMethod(this, &TimelineView::refresh, Qt::QueuedConnection);
        }
    });
    m_lanesRect->axis(QCPAxis::atLeft)->setTicks(false);
    m_lanesRect->axis(QCPAxis::atRight)->setTicks(false);
    // The charts above the time axis have no labels above or below them: a few pixels apart, not the
    // margin an axis keeps for labels (in a short window those margins took the lanes' rows).
    for (QCPAxisRect *r : {m_lanesRect, m_threadsRect}) {
        r->setAutoMargins(QCP::msLeft | QCP::msRight);
        r->setMargins(QMargins(0, 3, 0, 3));
    }
    m_graphsRect->setAutoMargins(QCP::msLeft | QCP::msRight | QCP::msBottom); // the time axis's labels
    m_graphsRect->setMargins(QMargins(0, 3, 0, 0));
    // One time axis with numbers, under the last chart; the charts above keep its ticks and grid.
    m_lanesRect->axis(QCPAxis::atBottom)->setTickLabels(false);
    m_threadsRect->axis(QCPAxis::atBottom)->setTickLabels(false);
    m_threadsRect->axis(QCPAxis::atRight)->setTicks(false);
    // Threads, packets queued and operations pending are counts: no halves on their axes.
    for (QCPAxis *counts : {m_threadsRect->axis(QCPAxis::atLeft), m_graphsRect->axis(QCPAxis::atLeft)}) {
        auto whole = QSharedPointer<QCPAxisTickerFixed>::create();
        whole->setTickStep(1);
        whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        counts->setTicker(whole);
    }
    m_graphsRect->axis(QCPAxis::atBottom)->setLabel(tr("time (s)"));
    m_valueLabels = {{m_threadsRect->axis(QCPAxis::atLeft), tr("threads")},
                     {m_graphsRect->axis(QCPAxis::atLeft), tr("queue, pending")},
                     {m_graphsRect->axis(QCPAxis::atRight), tr("completions/s")}};

    m_lanes = new LanesPlottable(m_lanesRect->axis(QCPAxis::atBottom), m_lanesRect->axis(QCPAxis::atLeft), session);
    // Solid lines told apart by colour (Okabe-Ito: safe for colour-blind eyes) and the key. A dashed line
    // is stroked as a path, dash by dash: the dashed 'pending ops' and 'completions/s' took a live frame
    // ~2 ms of the fold's time (live_ingest 4.6 M events/s, solid: 5.4 M). Drawn in the order added.
    const auto addGraph = [&](QCPAxisRect *rect, QCPAxis *valueAxis, const QString &name, QColor colour) {
        QCPGraph *g = m_plot->addGraph(rect->axis(QCPAxis::atBottom), valueAxis);
        g->setName(name);
        g->setPen(QPen(colour, 2));
        g->setLineStyle(QCPGraph::lsStepLeft);
        // Steps are level and upright lines: antialiasing blurs them only, and its rasterizer costs a
        // frame 121 ms at 100 M events (a count flipping every bucket is a dense zigzag), 12 without.
        g->setAntialiased(false);
        g->removeFromLegend();
        return g;
    };
    QCPAxis *left = m_graphsRect->axis(QCPAxis::atLeft);
    // Pending ops first, so under the others: it is drawn broad (see applyTheme).
    m_pending = addGraph(m_graphsRect, left, tr("pending ops"), QColor(0x00, 0x72, 0xB2));
    m_queue = addGraph(m_graphsRect, left, tr("queue depth"), QColor(0xE6, 0x9F, 0x00));
    m_rate = addGraph(m_graphsRect, m_graphsRect->axis(QCPAxis::atRight), tr("completions/s"), QColor(0xCC, 0x79, 0xA7));
    // Threads on an axis of their own: the lesson's threads, and how many are in each state.
    m_threads = addGraph(m_threadsRect, m_threadsRect->axis(QCPAxis::atLeft), tr("threads of the lesson"), Palette::text());
    for (int st = 0; st < StateCount; ++st) {
        m_inState[st] = addGraph(m_threadsRect, m_threadsRect->axis(QCPAxis::atLeft),
                                 tr("threads %1").arg(Palette::threadStateLabel(std::uint8_t(st))),
                                 Palette::threadState(std::uint8_t(st)));
    }
    // The lanes' key: one entry per thread state, colour as the boxes and the thread lines draw them;
    // where states change faster than the zoom can draw, a box stacks their shares in these colours.
    laneKey->setWrap(2); // two rows, read down then across: the window stays narrow enough for 1280x720
    laneKey->setFillOrder(QCPLayoutGrid::foRowsFirst);
    laneKey->setMargins(QMargins(0, 8, 0, 0)); // clear of the highlight frame a walkthrough step draws round the view
    for (std::uint8_t st = 0; st < model::Interval::States; ++st) {
        QCPGraph *key = m_plot->addGraph(m_lanesRect->axis(QCPAxis::atBottom), m_lanesRect->axis(QCPAxis::atLeft));
        key->setName(Palette::threadStateLabel(st));
        key->setPen(QPen(Palette::threadState(st), 8));
        key->removeFromLegend();
        key->addToLegend(laneKey);
    }
    m_threads->addToLegend(laneKey);
    m_moreLanes = new QCPItemText(m_plot);
    m_moreLanes->setClipAxisRect(m_lanesRect);
    m_moreLanes->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_moreLanes->position->setAxisRect(m_lanesRect);
    m_moreLanes->position->setCoords(0.99, 0.98);
    m_moreLanes->setPositionAlignment(Qt::AlignBottom | Qt::AlignRight);
    m_moreLanes->setBrush(QColor(255, 255, 255, 220));
    m_moreLanes->setVisible(false);
    m_legend->setWrap(8);
    m_legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_legend->setMargins(QMargins(0, 0, 0, 0));
    for (QCPGraph *g : {m_queue, m_pending, m_rate})
        g->addToLegend(m_legend);
    for (QCPLegend *legend : {laneKey, m_legend}) {
        if (QCPPlottableLegendItem *stray = legend->itemWithPlottable(m_lanes))
            legend->removeItem(stray); // the lanes have no key entry (it was an empty cell)
        legend->setFillOrder(legend->fillOrder(), true); // laid out again, now that every entry is in
        legend->setLayer(QStringLiteral("legend"));
        legend->setRowSpacing(0);
        legend->setFont(legendFontFor(font()));
    }

    for (QCPAxisRect *r : rects()) {
        auto *line = new QCPItemStraightLine(m_plot);
        line->setPen(QPen(Qt::black, 1.5, Qt::DashLine));
        line->setClipAxisRect(r);
        for (auto *pos : {line->point1, line->point2})
            pos->setAxes(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
        m_cursors.push_back(line);
    }

    m_mark = new QCPItemStraightLine(m_plot);
    m_mark->setPen(QPen(QColor(0xD5, 0x5E, 0x00), 1.5, Qt::DashDotLine));
    m_mark->setClipAxisRect(m_lanesRect);
    for (auto *pos : {m_mark->point1, m_mark->point2})
        pos->setAxes(m_lanesRect->axis(QCPAxis::atBottom), m_lanesRect->axis(QCPAxis::atLeft));
    m_mark->setVisible(false);
    m_measure = new QCPItemText(m_plot);
    m_measure->setClipAxisRect(m_lanesRect);
    m_measure->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_measure->position->setAxisRect(m_lanesRect);
    m_measure->position->setCoords(0.5, 0.02);
    m_measure->setPositionAlignment(Qt::AlignTop | Qt::AlignHCenter);
    m_measure->setBrush(QColor(255, 255, 255, 220));
    m_measure->setPadding(QMargins(6, 3, 6, 3));
    m_measure->setVisible(false);

    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    applyTheme();
    connect(m_plot, &QCustomPlot::mousePress, this, &TimelineView::onClick);
    connect(&session, &Session::frame, this, &TimelineView::refresh);
}

void TimelineView::zoom(double factor)
{
    QCPAxis *x = m_lanesRect->axis(QCPAxis::atBottom);
    x->scaleRange(factor, x->range().center());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimelineView::pan(double fraction)
{
    QCPAxis *x = m_lanesRect->axis(QCPAxis::atBottom);
    x->moveRange(x->range().size() * fraction);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimelineView::showWholeRun()
{
    m_plot->replot(); // lay the rects out first: the lane labels depend on their height
    m_labelledLanes = -1;
    refresh();
    const auto &data = m_session.timeline();
    const double last = data.toSeconds(std::max(data.originNs(), m_session.model().lastTimeNs()));
    m_lanesRect->axis(QCPAxis::atBottom)->setRange(0, std::max(0.001, last));
    m_plot->replot();
}

void TimelineView::showRange(double fromS, double toS)
{
    m_plot->replot();
    m_labelledLanes = -1;
    refresh();
    m_lanesRect->axis(QCPAxis::atBottom)->setRange(fromS, std::max(fromS + 0.001, toS));
    m_plot->replot();
}

void TimelineView::setChartShares(double lanes, double threads, double graphs)
{
    QCPLayoutGrid *layout = m_plot->plotLayout();
    QList<double> factors;
    for (int row = 0; row < layout->rowCount(); ++row) {
        QCPLayoutElement *e = layout->element(row, 0);
        factors << (e == m_lanesRect ? lanes : e == m_threadsRect ? threads : e == m_graphsRect ? graphs : 0.001);
    }
    layout->setRowStretchFactors(factors);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int TimelineView::axisLeftMargin() const { return m_lanesRect->margins().left(); }

void TimelineView::setMinimumAxisLeftMargin(int pixels)
{
    for (QCPAxisRect *r : rects())
        if (r->minimumMargins().left() != pixels)
            r->setMinimumMargins(QMargins(pixels, 0, 0, 0));
}

void TimelineView::removeKeys()
{
    // Rows 3 and 0 hold the keys (bottom first: removing a row moves the ones below it up).
    QCPLayoutGrid *layout = m_plot->plotLayout();
    for (int row : {3, 0})
        if (QCPLayoutElement *key = layout->element(row, 0); key && !qobject_cast<QCPAxisRect *>(key))
            layout->remove(key);
    layout->simplify();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

TimelineView::ScaleFloor TimelineView::scaleOf(const Session &session)
{
    const auto &data = session.timeline();
    ScaleFloor f;
    f.threads = data.threadCount().maxValue;
    for (int st = 0; st < StateCount; ++st)
        f.threads = std::max(f.threads, data.threadsInState(std::uint8_t(st)).maxValue);
    f.queue = std::max(data.queueDepth().maxValue, data.pendingOps().maxValue);
    f.rate = data.completionsPerS().maxValue;
    return f;
}

void TimelineView::setVisibleRange(double fromS, double toS)
{
    QCPAxis *x = m_lanesRect->axis(QCPAxis::atBottom);
    if (x->range().lower == fromS && x->range().upper == toS)
        return;
    x->setRange(fromS, toS);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double TimelineView::visibleFromS() const { return m_lanesRect->axis(QCPAxis::atBottom)->range().lower; }
double TimelineView::visibleToS() const { return m_lanesRect->axis(QCPAxis::atBottom)->range().upper; }

void TimelineView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        applyTheme();
    QWidget::changeEvent(event);
}

void TimelineView::applyTheme()
{
    const QColor text = Palette::text();
    const double width = Palette::lineWidth();
    m_plot->setBackground(Palette::background());
    QFont tickFont = font();
    QFont labelFont = font();
    labelFont.setBold(Palette::theme() == Theme::HighContrast);
    for (QCPAxisRect *r : rects()) {
        for (QCPAxis *axis : r->axes()) {
            axis->setBasePen(QPen(text, width));
            axis->setTickPen(QPen(text, width));
            axis->setSubTickPen(QPen(text, width * 0.7));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
            axis->setTickLabelFont(tickFont);
            axis->setLabelFont(labelFont);
            axis->grid()->setPen(QPen(QColor(text.red(), text.green(), text.blue(), 50), 1, Qt::DotLine));
        }
    }
    const auto themeLegend = [&](QCPLegend *legend) {
        legend->setBrush(Palette::panel());
        legend->setTextColor(text);
        legend->setBorderPen(QPen(text, width));
        legend->setFont(legendFontFor(font()));
    };
    for (QCPLayoutElement *e : m_plot->plotLayout()->elements(true))
        if (auto *legend = qobject_cast<QCPLegend *>(e)) {
            themeLegend(legend);
            legend->setBorderPen(Qt::NoPen); // a key beside the data, not a box over it
            legend->setBrush(Qt::NoBrush);
        }
    m_threads->setPen(QPen(text, 2 * width));
    for (QCPItemText *label : {m_moreLanes, m_measure}) {
        label->setBrush(Palette::panel());
        label->setColor(text);
        label->setFont(font());
    }
    for (auto *line : m_cursors)
        line->setPen(QPen(text, 1.5 * width, Qt::DashLine));
    m_mark->setPen(QPen(Palette::highlight(), 1.5 * width, Qt::DashDotLine));
    std::vector<QCPGraph *> lines{m_queue, m_pending, m_threads, m_rate};
    lines.insert(lines.end(), std::begin(m_inState), std::end(m_inState));
    for (QCPGraph *g : lines) {
        QPen pen = g->pen();
        // Pending ops broad, under the other lines: where one runs at the same height (10,000 pending
        // receives and 20,000 completions/s on its own axis), it shows as a band round that line.
        pen.setWidthF((g == m_pending ? 6 : 2) * width);
        g->setPen(pen);
    }
    m_labelledLanes = -1; // lane labels take the new font
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TimelineView::setShowPortholeThreads(bool show)
{
    m_showPortholeThreads = show;
    m_labelledLanes = -1;
    refresh();
}

QRect TimelineView::lanesArea() const { return m_lanesRect->rect(); }

int TimelineView::rowCenterY(int row) const { return qRound(m_lanesRect->axis(QCPAxis::atLeft)->coordToPixel(row)); }

std::vector<QCPAxisRect *> TimelineView::rects() const { return {m_lanesRect, m_threadsRect, m_graphsRect}; }

void TimelineView::refresh()
{
    m_refreshQueued = false;
    const auto &data = m_session.timeline();
    const double own = updateGraphs();
    const double last = m_liveEnd ? std::max(own, m_liveEnd()) : own;
    const double cursor = m_session.cursorState().timeNs ? data.toSeconds(m_session.cursorState().timeNs) : own;
    if (m_session.isFollowingLive() && m_session.isRunning())
        m_lanesRect->axis(QCPAxis::atBottom)->setRange(std::max(0.0, last - m_windowS), std::max(m_windowS, last) + 0.2);
    labelLanes();
    fitValueAxes();
    double threadsMax = std::max(data.threadCount().maxValue, m_scaleFloor.threads);
    for (int st = 0; st < StateCount; ++st)
        threadsMax = std::max(threadsMax, data.threadsInState(std::uint8_t(st)).maxValue);
    m_threadsRect->axis(QCPAxis::atLeft)->setRange(0, std::max(2.0, threadsMax * 1.15));
    // The series know their largest values: no pass over every point to rescale.
    const double leftMax = std::max({data.queueDepth().maxValue, data.pendingOps().maxValue, m_scaleFloor.queue, 1.0});
    m_graphsRect->axis(QCPAxis::atLeft)->setRange(0, leftMax * 1.1);
    m_graphsRect->axis(QCPAxis::atRight)->setRange(0, std::max({data.completionsPerS().maxValue, m_scaleFloor.rate, 1.0}) * 1.1);
    for (QCPItemStraightLine *line : m_cursors) {
        line->point1->setCoords(cursor, 0);
        line->point2->setCoords(cursor, 1);
    }
    m_mark->setVisible(m_markS >= 0);
    m_measure->setVisible(m_markS >= 0);
    if (m_markS >= 0) {
        m_mark->point1->setCoords(m_markS, 0);
        m_mark->point2->setCoords(m_markS, 1);
        m_measure->setText(measureText());
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace porthole::ui
