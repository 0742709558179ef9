#pragma once

#include <QWidget>

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

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void paintSockets(QPainter &p, const QRectF &area);
    void paintQueue(QPainter &p, const QRectF &area);
    void paintThreads(QPainter &p, const QRectF &area);

    Session &m_session;
    double m_fontScale = 1;
};

} // namespace porthole::ui
