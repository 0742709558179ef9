#include "callstackview.h"

#include "palette.h"
#include "session.h"

#include <QHeaderView>

namespace porthole::ui {

namespace {
QString text(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }
constexpr int MaxThreadsListed = 200;

// "System.Threading.ThreadPoolWorkQueue.Dispatch()" -> "ThreadPoolWorkQueue.Dispatch()": the namespaces go
// first, so the type and the method always show whole; the arguments shrink to "(…)". The full name is
// the row's tooltip. A chain "A -> B" is shortened link by link.
QString shortDotnetName(const QString &full)
{
    QStringList links = full.split(QStringLiteral(" -> "));
    for (QString &link : links) {
        const qsizetype paren = link.indexOf(QLatin1Char('('));
        const QString args = paren < 0 ? QString() : (link.mid(paren) == QLatin1String("()") ? QStringLiteral("()") : QStringLiteral("(…)"));
        const QString name = paren < 0 ? link : link.left(paren);
        const QStringList parts = name.split(QLatin1Char('.'));
        link = (parts.size() > 2 ? parts.mid(parts.size() - 2).join(QLatin1Char('.')) : name) + args;
    }
    return links.join(QStringLiteral(" → "));
}

// "void porthole::runtime::WorkerPool::workerLoop(porthole::trace::ThreadReason)" -> "WorkerPool::workerLoop(…)".
QString shortNativeName(const QString &full)
{
    const qsizetype paren = full.indexOf(QLatin1Char('('));
    QString name = paren < 0 ? full : full.left(paren);
    name = name.mid(name.lastIndexOf(QLatin1Char(' ')) + 1);
    const QString tail = paren < 0 ? QString() : full.mid(paren);
    const QString args = tail.startsWith(QLatin1String("()")) ? QStringLiteral("()") : paren < 0 ? QString() : QStringLiteral("(…)");
    QStringList parts = name.split(QStringLiteral("::"));
    while (parts.size() > 2 && !parts.front().isEmpty())
        parts.removeFirst();
    return parts.join(QStringLiteral("::")) + args + (tail.contains(QLatin1String("<lambda")) ? QStringLiteral(" · a lambda") : QString());
}

QString stateWord(char state)
{
    switch (state) {
    case 'R': return QObject::tr("running");
    case 'S': return QObject::tr("sleeping");
    case 'D': return QObject::tr("waiting for the disk");
    case 'T':
    case 't': return QObject::tr("stopped");
    case 'Z': return QObject::tr("exited");
    case 'I': return QObject::tr("idle");
    default: return QObject::tr("state %1").arg(QLatin1Char(state));
    }
}
} // namespace

CallstackView::CallstackView(Session &session, QWidget *parent)
    : QTreeWidget(parent)
    , m_session(session)
{
    setColumnCount(2);
    setHeaderLabels({tr("Thread / frame (innermost first)"), tr(".NET version")});
    headerItem()->setToolTip(1, tr("The .NET versions whose thread pool shows this frame"));
    // The frame's name gets the room; the version column stays narrow (its full text is the tooltip).
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    header()->setSectionResizeMode(1, QHeaderView::Interactive);
    header()->resizeSection(1, fontMetrics().averageCharWidth() * 12);
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
    return tr("kernel: %1%2").arg(stateWord(t.kernel.state), where.isEmpty() ? QString() : tr(" in %1").arg(where));
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
        if (const QString wait = kernelWaitPoint(t); !wait.isEmpty()) {
            auto *kernel = new QTreeWidgetItem(item, {wait, QString()});
            kernel->setToolTip(0, tr("What the sampler read in /proc/self/task/%1 at that moment").arg(t.osThreadId));
        }
        const trace::Vocabulary &names = m_session.model().vocabulary();
        for (auto frame = t.stack.rbegin(); frame != t.stack.rend(); ++frame) {
            const QString native = text(m_session.model().string(frame->native)), dotnet = text(names.frameName(frame->frame));
            auto *row = new QTreeWidgetItem(item, {m_native ? shortNativeName(native) : shortDotnetName(dotnet),
                                                   m_native ? QString() : text(names.frameVersion(frame->frame))});
            row->setToolTip(0, tr("%1\n\nin this process: %2").arg(dotnet, native));
            row->setToolTip(1, text(names.frameVersion(frame->frame)));
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
