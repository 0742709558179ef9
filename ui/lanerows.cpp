#include "lanerows.h"

#include "palette.h"

#include <QObject>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>

namespace porthole::ui {

namespace {
QString groupLabel(trace::ThreadRole role)
{
    switch (role) {
    case trace::ThreadRole::IoCompletion: return QObject::tr("I/O completion threads");
    case trace::ThreadRole::Worker: return QObject::tr("worker threads");
    case trace::ThreadRole::Poller: return QObject::tr("poller threads");
    case trace::ThreadRole::EventLoop: return QObject::tr("event-loop threads");
    case trace::ThreadRole::Timer: return QObject::tr("timer threads");
    case trace::ThreadRole::Gate: return QObject::tr("gate threads");
    case trace::ThreadRole::KernelWorker: return QObject::tr("kernel io-wq threads");
    case trace::ThreadRole::Porthole: return QObject::tr("Porthole's own threads");
    case trace::ThreadRole::Other: break;
    }
    return QObject::tr("socket threads"); // Other: a thread blocked in recv on its own socket
}

// "poster 2" before "poster 10": runs of digits compare as numbers, the rest as text.
bool naturalLess(const std::string &a, const std::string &b)
{
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie])))
                ++ie;
            while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je])))
                ++je;
            const std::string_view x = std::string_view(a).substr(i, ie - i), y = std::string_view(b).substr(j, je - j);
            const std::string_view xs = x.substr(std::min(x.find_first_not_of('0'), x.size()));
            const std::string_view ys = y.substr(std::min(y.find_first_not_of('0'), y.size()));
            if (xs.size() != ys.size())
                return xs.size() < ys.size();
            if (xs != ys)
                return xs < ys;
            i = ie;
            j = je;
            continue;
        }
        if (a[i] != b[j])
            return a[i] < b[j];
        ++i;
        ++j;
    }
    return a.size() - i < b.size() - j;
}

// The threads that run callbacks first, then the ones that manage them; Porthole's own last.
constexpr std::array ListedRoles = {trace::ThreadRole::IoCompletion, trace::ThreadRole::Poller, trace::ThreadRole::EventLoop,
                                    trace::ThreadRole::Worker,       trace::ThreadRole::Other,  trace::ThreadRole::Timer,
                                    trace::ThreadRole::Gate,         trace::ThreadRole::KernelWorker};

std::size_t roleRank(trace::ThreadRole role)
{
    return std::size_t(std::find(ListedRoles.begin(), ListedRoles.end(), role) - ListedRoles.begin());
}
} // namespace

bool listedBefore(const model::ThreadView &a, const model::ThreadView &b)
{
    if (roleRank(a.role) != roleRank(b.role))
        return roleRank(a.role) < roleRank(b.role);
    if (a.name != b.name)
        return naturalLess(a.name, b.name);
    return a.index < b.index;
}

std::vector<LaneRow> laneRowsFor(const std::vector<model::ThreadView> &threads, bool showPortholeThreads, const LaneFolding &folding)
{
    std::map<std::string, int> perName;   // threads of each name so far
    std::map<std::string, int> ofName;
    for (const model::ThreadView &t : threads)
        if (t.osThreadId != 0 || !t.name.empty())
            ++ofName[t.name];
    std::vector<LaneRow> rows, own;
    std::map<int, std::vector<LaneRow>> byRole;
    for (std::size_t i = 0; i < threads.size(); ++i) {
        const model::ThreadView &t = threads[i];
        if (t.osThreadId == 0 && t.name.empty())
            continue; // an index no thread of the trace has
        const QString name = t.name.empty() ? Palette::roleLabel(t.role) : QString::fromStdString(t.name);
        const int number = ++perName[t.name];
        QString label = ofName[t.name] > 1 ? QStringLiteral("%1 #%2").arg(name).arg(number) : name;
        if (t.osThreadId > 0)
            label += QStringLiteral(" · tid %1").arg(t.osThreadId);
        LaneRow row{int(i), !model::isLessonRole(t.role) && t.role != trace::ThreadRole::KernelWorker, label};
        if (row.dimmed) {
            own.push_back(row);
            continue;
        }
        byRole[int(t.role)].push_back(row);
    }
    for (const trace::ThreadRole role : ListedRoles) {
        // Within a role by name, as listedBefore(); threads of one name in the order they appeared, as numbered.
        std::vector<LaneRow> &lanes = byRole[int(role)];
        std::sort(lanes.begin(), lanes.end(), [&](const LaneRow &a, const LaneRow &b) {
            return listedBefore(threads[std::size_t(a.thread)], threads[std::size_t(b.thread)]);
        });
        if (lanes.size() >= std::size_t(LaneFolding::GroupFrom)) {
            const bool folded = folding.isFolded(int(role), lanes.size());
            rows.push_back({-1, false,
                            QObject::tr("%1 %2: %3").arg(folded ? QStringLiteral("▸") : QStringLiteral("▾"), groupLabel(role)).arg(lanes.size()),
                            int(role), int(lanes.size()), folded});
            if (folded)
                continue; // the threads chart below counts them by state
        }
        rows.insert(rows.end(), lanes.begin(), lanes.end());
    }
    if (showPortholeThreads)
        rows.insert(rows.end(), own.begin(), own.end());
    else if (!own.empty())
        rows.push_back({-1, true, own.size() == 1 ? QObject::tr("Porthole's own: 1 thread (View menu)")
                                                  : QObject::tr("Porthole's own: %1 threads (View menu)").arg(own.size())});
    return rows;
}

} // namespace porthole::ui
