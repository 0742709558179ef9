#pragma once

#include <QWidget>

#include <cstdint>

class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;

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

private:
    void refresh();
    void onClick(QMouseEvent *event);

    Session &m_session;
    QCustomPlot *m_plot = nullptr;
    QCPAxisRect *m_lanesRect = nullptr;
    QCPAxisRect *m_graphsRect = nullptr;
    LanesPlottable *m_lanes = nullptr;
    QCPGraph *m_queue = nullptr, *m_pending = nullptr, *m_threads = nullptr, *m_rate = nullptr;
    QCPItemStraightLine *m_cursorLanes = nullptr, *m_cursorGraphs = nullptr;
    double m_windowS = 10;
    int m_labelledLanes = -1;
    std::uint64_t m_plottedOrigin = 0;
};

} // namespace porthole::ui
