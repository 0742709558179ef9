// The key hints under the views: whole items only, as many as the width holds, most important first.

#include "keyhintslabel.h"

#include <QApplication>
#include <QTest>

using porthole::ui::KeyHintsLabel;

class TestKeyHints : public QObject
{
    Q_OBJECT

private slots:
    void aNarrowLabelDropsWholeItemsFromTheEnd()
    {
        const QStringList items{QStringLiteral("<b>Space</b> pause"), QStringLiteral("<b>L</b> live"),
                                QStringLiteral("click a thread: spotlight"), QStringLiteral("<b>F1</b> keys")};
        KeyHintsLabel label(items);
        label.show(); // a hidden widget gets its resize events only when shown
        label.resize(4000, label.sizeHint().height());
        QCOMPARE(label.shownItems(), 4);
        QCOMPARE(label.text(), items.join(QStringLiteral(" · ")));
        int last = 4;
        for (int width = 3000; width >= 20; width -= 10) {
            label.resize(width, label.height());
            QVERIFY(label.shownItems() <= last); // narrower never shows more
            last = label.shownItems();
            QCOMPARE(label.text(), items.mid(0, label.shownItems()).join(QStringLiteral(" · "))); // a prefix of whole items
        }
        QCOMPARE(last, 1); // the first item stays, even when nothing fits
        QVERIFY(label.toolTip().contains(QStringLiteral("F1"))); // every key, for whoever points at it
    }
};

QTEST_MAIN(TestKeyHints)
#include "tst_keyhints.moc"
