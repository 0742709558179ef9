#include "scenario/claims.h"

#include "trace/vocabulary.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace porthole::scenario {

namespace {

const QStringList Ops = {QStringLiteral("=="), QStringLiteral("!="), QStringLiteral("<="),
                         QStringLiteral(">="), QStringLiteral("<"),  QStringLiteral(">")};

const QStringList Roles = {QStringLiteral("io"), QStringLiteral("worker"), QStringLiteral("poller"),
                           QStringLiteral("event_loop"), QStringLiteral("socket_thread"), QStringLiteral("timer")};
const QStringList Frames = {QStringLiteral("dispatch"), QStringLiteral("perform_io")};

trace::ThreadRole roleOf(const QString &role)
{
    if (role == QLatin1String("io"))
        return trace::ThreadRole::IoCompletion;
    if (role == QLatin1String("worker"))
        return trace::ThreadRole::Worker;
    if (role == QLatin1String("poller"))
        return trace::ThreadRole::Poller;
    if (role == QLatin1String("event_loop"))
        return trace::ThreadRole::EventLoop;
    if (role == QLatin1String("timer"))
        return trace::ThreadRole::Timer;
    return trace::ThreadRole::Other; // socket_thread
}

QString roleMetric(const QString &role)
{
    if (role == QLatin1String("io"))
        return QStringLiteral("io_threads");
    if (role == QLatin1String("worker"))
        return QStringLiteral("workers");
    if (role == QLatin1String("poller"))
        return QStringLiteral("pollers");
    if (role == QLatin1String("event_loop"))
        return QStringLiteral("event_loops");
    if (role == QLatin1String("timer"))
        return QStringLiteral("timer_threads");
    return QStringLiteral("socket_threads");
}

bool compare(double observed, const QString &op, double value)
{
    constexpr double eps = 1e-9;
    if (op == QLatin1String("=="))
        return std::fabs(observed - value) < eps;
    if (op == QLatin1String("!="))
        return std::fabs(observed - value) >= eps;
    if (op == QLatin1String("<="))
        return observed <= value + eps;
    if (op == QLatin1String(">="))
        return observed >= value - eps;
    if (op == QLatin1String("<"))
        return observed < value;
    return observed > value;
}

} // namespace

ClaimParse parseClaim(const QString &expression)
{
    static const QRegularExpression pattern(QStringLiteral(
        R"(^\s*([a-z_]+)\s*(?:\(\s*([a-z_]+)\s*(?:,\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s)\s*)?\))?\s*(==|!=|<=|>=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$)"));
    const QRegularExpressionMatch m = pattern.match(expression);
    const QString metrics = metricNames().join(QStringLiteral(", "));
    if (!m.hasMatch())
        return {std::nullopt, QStringLiteral("cannot read the claim '%1': write TERM OP NUMBER, for example "
                                             "'max(extra_threads) == 0' (OP is one of %2)")
                                  .arg(expression, Ops.join(QLatin1Char(' ')))};
    ParsedClaim claim;
    const QString head = m.captured(1);
    const QString arg = m.captured(2);
    claim.op = m.captured(5);
    claim.value = m.captured(6).toDouble();
    const bool hasWindow = !m.captured(3).isEmpty();
    const auto fail = [&](const QString &why) { return ClaimParse{std::nullopt, QStringLiteral("in the claim '%1': %2").arg(expression, why)}; };

    if (arg.isEmpty()) {
        if (!metricValue({}, head))
            return fail(QStringLiteral("unknown metric '%1'; the metrics are: %2").arg(head, metrics));
        claim.metric = head;
        return {claim, {}};
    }
    if (head == QLatin1String("max") || head == QLatin1String("min")) {
        if (!metricValue({}, arg) || hasWindow)
            return fail(QStringLiteral("%1() takes one metric: %2").arg(head, metrics));
        claim.aggregate = head == QLatin1String("max") ? ParsedClaim::Aggregate::Max : ParsedClaim::Aggregate::Min;
        claim.metric = arg;
        return {claim, {}};
    }
    if (head == QLatin1String("callbacks_on") || head == QLatin1String("thread_growth") || head == QLatin1String("cpu_ms")) {
        // Plurals read naturally too: thread_growth(workers, 3s), callbacks_on(pollers), io_threads.
        QString role = arg == QLatin1String("io_threads") ? QStringLiteral("io") : arg;
        if (role.endsWith(QLatin1Char('s')) && Roles.contains(role.chopped(1)))
            role.chop(1);
        if (!Roles.contains(role))
            return fail(QStringLiteral("%1() takes a thread role: %2").arg(head, Roles.join(QStringLiteral(", "))));
        claim.metric = role;
        if (head == QLatin1String("callbacks_on") || head == QLatin1String("cpu_ms")) {
            if (hasWindow)
                return fail(QStringLiteral("%1() takes only a role").arg(head));
            claim.aggregate = head == QLatin1String("cpu_ms") ? ParsedClaim::Aggregate::CpuMs : ParsedClaim::Aggregate::CallbacksOn;
            return {claim, {}};
        }
        if (!hasWindow)
            return fail(QStringLiteral("thread_growth() takes a role and a duration, as in thread_growth(workers, 3s)"));
        claim.aggregate = ParsedClaim::Aggregate::ThreadGrowth;
        claim.windowS = m.captured(3).toDouble() / (m.captured(4) == QLatin1String("ms") ? 1000.0 : 1.0);
        if (!(claim.windowS > 0 && claim.windowS <= 3600))
            return fail(QStringLiteral("thread_growth() takes a duration from 1ms to 3600s, as in thread_growth(workers, 3s)"));
        return {claim, {}};
    }
    if (head == QLatin1String("callbacks_under")) {
        if (!Frames.contains(arg) || hasWindow)
            return fail(QStringLiteral("callbacks_under() takes a frame: %1").arg(Frames.join(QStringLiteral(", "))));
        claim.aggregate = ParsedClaim::Aggregate::CallbacksUnder;
        claim.metric = arg;
        return {claim, {}};
    }
    return fail(QStringLiteral("unknown function '%1'; the functions are max, min, callbacks_on, callbacks_under, "
                               "thread_growth, cpu_ms")
                    .arg(head));
}

ClaimResult evaluateClaim(const QString &name, const ParsedClaim &claim, const QString &expression,
                          const MetricsHistory &history)
{
    ClaimResult result{name, expression, false, 0, true, QString()};
    if (history.isEmpty())
        return result;
    const MetricsSample &last = history.constLast();
    const auto value = [](const MetricsSample &s, const QString &metric) { return metricValue(s, metric).value_or(std::nan("")); };
    double observed = 0;
    switch (claim.aggregate) {
    case ParsedClaim::Aggregate::Last:
        observed = value(last, claim.metric);
        break;
    case ParsedClaim::Aggregate::Max:
    case ParsedClaim::Aggregate::Min: {
        // NaN (not measured) in any sample makes the aggregate not measured.
        const bool max = claim.aggregate == ParsedClaim::Aggregate::Max;
        observed = value(history.constFirst(), claim.metric);
        for (const MetricsSample &s : history) {
            const double v = value(s, claim.metric);
            observed = std::isnan(v) || std::isnan(observed) ? std::nan("") : max ? std::max(observed, v) : std::min(observed, v);
        }
        break;
    }
    case ParsedClaim::Aggregate::CallbacksOn:
        observed = last[trace::callbacksOnMetric(roleOf(claim.metric))];
        break;
    case ParsedClaim::Aggregate::CpuMs:
        observed = last[trace::cpuMsOnMetric(roleOf(claim.metric))];
        break;
    case ParsedClaim::Aggregate::CallbacksUnder:
        observed = last[claim.metric == QLatin1String("dispatch") ? trace::Metric::CallbacksUnderDispatch
                                                                   : trace::Metric::CallbacksUnderPerformIo];
        break;
    case ParsedClaim::Aggregate::ThreadGrowth: {
        // The largest rise of that role's thread count within any window of the given length.
        const QString metric = roleMetric(claim.metric);
        for (qsizetype i = 0; i < history.size(); ++i)
            for (qsizetype j = i + 1; j < history.size() && history[j].timeS - history[i].timeS <= claim.windowS + 1e-6; ++j)
                observed = std::max(observed, value(history[j], metric) - value(history[i], metric));
        break;
    }
    }
    result.observed = observed;
    result.measured = !std::isnan(observed);
    result.passed = result.measured && compare(observed, claim.op, claim.value);
    return result;
}

QList<ClaimResult> evaluateClaims(const QList<Claim> &claims, const MetricsHistory &history)
{
    QList<ClaimResult> results;
    for (const Claim &claim : claims) {
        const ClaimParse parsed = parseClaim(claim.expression);
        results << (parsed.claim ? evaluateClaim(claim.name, *parsed.claim, claim.expression, history)
                                 : ClaimResult{claim.name, claim.expression, false, 0, true, QString()});
        results.back().basis = claim.basis;
    }
    return results;
}

} // namespace porthole::scenario
