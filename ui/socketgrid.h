#pragma once

#include "model/modelstate.h"

#include <QImage>

#include <vector>

namespace porthole::ui {

// The sockets panel's cells as one image: each socket a square of `cellPx` device pixels (less `gapPx`
// between cells), `columns` to a row, coloured by its state; with `hatchArrived` a socket whose data
// arrived is hatched too (pattern, not colour alone: the caller says whether its cells are large enough). Written pixel by pixel:
// 10,000 sockets cost one image, not 10,000 fills (frame_ms at 10 M events: ~8 ms of which the fills
// were half).
// `rowPx` (0: `cellPx`) makes the rows taller than the cells are wide: tiny cells then fill a panel taller
// than square ones would (10,000 sockets at 1280×720 filled only the panel's upper half).
QImage socketGridImage(const std::vector<model::SocketState> &sockets, int columns, int cellPx, int gapPx, bool hatchArrived,
                       int rowPx = 0);

} // namespace porthole::ui
