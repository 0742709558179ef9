#pragma once

#include "model/modelstate.h"

#include <QBrush>
#include <QColor>
#include <QString>

namespace porthole::ui {

// Okabe–Ito colours (safe for colour-blind eyes); every state also has its own pattern or label.
struct Palette {
    static QColor threadState(std::uint8_t state); // a trace::ThreadState, or Interval::Mixed
    static Qt::BrushStyle threadPattern(std::uint8_t state);
    static QString threadStateLabel(std::uint8_t state);
    static QColor socket(model::SocketState state);
    static QString roleLabel(trace::ThreadRole role);
    static QColor background() { return QColor(0xfa, 0xfa, 0xfa); }
    static QColor text() { return QColor(0x20, 0x20, 0x20); }
};

} // namespace porthole::ui
