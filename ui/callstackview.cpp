#include "callstackview.h"

#include "engine/threadinspector.h"
#include "palette.h"
#include "runtime/frames.h"
#include "session.h"

#include <QHeaderView>

namespace porthole::ui {

namespace {
QString text(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }
constexpr int MaxThreadsListed = 200;
} // namespace

CallstackView::CallstackView(Session &session, QWidget *parent)
    : QTreeWidget(parent)
    , m_session(session)
{
    setColumnCount(2);
    setHeaderLabels({tr("Thread / frame (innermost first)"), tr("Version")});
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    setUniformRowHeights(true);
    connect(&session, &Session::frame, this, &CallstackView::refresh);
}

void CallstackView::setNativeNames(bool native)
{
    m_native = native;
    refresh();
}

QString CallstackView::kernelWaitPoint(qint32 osThreadId)
{
    if (!m_session.isRunning() || !m_session.isFollowingLive())
        return {}; // a replayed moment: the kernel's view of it was not recorded
    if (!m_wchanAge.isValid() || m_wchanAge.elapsed() > 500) {
        m_wchan.clear();
        m_wchanAge.restart();
    }
    auto it = m_wchan.find(osThreadId);
    if (it == m_wchan.end()) {
        const engine::KernelThreadView view = engine::ThreadInspector::inspect(osThreadId);
        QString where = view.wchan.empty() ? QString() : QString::fromStdString(view.wchan);
        if (where.isEmpty() && !view.unreadable.empty())
            where = tr("(unreadable: %1)").arg(QString::fromStdString(view.unreadable.front()));
        it = m_wchan.insert(osThreadId, where);
    }
    return *it;
}

void CallstackView::refresh()
{
    if (!isVisible())
        return;
    const model::ModelState &state = m_session.cursorState();
    setUpdatesEnabled(false);
    clear();
    int listed = 0, alive = 0;
    const int spotlight = m_session.spotlight();
    QTreeWidgetItem *lit = nullptr;
    for (const model::ThreadView &t : state.threads) {
        if (!t.alive)
            continue;
        ++alive;
        if (listed >= MaxThreadsListed)
            continue;
        ++listed;
        auto *item = new QTreeWidgetItem(this);
        item->setText(0, QStringLiteral("%1 — %2 (tid %3) · %4")
                             .arg(QString::fromStdString(t.name), Palette::roleLabel(t.role))
                             .arg(t.osThreadId)
                             .arg(Palette::threadStateLabel(std::uint8_t(t.state))));
        item->setForeground(0, Palette::threadState(std::uint8_t(t.state)).darker(130));
        if (t.state != trace::ThreadState::Running) {
            const QString wait = kernelWaitPoint(t.osThreadId);
            if (!wait.isEmpty())
                new QTreeWidgetItem(item, {tr("[kernel] %1").arg(wait), tr("read live from /proc")});
        }
        for (auto frame = t.stack.rbegin(); frame != t.stack.rend(); ++frame) {
            const runtime::FrameInfo &info = runtime::frameInfo(runtime::FrameId(*frame));
            new QTreeWidgetItem(item, {m_native ? text(info.nativeName) : text(info.dotnetName), m_native ? QString() : text(info.version)});
        }
        // The spotlit thread is open and selected; while one is, the others fold away.
        item->setExpanded(spotlight >= 0 ? int(t.index) == spotlight : listed <= 12);
        if (int(t.index) == spotlight)
            lit = item;
    }
    if (lit) {
        setCurrentItem(lit);
        scrollToItem(lit, QAbstractItemView::PositionAtTop);
    }
    if (alive > listed)
        new QTreeWidgetItem(this, {tr("… and %1 more threads").arg(alive - listed)});
    setUpdatesEnabled(true);
}

} // namespace porthole::ui
