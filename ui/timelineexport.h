#pragma once

#include <QSize>
#include <QString>

namespace porthole::ui {

class Session;

struct TimelinePicture {
    QSize size{1600, 900};  // the layout, in pixels (PNG) or points (SVG, PDF)
    QString title;
    double fromS = -1;      // seconds from the first event; < 0: the whole run
    double toS = -1;
    double pixelRatio = 1;  // PNG only: 2 draws the same layout with twice the pixels each way (high DPI)
    // For a slide: text sized for the back row (title 32 px, labels 20 px and more at 1080 px high), the
    // lesson's first claim as subtitle, and the claims' evidence marked where the run showed it.
    bool slide = false;
};

// The timeline as a picture for slides: PNG, SVG or PDF, with a title, the legend, the time axis
// and the scenario's name; the whole run, or a range of it (what is on screen, or a chosen one).
// Returns an empty string on success.
QString exportTimeline(Session &session, const QString &path, const TimelinePicture &picture);
// Two runs on one time axis (`porthole compare`): A above B, each half the height, the same range.
// The sessions share a time origin (Session::setTimeOrigin).
QString exportPairTimeline(Session &a, Session &b, const QString &labelA, const QString &labelB, const QString &path,
                           const TimelinePicture &picture);

// A picture's memory is bounded: 200x150 to 16000x16000 layout pixels, at most MaxPicturePixels in all.
inline constexpr double MaxPicturePixels = 40e6;
QString checkPictureSize(const QSize &size, double pixelRatio); // empty when fine

} // namespace porthole::ui
