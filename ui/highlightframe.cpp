#include "highlightframe.h"

#include "palette.h"

#include <QEvent>
#include <QPainter>

namespace porthole::ui {

HighlightFrame::HighlightFrame(QWidget *parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    hide();
}

void HighlightFrame::frame(QWidget *target)
{
    if (m_target)
        m_target->removeEventFilter(this);
    m_target = target;
    if (!target) {
        hide();
        return;
    }
    setParent(target); // drawn on top of the target, moves and resizes with it
    target->installEventFilter(this);
    setGeometry(target->rect());
    raise();
    show();
}

bool HighlightFrame::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_target && event->type() == QEvent::Resize) {
        setGeometry(m_target->rect());
        raise();
    }
    return false;
}

void HighlightFrame::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(Palette::highlight(), 5, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(QRectF(rect()).adjusted(3, 3, -3, -3), 8, 8);
}

} // namespace porthole::ui
