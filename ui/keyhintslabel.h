#pragma once

#include <QLabel>
#include <QStringList>

namespace porthole::ui {

// A line of key hints (rich text, one item per key): as many whole items as the width holds, most
// important first. A narrow window drops the last items instead of cutting one in the middle.
class KeyHintsLabel : public QLabel
{
    Q_OBJECT

public:
    explicit KeyHintsLabel(QStringList items, QWidget *parent = nullptr);
    int shownItems() const { return m_shown; }

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override; // a new font: fit again

private:
    void fit();

    QStringList m_items;
    int m_shown = 0;
};

} // namespace porthole::ui
