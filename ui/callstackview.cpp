#include "callstackview.h"

#include "lanerows.h"
#include "palette.h"
#include "session.h"

#include <QHeaderView>
#include <QRegularExpression>

#include <algorithm>
#include <map>
#include <tuple>

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

// The vocabulary's version labels in a student's words: ".NET 6+" -> "since .NET 6", "all" -> "every version".
QString versionWords(const QString &version)
{
    if (version == QLatin1String("all"))
        return QObject::tr("every version");
    if (version == QLatin1String("-"))
        return QObject::tr("not .NET");
    QString words = version;
    static const QRegularExpression since(QStringLiteral("(\\.NET(?: Core)? [0-9.]+)\\+"));
    return words.replace(since, QStringLiteral("since \\1"));
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
    setHeaderLabels({tr("Threads / frame (innermost first)"), tr("In .NET")});
    headerItem()->setToolTip(1, tr("The .NET versions whose thread pool shows this frame"));
    headerItem()->setToolTip(0, tr("Threads with the same stack are merged into one node, as Visual Studio's Parallel Stacks does"));
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
    const trace::Vocabulary &names = m_session.model().vocabulary();
    // Like Parallel Stacks: threads with the same name, state and stack are one node.
    using Key = std::tuple<std::string, int, std::vector<model::StackFrame>>;
    std::map<Key, std::vector<const model::ThreadView *>> groups;
    std::vector<Key> order; // as the lanes list their first thread (listedBefore)
    std::vector<const model::ThreadView *> own; // Porthole's own threads: one folded node, last
    for (const model::ThreadView &t : state.threads) {
        if (!t.alive)
            continue;
        if (t.role == trace::ThreadRole::Porthole) {
            own.push_back(&t);
            continue;
        }
        Key key{t.name, int(t.state), t.stack};
        auto &members = groups[key];
        if (members.empty())
            order.push_back(key);
        members.push_back(&t);
    }
    std::sort(order.begin(), order.end(), [&](const Key &a, const Key &b) { return listedBefore(*groups[a].front(), *groups[b].front()); });
    setUpdatesEnabled(false);
    clear();
    int listed = 0;
    const int spotlight = m_session.spotlight();
    QTreeWidgetItem *lit = nullptr;
    for (const Key &key : order) {
        if (listed >= MaxThreadsListed)
            break;
        ++listed;
        const std::vector<const model::ThreadView *> &members = groups[key];
        const model::ThreadView &t = *members.front();
        QStringList tids;
        bool hasSpotlight = false;
        for (const model::ThreadView *m : members) {
            tids << QString::number(m->osThreadId);
            hasSpotlight = hasSpotlight || int(m->index) == spotlight;
        }
        auto *item = new QTreeWidgetItem(this);
        const QString who = QStringLiteral("%1 — %2").arg(QString::fromStdString(t.name), Palette::roleLabel(t.role));
        const QString stateText = Palette::threadStateLabel(std::uint8_t(t.state));
        item->setText(0, members.size() == 1 ? tr("%1 (tid %2) · %3").arg(who).arg(t.osThreadId).arg(stateText)
                                             : tr("%1 threads · %2 · %3").arg(members.size()).arg(who, stateText));
        item->setToolTip(0, members.size() == 1 ? tr("tid %1").arg(tids.front())
                                                : tr("%1 threads with this stack: tid %2").arg(members.size()).arg(tids.join(QStringLiteral(", "))));
        item->setForeground(0, Palette::threadState(std::uint8_t(t.state)).darker(130));
        // The kernel's word on them: one line when they all agree, else how many say what.
        std::map<QString, int> waits;
        for (const model::ThreadView *m : members)
            if (const QString wait = kernelWaitPoint(*m); !wait.isEmpty())
                ++waits[wait];
        for (const auto &[wait, count] : waits) {
            auto *kernel = new QTreeWidgetItem(item, {members.size() == 1 ? wait : tr("%1 × %2").arg(count).arg(wait), QString()});
            kernel->setToolTip(0, tr("What the sampler last read in /proc/self/task/TID"));
        }
        for (auto frame = t.stack.rbegin(); frame != t.stack.rend(); ++frame) {
            const std::string_view pushed = m_session.model().string(frame->native);
            const QString native = text(pushed), dotnet = text(names.frameLabel(frame->frame, pushed));
            const QString version = text(names.frameVersion(frame->frame));
            auto *row = new QTreeWidgetItem(item, {m_native ? shortNativeName(native) : shortDotnetName(dotnet),
                                                   m_native ? QString() : versionWords(version)});
            row->setToolTip(0, tr("%1\n\nin this process: %2").arg(dotnet, native));
            row->setToolTip(1, versionWords(version));
        }
        // The spotlit thread's node is open and selected; while one is, the others fold away.
        item->setExpanded(spotlight >= 0 ? hasSpotlight : listed <= 12);
        if (hasSpotlight)
            lit = item;
    }
    if (lit) {
        setCurrentItem(lit);
        scrollToItem(lit, QAbstractItemView::PositionAtTop);
    }
    if (listed < int(order.size()))
        new QTreeWidgetItem(this, {tr("… and %1 more stacks").arg(int(order.size()) - listed)});
    if (!own.empty()) {
        // Not the lesson: the scenario driver, the sampler. Folded, greyed, there for the curious.
        auto *group = new QTreeWidgetItem(this, {tr("Porthole's own threads: %1 (not the lesson's)").arg(own.size()), QString()});
        group->setForeground(0, Palette::threadState(std::uint8_t(trace::ThreadState::Parked)));
        for (const model::ThreadView *t : own) {
            auto *item = new QTreeWidgetItem(group, {tr("%1 (tid %2) · %3").arg(QString::fromStdString(t->name)).arg(t->osThreadId)
                                                         .arg(Palette::threadStateLabel(std::uint8_t(t->state))),
                                                     QString()});
            if (const QString wait = kernelWaitPoint(*t); !wait.isEmpty())
                new QTreeWidgetItem(item, {wait, QString()});
        }
        group->setExpanded(false);
    }
    setUpdatesEnabled(true);
}

} // namespace porthole::ui
