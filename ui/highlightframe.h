#pragma once

#include <QPointer>
#include <QWidget>

namespace porthole::ui {

// A thick frame drawn over one widget (the walkthrough's "look here"); clicks pass through it.
class HighlightFrame : public QWidget
{
    Q_OBJECT

public:
    explicit HighlightFrame(QWidget *parent = nullptr);
    void frame(QWidget *target); // nullptr: hide
    QWidget *target() const { return m_target; }

protected:
    void paintEvent(QPaintEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QPointer<QWidget> m_target;
};

} // namespace porthole::ui
