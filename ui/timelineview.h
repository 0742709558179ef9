#pragma once

#include "lanerows.h"
#include "trace/event.h"

#include <QWidget>

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

class QCustomPlot;
class QCPAxis;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPLegend;

namespace porthole::ui {

class Session;
class LanesPlottable;

// The timeline (QCustomPlot): a lane per thread (state bars, folded below 2 px), and graphs of
// queue depth, pending operations, thread count and completions/s. Follows live; wheel zooms,
// drag pans, a click puts the cursor there (every view then shows that moment).
class TimelineView : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineView(Session &session, QWidget *parent = nullptr);
    QCustomPlot *plot() const { return m_plot; }
    void zoom(double factor);  // < 1 zooms in
    void pan(double fraction); // of the visible range
    void setWindowSeconds(double seconds) { m_windowS = seconds; }
    void showWholeRun(); // the time axis from the first event to the last
    void showRange(double fromS, double toS); // seconds from the first event
    double visibleFromS() const;
    double visibleToS() const;
    void applyTheme(); // colours from Palette's theme, fonts from the widget's font
    // Range measure: from a mark to the cursor, the time and the completions between them.
    void setMark(double seconds);
    // Porthole's own threads: one collapsed row (the default) or dimmed lanes of their own.
    void setShowPortholeThreads(bool show);
    std::vector<QCPAxisRect *> rects() const; // top to bottom, one time axis
    QCPAxisRect *threadsRect() const { return m_threadsRect; }
    // Where the lanes are drawn in the plot, and the middle of a row: for a test to look at the pixels.
    QRect lanesArea() const;
    int rowCenterY(int row) const;
    QCPAxisRect *graphsRect() const { return m_graphsRect; }
    QString measureText() const;
    // Side by side: while following live, the time axis ends where `endS` says (the later of two runs),
    // so both timelines show the same seconds.
    void setLiveEnd(std::function<double()> endS) { m_liveEnd = std::move(endS); }
    void setVisibleRange(double fromS, double toS); // as a drag or zoom would: no-op when already there
    // Side by side: each chart's value axis reaches at least this far, so two runs share one scale.
    struct ScaleFloor {
        double threads = 0, queue = 0, rate = 0;
    };
    void setScaleFloor(ScaleFloor floor) { m_scaleFloor = floor; }
    static ScaleFloor scaleOf(const Session &session); // the largest values this session's charts show
    void removeKeys(); // the colour keys: the timeline beside another that shows them
    void setChartShares(double lanes, double threads, double graphs); // of the height, by stretch factor
    // Two timelines one above the other line their time axes up: the wider of their left margins for both.
    int axisLeftMargin() const;
    void setMinimumAxisLeftMargin(int pixels);

signals:
    void visibleRangeChanged(double fromS, double toS); // the user (or the view following live) moved the time axis

protected:
    void changeEvent(QEvent *event) override;

private:
    void refresh();
    void labelLanes();   // timelineview_axes.cpp
    void fitValueAxes(); // timelineview_axes.cpp
    double updateGraphs(); // timelineview_graphs.cpp; returns the newest event's time, in seconds of the run
    void onClick(QMouseEvent *event);
    // The coarsest level of detail of a series finer than a pixel of the visible range (model::Series).
    std::size_t levelFor(double resolutionS, std::size_t coarserLevels) const;
    bool levelsStale() const; // the visible range changed what level a graph should draw

    Session &m_session;
    QCustomPlot *m_plot = nullptr;
    QCPAxisRect *m_lanesRect = nullptr;
    QCPAxisRect *m_threadsRect = nullptr; // the lesson's threads, and how many are in each state
    QCPAxisRect *m_graphsRect = nullptr;
    LanesPlottable *m_lanes = nullptr;
    QCPGraph *m_queue = nullptr, *m_pending = nullptr, *m_threads = nullptr, *m_rate = nullptr;
    static constexpr int StateCount = int(trace::ThreadState::Last) + 1;
    QCPGraph *m_inState[StateCount] = {}; // the lesson's threads in each state
    QCPItemText *m_moreLanes = nullptr;
    QCPLegend *m_legend = nullptr;
    std::vector<QCPItemStraightLine *> m_cursors; // one per rect
    QCPItemStraightLine *m_mark = nullptr; // right-click: the other end of a range measure
    QCPItemText *m_measure = nullptr;
    double m_markS = -1;
    double m_windowS = 10;
    int m_labelledLanes = -1;
    int m_labelledHeight = -1; // of the lanes' rect when its rows were labelled
    std::vector<std::pair<QCPAxis *, QString>> m_valueLabels; // the charts' value axes and their names
    static constexpr int MinLabelledRows = 6, MinLabelledRowPx = 13;
    bool m_showPortholeThreads = false;
    LaneFolding m_folding; // which roles' lanes are folded into their count row
    std::uint64_t m_plottedOrigin = 0;
    std::function<double()> m_liveEnd;
    ScaleFloor m_scaleFloor;
    std::vector<std::pair<QCPGraph *, double>> m_extensions; // the step graphs' points at the newest event
    std::map<const QCPGraph *, std::size_t> m_levels; // which level of its series each graph holds
    bool m_refreshQueued = false;
};

} // namespace porthole::ui
