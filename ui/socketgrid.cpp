#include "socketgrid.h"

#include "palette.h"

#include <algorithm>
#include <array>

namespace porthole::ui {

QImage socketGridImage(const std::vector<model::SocketState> &sockets, int columns, int cellPx, int gapPx, bool hatchArrived, int rowPx)
{
    if (sockets.empty() || columns < 1 || cellPx < 1)
        return {};
    rowPx = std::max(rowPx, cellPx);
    const int rows = int((sockets.size() + std::size_t(columns) - 1) / std::size_t(columns));
    QImage image(columns * cellPx, rows * rowPx, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    std::array<QRgb, 3> colour{};
    for (const auto state : {model::SocketState::Idle, model::SocketState::Pending, model::SocketState::Completed})
        colour[std::size_t(state)] = qPremultiply(Palette::socket(state).rgba());
    const QRgb hatch = qRgb(0, 0, 0);
    const int filled = cellPx - gapPx, filledHeight = rowPx - gapPx;
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        const int x0 = int(i % std::size_t(columns)) * cellPx, y0 = int(i / std::size_t(columns)) * rowPx;
        const QRgb fill = colour[std::min<std::size_t>(std::size_t(sockets[i]), colour.size() - 1)];
        const bool lines = hatchArrived && sockets[i] == model::SocketState::Completed;
        for (int y = y0; y < y0 + filledHeight; ++y) {
            auto *row = reinterpret_cast<QRgb *>(image.scanLine(y));
            for (int x = x0; x < x0 + filled; ++x)
                row[x] = lines && (x + y) % 6 == 0 ? hatch : fill; // "/" lines, as Qt::BDiagPattern
        }
    }
    return image;
}

} // namespace porthole::ui
