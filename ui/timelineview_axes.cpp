// The timeline's axes: each lane row labelled with its thread, and the charts' value axes fitted to the
// room they have (ticks and names), so that a short window stays readable.

#include "timelineview.h"

#include "lanesplottable.h"
#include "palette.h"
#include "session.h"

#include <qcustomplot.h>

namespace porthole::ui {

// Each row says whose it is: the lesson's threads grouped by role and numbered, Porthole's last.
void TimelineView::labelLanes()
{
    const auto &threads = m_session.cursorState().threads;
    if (int(threads.size()) != m_labelledLanes || m_lanesRect->height() != m_labelledHeight) {
        m_labelledLanes = int(threads.size());
        m_labelledHeight = m_lanesRect->height(); // a resize labels them again
        m_lanes->setRows(laneRowsFor(threads, m_showPortholeThreads, m_folding));
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (int lane = 0; lane < m_lanes->laneCount(); ++lane)
            ticker->addTick(lane, m_lanes->rows()[std::size_t(lane)].label);
        QCPAxis *rowsAxis = m_lanesRect->axis(QCPAxis::atLeft);
        rowsAxis->setTicker(ticker);
        rowsAxis->setRangeReversed(true); // the first row on top
        // Rows too thin for a label each get smaller labels (the callstack view names every thread).
        QFont labels = font();
        labels.setBold(Palette::theme() == Theme::HighContrast);
        const double laneHeight = m_lanesRect->height() / double(std::max(1, m_lanes->laneCount()));
        labels.setPointSizeF(std::clamp(laneHeight * 0.55, 5.0, labels.pointSizeF()));
        rowsAxis->setTickLabelFont(labels);
        rowsAxis->setTickLabels(laneHeight >= 9); // unreadable below that
        rowsAxis->setTicks(true);
        rowsAxis->setSubTicks(false);
        // The first few rows keep room for a readable label even in a short window (at 1280x720 three
        // threads had 8 px a row): the charts below give up that height first.
        m_lanesRect->setMinimumSize(0, std::min(m_lanes->laneCount(), MinLabelledRows) * MinLabelledRowPx);
    }
    const std::size_t rows = m_lanes->rows().size();
    m_moreLanes->setVisible(rows > std::size_t(LanesPlottable::MaxLanes));
    if (m_moreLanes->visible())
        m_moreLanes->setText(tr("%1 lanes of %2 shown · the threads chart below counts every thread by state")
                                 .arg(LanesPlottable::MaxLanes)
                                 .arg(rows));
    m_lanesRect->axis(QCPAxis::atLeft)->setRange(-0.6, std::max(1, m_lanes->laneCount()) - 0.4);
}

// As many ticks on a chart's value axes as have room for their labels, half a line apart, and two at
// least (in a short window five overlapped), from the rects' heights at the last layout. An axis's
// name only where it fits along its chart (else it ran into the chart above); the keys above the
// charts name their lines too.
void TimelineView::fitValueAxes()
{
    for (const auto &[axis, label] : m_valueLabels) {
        const int room = axis->axisRect()->height() * 2 / (3 * QFontMetrics(axis->tickLabelFont()).height());
        axis->ticker()->setTickCount(std::clamp(room, 2, 5));
        const bool fits = QFontMetrics(axis->labelFont()).horizontalAdvance(label) <= axis->axisRect()->height();
        if (axis->label().isEmpty() == fits)
            axis->setLabel(fits ? label : QString());
    }
}

} // namespace porthole::ui
