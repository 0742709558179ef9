#pragma once

#include <QSize>
#include <QString>

namespace porthole::ui {

class Session;

// The timeline as a picture for slides: PNG (any size), SVG or PDF, with a title, the
// legend, the time axis and the scenario's name; the whole run, or seconds [fromS, toS] of it (what is
// on screen, or a chosen range). Returns an empty string on success.
QString exportTimeline(Session &session, const QString &path, QSize size, const QString &title, double fromS = -1, double toS = -1);

} // namespace porthole::ui
