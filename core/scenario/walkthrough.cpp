#include "walkthrough.h"

#include "scenario/claims.h"

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
    const QString shown = current().pauseWhen.isEmpty()
                              ? QString()
                              : QStringLiteral(" The run showed it: <code>%1</code> (observed %2).")
                                    .arg(current().pauseWhen.toHtmlEscaped())
                                    .arg(m_observed);
    if (predictionHeld())
        return QStringLiteral("<b>Your prediction held.</b>%1<br>%2").arg(shown, q.explanation);
    return QStringLiteral("<b>Not this time:</b> the answer is “%1”.%2<br>%3").arg(q.choices.value(q.answer), shown, q.explanation);
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
