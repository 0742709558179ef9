#pragma once

#include "model/modelstate.h"

#include <QBrush>
#include <QColor>
#include <QString>

namespace porthole::ui {

// Light for a screen, dark for a dim room, high contrast for a washed-out projector.
enum class Theme { Light, Dark, HighContrast };

// Okabe–Ito colours (safe for colour-blind eyes); every state also has its own pattern or label.
// The custom-painted views read the theme's colours from here on every paint.
struct Palette {
    static void setTheme(Theme theme);
    static Theme theme();
    static QString themeName(Theme theme);
    static QColor threadState(std::uint8_t state); // a trace::ThreadState, or Interval::Mixed
    static Qt::BrushStyle threadPattern(std::uint8_t state);
    static QString threadStateLabel(std::uint8_t state);
    static QColor socket(model::SocketState state);
    static QString roleLabel(trace::ThreadRole role);
    static QColor background();
    static QColor text();
    static QColor cardFill(std::uint8_t state); // a thread card's body; its stripe has the state's own colour
    static QColor highlight();                  // the walkthrough's frame and the spotlight's outline
    static QColor panel();                      // legends and labels over a plot
    static double lineWidth() { return theme() == Theme::HighContrast ? 2.5 : 1.0; }
};

} // namespace porthole::ui
