#pragma once

#include <QString>

class QCustomPlot;

namespace porthole::ui {

class Session;
class TimelineView;

// A timeline picture made for a slide: text sized for the back row of a lecture hall (labels 20 px
// and more, at a picture 1080 px high), and each claim about threads or pending operations marked
// where the run showed it ("I/O threads: 9 — one more every 0.50 s"). Returns the subtitle: the
// lesson's first claim and what the run observed.
QString styleAsSlide(TimelineView &view, Session &session, double pixelsPer1080);

// Font point size that draws `pixels` high in a picture (its layout pixels are 1/96 inch).
double pointsForPixels(double pixels);

} // namespace porthole::ui
