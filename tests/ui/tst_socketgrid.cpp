// The sockets panel's cells: one square per socket, in order, coloured by its state, with a gap between
// cells and the hatch on sockets whose data arrived, as the panel asks.

#include "palette.h"
#include "socketgrid.h"

#include <QTest>

using namespace porthole;
using model::SocketState;

class TestSocketGrid : public QObject
{
    Q_OBJECT

private slots:
    void everySocketIsItsCell()
    {
        const std::vector<SocketState> sockets{SocketState::Pending, SocketState::Completed, SocketState::Idle,
                                               SocketState::Completed, SocketState::Pending};
        const QImage image = ui::socketGridImage(sockets, 3, 8, 1, true);
        QCOMPARE(image.size(), QSize(24, 16)); // 3 columns, 2 rows of 8-pixel cells
        for (std::size_t i = 0; i < sockets.size(); ++i) {
            const int x0 = int(i % 3) * 8, y0 = int(i / 3) * 8;
            const QColor colour = ui::Palette::socket(sockets[i]);
            int coloured = 0, hatched = 0;
            for (int y = y0; y < y0 + 7; ++y)
                for (int x = x0; x < x0 + 7; ++x) {
                    const QColor pixel = image.pixelColor(x, y);
                    coloured += pixel == colour;
                    hatched += pixel == QColor(Qt::black);
                }
            QCOMPARE(coloured + hatched, 49);                                  // the cell, all of it
            QCOMPARE(hatched > 0, sockets[i] == SocketState::Completed);       // arrived: hatched too
            QCOMPARE(image.pixelColor(x0 + 7, y0 + 3).alpha(), 0);             // the gap
        }
        QCOMPARE(image.pixelColor(3 * 8 - 1, 15).alpha(), 0); // after the last socket: nothing
    }

    void smallCellsHaveNoGapNorHatch()
    {
        const std::vector<SocketState> sockets(10'000, SocketState::Completed);
        const QImage image = ui::socketGridImage(sockets, 100, 2, 0, false);
        QCOMPARE(image.size(), QSize(200, 200));
        const QColor arrived = ui::Palette::socket(SocketState::Completed);
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 3)
                QCOMPARE(image.pixelColor(x, y), arrived);
        QVERIFY(ui::socketGridImage({}, 10, 4, 1, true).isNull());
    }

    void tallerRowsFillTheHeight()
    {
        // 2-pixel cells in 3-pixel rows: the panel's height filled, every socket still a cell of its own.
        std::vector<SocketState> sockets(250, SocketState::Pending);
        sockets[101] = SocketState::Completed; // row 1, column 1
        const QImage image = ui::socketGridImage(sockets, 100, 2, 0, false, 3);
        QCOMPARE(image.size(), QSize(200, 9)); // 3 rows of 3 pixels
        const QColor arrived = ui::Palette::socket(SocketState::Completed);
        for (int y = 3; y < 6; ++y)
            for (int x = 2; x < 4; ++x)
                QCOMPARE(image.pixelColor(x, y), arrived);
        QCOMPARE(image.pixelColor(2, 2), ui::Palette::socket(SocketState::Pending)); // the row above: socket 1
        QCOMPARE(image.pixelColor(2, 6), ui::Palette::socket(SocketState::Pending)); // the row below: socket 201
        QCOMPARE(image.pixelColor(199, 8).alpha(), 0); // after the last socket: nothing
    }
};

QTEST_GUILESS_MAIN(TestSocketGrid)
#include "tst_socketgrid.moc"
