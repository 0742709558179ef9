// The window's measurement of how much two runs disturb each other: each alone, as long as they ran
// together, one after the other.

#include "comparewindow.h"

#include "session.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QStatusBar>

#include <cmath>

namespace porthole::ui {

void CompareWindow::showDisturbance(const QJsonObject &disturbance, bool recorded)
{
    const int percent = qRound(disturbance.value(QStringLiteral("largest_change")).toDouble() * 100);
    const QString when = recorded ? tr(" (measured when recorded)") : QString();
    if (disturbance.value(QStringLiteral("exceeds_10_percent")).toBool())
        m_note->setText(tr("<b>Running together changed completions per second by %1% against each run alone</b>%2: "
                           "the two runs shared this machine's cores, so read the figures as a pair.").arg(percent).arg(when));
    else
        m_note->setText(tr("Running together changed completions per second by at most %1% against each run alone%2.").arg(percent).arg(when));
}

void CompareWindow::measureAlone()
{
    if (m_alone || m_pair.sides[0].scenario.id.isEmpty())
        return;
    refreshSummary();
    m_aloneSeconds = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const scenario::MetricsHistory history = m_sessions[i]->metricsHistory();
        m_aloneSeconds = std::max(m_aloneSeconds, history.isEmpty() ? 0.0 : history.constLast().timeS);
        m_togetherRate[i] = scenario::figuresOf(m_sessions[i]->scenario(), history, m_latency[i], m_labels[i]).completionsPerS;
    }
    if (m_aloneSeconds < 0.5) {
        statusBar()->showMessage(tr("Run the pair first: each alone then runs as long as they ran together."));
        return;
    }
    stop();
    m_aloneSide = 0;
    measureNextAlone();
}

void CompareWindow::measureNextAlone()
{
    if (m_aloneSide > 1) { // both measured
        QJsonObject disturbance;
        double worst = 0;
        for (int i = 0; i < 2; ++i) {
            const double change = m_aloneRate[std::size_t(i)] > 0 ? m_togetherRate[std::size_t(i)] / m_aloneRate[std::size_t(i)] - 1 : 0;
            worst = std::max(worst, std::abs(change));
            disturbance[i == 0 ? QStringLiteral("a") : QStringLiteral("b")] = QJsonObject{
                {QStringLiteral("completions_per_s_alone"), std::round(m_aloneRate[std::size_t(i)] * 10) / 10},
                {QStringLiteral("completions_per_s_together"), std::round(m_togetherRate[std::size_t(i)] * 10) / 10},
                {QStringLiteral("change"), std::round(change * 1000) / 1000}};
        }
        disturbance[QStringLiteral("largest_change")] = std::round(worst * 1000) / 1000;
        disturbance[QStringLiteral("exceeds_10_percent")] = worst > 0.10;
        QJsonObject comparison = QJsonDocument::fromJson(m_savedComparison.toUtf8()).object();
        comparison[QStringLiteral("disturbance")] = disturbance;
        m_savedComparison = QString::fromUtf8(QJsonDocument(comparison).toJson(QJsonDocument::Compact));
        showDisturbance(disturbance, false);
        statusBar()->showMessage(tr("Measured each run alone for %1 s").arg(m_aloneSeconds, 0, 'f', 1));
        m_alone->deleteLater();
        m_alone = nullptr;
        m_aloneSide = -1;
        emit measuredAlone(worst);
        return;
    }
    if (!m_alone) {
        m_alone = new Session(this);
        m_alone->setRunInOwnProcess(m_program);
        connect(m_alone, &Session::started, this, [this](const QString &error) {
            if (!error.isEmpty()) {
                statusBar()->showMessage(tr("Could not run %1 alone: %2").arg(m_labels[std::size_t(m_aloneSide)], error));
                m_alone->deleteLater();
                m_alone = nullptr;
                m_aloneSide = -1;
                return;
            }
            QTimer::singleShot(int(m_aloneSeconds * 1000), this, [this] {
                if (!m_alone)
                    return;
                m_alone->stop();
                const scenario::MetricsHistory history = m_alone->metricsHistory();
                m_aloneRate[std::size_t(m_aloneSide)] =
                    scenario::figuresOf(m_alone->scenario(), history, scenario::LatencyFold(), QString()).completionsPerS;
                ++m_aloneSide;
                measureNextAlone();
            });
        });
    }
    statusBar()->showMessage(tr("Running %1 alone for %2 s…").arg(m_labels[std::size_t(m_aloneSide)]).arg(m_aloneSeconds, 0, 'f', 1));
    m_alone->start(m_pair.sides[std::size_t(m_aloneSide)].scenario);
}

} // namespace porthole::ui
