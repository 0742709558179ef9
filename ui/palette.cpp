#include "palette.h"

#include "model/timeline.h"

namespace porthole::ui {

using trace::ThreadState;

namespace {
Theme g_theme = Theme::Light; // GUI thread only
}

void Palette::setTheme(Theme theme) { g_theme = theme; }
Theme Palette::theme() { return g_theme; }

QString Palette::themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::HighContrast: return QStringLiteral("high contrast");
    }
    return {};
}

QColor Palette::background()
{
    switch (g_theme) {
    case Theme::Light: break;
    case Theme::Dark: return QColor(0x1e, 0x1f, 0x22);
    case Theme::HighContrast: return Qt::black;
    }
    return QColor(0xfa, 0xfa, 0xfa);
}

QColor Palette::text()
{
    switch (g_theme) {
    case Theme::Light: break;
    case Theme::Dark: return QColor(0xe8, 0xe8, 0xe8);
    case Theme::HighContrast: return Qt::white;
    }
    return QColor(0x20, 0x20, 0x20);
}

QColor Palette::cardFill(std::uint8_t state)
{
    switch (g_theme) {
    case Theme::Light: break;
    case Theme::Dark: return threadState(state).darker(260);
    case Theme::HighContrast: return Qt::black;
    }
    return threadState(state).lighter(140);
}

QColor Palette::highlight()
{
    return g_theme == Theme::Light ? QColor(0xD5, 0x5E, 0x00) : QColor(0xF0, 0xE4, 0x42); // vermillion / yellow
}

QColor Palette::panel()
{
    switch (g_theme) {
    case Theme::Light: break;
    case Theme::Dark: return QColor(0x2b, 0x2d, 0x31, 230);
    case Theme::HighContrast: return QColor(0, 0, 0, 235);
    }
    return QColor(255, 255, 255, 220);
}

QColor Palette::threadState(std::uint8_t state)
{
    switch (ThreadState(state)) {
    case ThreadState::Running: return QColor(0x00, 0x9E, 0x73);       // bluish green
    case ThreadState::WaitingInPort: return QColor(0x56, 0xB4, 0xE9); // sky blue
    case ThreadState::Blocked: return QColor(0xD5, 0x5E, 0x00);       // vermillion
    case ThreadState::Parked: return QColor(0x99, 0x99, 0x99);
    case ThreadState::NotObserved: return QColor(0xC8, 0xC8, 0xC8);
    case ThreadState::HeldByPause: return QColor(0xF0, 0xE4, 0x42); // yellow
    }
    return QColor(0xCC, 0x79, 0xA7); // no state of this build (a newer trace's): reddish purple
}

Qt::BrushStyle Palette::threadPattern(std::uint8_t state)
{
    switch (ThreadState(state)) {
    case ThreadState::Running: return Qt::SolidPattern;
    case ThreadState::WaitingInPort: return Qt::Dense4Pattern;
    case ThreadState::Blocked: return Qt::BDiagPattern;
    case ThreadState::Parked: return Qt::Dense6Pattern;
    case ThreadState::NotObserved: return Qt::DiagCrossPattern;
    case ThreadState::HeldByPause: return Qt::VerPattern;
    }
    return Qt::CrossPattern;
}

QString Palette::threadStateLabel(std::uint8_t state)
{
    switch (ThreadState(state)) {
    case ThreadState::Running: return QStringLiteral("running");
    case ThreadState::WaitingInPort: return QStringLiteral("waiting in port");
    case ThreadState::Blocked: return QStringLiteral("blocked");
    case ThreadState::Parked: return QStringLiteral("parked");
    case ThreadState::NotObserved: return QStringLiteral("not observed");
    case ThreadState::HeldByPause: return QStringLiteral("held by pause");
    }
    return QStringLiteral("mixed");
}

QColor Palette::socket(model::SocketState state)
{
    switch (state) {
    case model::SocketState::Pending: return QColor(0x00, 0x72, 0xB2);   // blue: a receive waits
    case model::SocketState::Completed: return QColor(0xE6, 0x9F, 0x00); // orange: data arrived
    case model::SocketState::Idle: break;
    }
    return g_theme == Theme::Light ? QColor(0xDD, 0xDD, 0xDD) : QColor(0x55, 0x55, 0x55);
}

QString Palette::roleLabel(trace::ThreadRole role)
{
    switch (role) {
    case trace::ThreadRole::IoCompletion: return QStringLiteral("I/O");
    case trace::ThreadRole::Worker: return QStringLiteral("worker");
    case trace::ThreadRole::Poller: return QStringLiteral("poller");
    case trace::ThreadRole::EventLoop: return QStringLiteral("event loop");
    case trace::ThreadRole::Timer: return QStringLiteral("timer");
    case trace::ThreadRole::Gate: return QStringLiteral("gate");
    case trace::ThreadRole::KernelWorker: return QStringLiteral("iou-wrk");
    case trace::ThreadRole::Porthole: return QStringLiteral("Porthole");
    case trace::ThreadRole::Other: break;
    }
    return QStringLiteral("thread");
}

} // namespace porthole::ui
