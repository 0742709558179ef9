#include "callstackview.h"

#include "palette.h"
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

QString CallstackView::kernelWaitPoint(const model::ThreadView &t) const
{
    // What the sampler last read of this thread from /proc, recorded in the trace (so a replay has it too).
    if (!t.kernel.state)
        return {};
    const std::string_view wchan = m_session.model().string(t.kernel.wchan);
    QString where = wchan.empty() || wchan == "0" ? QString() : text(wchan);
    if (t.kernel.syscall >= 0)
        where += (where.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("syscall %1").arg(t.kernel.syscall);
    return tr("[kernel] state %1%2").arg(QString(QLatin1Char(t.kernel.state)), where.isEmpty() ? QString() : QStringLiteral(" · ") + where);
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
        if (const QString wait = kernelWaitPoint(t); !wait.isEmpty())
            new QTreeWidgetItem(item, {wait, tr("observed in /proc")});
        const trace::Vocabulary &names = m_session.model().vocabulary();
        for (auto frame = t.stack.rbegin(); frame != t.stack.rend(); ++frame) {
            new QTreeWidgetItem(item, {m_native ? text(m_session.model().string(frame->native)) : text(names.frameName(frame->frame)),
                                       m_native ? QString() : text(names.frameVersion(frame->frame))});
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
