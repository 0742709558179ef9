#include "keyhintslabel.h"

#include <QEvent>
#include <QTextDocument>

namespace porthole::ui {

KeyHintsLabel::KeyHintsLabel(QStringList items, QWidget *parent)
    : QLabel(parent)
    , m_items(std::move(items))
{
    setTextFormat(Qt::RichText);
    setMinimumWidth(1);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    setContentsMargins(6, 2, 6, 2);
    setToolTip(m_items.join(QStringLiteral(" · ")));
    fit();
}

void KeyHintsLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    fit();
}

void KeyHintsLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        fit();
}

void KeyHintsLabel::fit()
{
    const int room = contentsRect().width();
    QTextDocument measure;
    measure.setDefaultFont(font());
    measure.setDocumentMargin(0);
    int shown = int(m_items.size());
    for (; shown > 1; --shown) {
        measure.setHtml(m_items.mid(0, shown).join(QStringLiteral(" · ")));
        if (measure.idealWidth() <= room)
            break;
    }
    m_shown = shown;
    setText(m_items.mid(0, shown).join(QStringLiteral(" · ")));
}

} // namespace porthole::ui
