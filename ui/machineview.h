#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QPointF>
#include <QTimer>
#include <QWidget>


#include <vector>

namespace porthole::ui {

class Session;

// Sockets (a grid that stays readable at 10,000+) -> the completion queue -> the threads, as the
// cursor's state has them. Paints only what the model holds: nothing here is animated for show.
class MachineView : public QWidget
{
    Q_OBJECT

public:
    explicit MachineView(Session &session, QWidget *parent = nullptr);
    QSize sizeHint() const override { return {900, 420}; }
    void setFontScale(double scale);
    // The walkthrough points at a part: "sockets", "queue" or "threads" get a frame; anything else none.
    void setHighlight(const QString &area);
    QString highlight() const { return m_highlight; }
    int threadAt(QPointF point) const; // the thread whose card is there, as last painted; -1 = none
    // Porthole's own threads (driver, sampler) are not the lesson's: one dimmed card, unless shown.
    void setShowPortholeThreads(bool show);
    bool showsPortholeThreads() const { return m_showPortholeThreads; }
    QString threadsHeadline() const { return m_threadsHeadline; } // as last painted

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override; // a click on a thread card spotlights it (again: off)

private:
    void paintSockets(QPainter &p, const QRectF &area);
    void paintQueue(QPainter &p, const QRectF &area);
    void paintThreads(QPainter &p, const QRectF &area);
    void launchFlights();
    void paintFlights(QPainter &p);

    // A completion on its way: from the sockets into the queue (reaped), or from the queue to the
    // thread that dequeued it. Each one is a real event of the trace, shown for a moment.
    struct Flight {
        bool toThread = false;
        std::uint32_t thread = 0;
        qint64 startMs = 0;
    };
    static constexpr qint64 FlightMs = 350;
    static constexpr std::size_t MaxFlights = 12;

    Session &m_session;
    double m_fontScale = 1;
    QString m_highlight;
    QRectF m_socketsArea, m_queueArea, m_threadsArea;
    std::vector<std::pair<QRectF, std::uint32_t>> m_cards; // one thread's card -> its index, as last painted
    std::size_t m_lastIndex = 0;
    std::vector<Flight> m_flights;
    QElapsedTimer m_clock;
    QTimer m_flightTick; // moves flights on when no session frame comes for a while (a replay)
    QPointF m_socketsExit, m_queueEntry, m_queueExit;
    QHash<std::uint32_t, QPointF> m_cardCentre; // thread index -> its card, as last painted
    bool m_showPortholeThreads = false;
    QString m_threadsHeadline;
};

} // namespace porthole::ui
