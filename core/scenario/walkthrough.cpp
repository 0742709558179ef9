#include "walkthrough.h"

#include "scenario/claims.h"

#include <QHash>
#include <QSettings>

#include <algorithm>

namespace porthole::scenario {

Walkthrough::Walkthrough(const Scenario &scenario)
    : m_scenarioId(scenario.id)
    , m_steps(scenario.walkthrough)
{
    if (!m_steps.isEmpty())
        startStep();
}

void Walkthrough::goTo(int index)
{
    if (m_steps.isEmpty())
        return;
    m_current = std::clamp(index, 0, stepCount() - 1);
    startStep();
}

void Walkthrough::startStep()
{
    m_phase = current().pauseWhen.isEmpty() ? Phase::Reading : Phase::Watching;
    m_chosen = -1;
    m_observed = 0;
}

bool Walkthrough::update(const MetricsHistory &history)
{
    if (m_steps.isEmpty() || m_phase != Phase::Watching || history.isEmpty())
        return false;
    const ClaimParse parsed = parseClaim(current().pauseWhen); // validated when the scenario was loaded
    if (!parsed.claim)
        return false;
    const ClaimResult result = evaluateClaim(QString(), *parsed.claim, current().pauseWhen, history);
    m_observed = result.observed;
    if (!result.passed)
        return false;
    m_observedAtS = history.constLast().timeS;
    m_phase = Phase::Reached;
    return true;
}

void Walkthrough::choose(int choice)
{
    if (m_steps.isEmpty() || choice < 0 || choice >= current().question.choices.size())
        return;
    m_chosen = choice;
}

bool Walkthrough::revealed() const
{
    return !m_steps.isEmpty() && !current().question.prompt.isEmpty() && m_chosen >= 0 && m_phase != Phase::Watching;
}

QString Walkthrough::verdict() const
{
    if (!revealed())
        return {};
    const Question &q = current().question;
    const QString shown = current().pauseWhen.isEmpty() ? QString() : QStringLiteral(" The run showed it: %1.").arg(evidence());
    if (predictionHeld())
        return QStringLiteral("<b>Your prediction held.</b>%1<br>%2").arg(shown, q.explanation);
    return QStringLiteral("<b>Not this time:</b> the answer is “%1”.%2<br>%3").arg(q.choices.value(q.answer), shown, q.explanation);
}

QString Walkthrough::evidence() const
{
    if (m_steps.isEmpty() || m_phase != Phase::Reached || current().pauseWhen.isEmpty())
        return {};
    const ClaimParse parsed = parseClaim(current().pauseWhen);
    if (!parsed.claim)
        return {};
    const ParsedClaim &c = *parsed.claim;
    static const QHash<QString, QString> words = {
        {QStringLiteral("io_threads"), QStringLiteral("I/O threads")}, {QStringLiteral("io"), QStringLiteral("I/O")},
        {QStringLiteral("workers"), QStringLiteral("worker threads")},  {QStringLiteral("perform_io"), QStringLiteral("PerformIOCompletionCallback")},
        {QStringLiteral("dispatch"), QStringLiteral("ThreadPoolWorkQueue.Dispatch")}};
    const QString what = words.value(c.metric, QString(c.metric).replace(QLatin1Char('_'), QLatin1Char(' ')));
    const QString value = QString::number(m_observed, 'g', 4);
    const QString when = QString::number(m_observedAtS, 'f', 1);
    switch (c.aggregate) {
    case ParsedClaim::Aggregate::Last: return QStringLiteral("%1 was %2 after %3 s").arg(what, value, when);
    case ParsedClaim::Aggregate::Max: return QStringLiteral("%1 reached %2 after %3 s").arg(what, value, when);
    case ParsedClaim::Aggregate::Min: return QStringLiteral("%1 was down to %2 after %3 s").arg(what, value, when);
    case ParsedClaim::Aggregate::CallbacksOn: return QStringLiteral("%1 callbacks ran on %2 threads in %3 s").arg(value, what, when);
    case ParsedClaim::Aggregate::CallbacksUnder: return QStringLiteral("%1 callbacks ran under %2 in %3 s").arg(value, what, when);
    case ParsedClaim::Aggregate::CpuMs: return QStringLiteral("%2 threads had used %1 ms of CPU after %3 s").arg(value, what, when);
    case ParsedClaim::Aggregate::ThreadGrowth:
        return QStringLiteral("%1 threads grew by %2 within %3 s (seen after %4 s)").arg(what, value, QString::number(c.windowS), when);
    }
    return {};
}

static QString key(const QString &scenarioId, const QString &leaf)
{
    return QStringLiteral("walkthroughs/%1/%2").arg(scenarioId, leaf);
}

int WalkthroughProgress::savedStep(const QString &scenarioId)
{
    return QSettings().value(key(scenarioId, QStringLiteral("step")), 0).toInt();
}

void WalkthroughProgress::saveStep(const QString &scenarioId, int step)
{
    QSettings().setValue(key(scenarioId, QStringLiteral("step")), step);
}

int WalkthroughProgress::savedChoice(const QString &scenarioId, int step)
{
    return QSettings().value(key(scenarioId, QStringLiteral("choice%1").arg(step)), -1).toInt();
}

void WalkthroughProgress::saveChoice(const QString &scenarioId, int step, int choice)
{
    QSettings().setValue(key(scenarioId, QStringLiteral("choice%1").arg(step)), choice);
}

} // namespace porthole::scenario
