#pragma once

#include "scenario/claims.h"
#include "scenario/scenario.h"

#include <QString>

namespace porthole::scenario {

// Plays a scenario's walkthrough against a live run: which step the learner is on, whether that
// step's condition (`pause_when`) holds yet in the run's metrics, and the learner's prediction.
// No widgets: the panel shows it, tests drive it with a real Runner's history.
class Walkthrough
{
public:
    enum class Phase {
        Reading,  // the step has no condition: read, then Next
        Watching, // the run has not shown it yet
        Reached,  // the condition held: the run is paused there and the answer is revealed
    };

    Walkthrough() = default;
    explicit Walkthrough(const Scenario &scenario);

    int stepCount() const { return int(m_steps.size()); }
    int currentIndex() const { return m_current; }
    const WalkthroughStep &current() const { return m_steps.at(m_current); }
    Phase phase() const { return m_phase; }
    bool isEmpty() const { return m_steps.isEmpty(); }

    // Reads the newest metrics; true exactly when the current step's condition has just become true
    // (the caller pauses the run then).
    bool update(const MetricsHistory &history);
    double observed() const { return m_observed; } // the condition's value when last evaluated
    // What the run showed, in words: "I/O threads reached 7 after 3.0 s" (empty while watching).
    QString evidence() const;

    void goTo(int index); // clamps; the new step starts over (its condition is watched afresh)
    void next() { goTo(m_current + 1); }
    void back() { goTo(m_current - 1); }
    bool atEnd() const { return m_current + 1 >= stepCount(); }

    // Predict, then reveal: the learner's choice (-1 = none yet). The verdict is there once the
    // step has a choice and the run has shown its answer (its condition held, or it has none).
    void choose(int choice);
    int chosen() const { return m_chosen; }
    bool revealed() const;
    bool predictionHeld() const { return m_chosen == current().question.answer; }
    QString verdict() const; // rich text: whether the prediction held, what the run showed, and why

private:
    void startStep();

    QString m_scenarioId;
    QList<WalkthroughStep> m_steps;
    int m_current = 0;
    Phase m_phase = Phase::Reading;
    int m_chosen = -1;
    double m_observed = 0;
    double m_observedAtS = 0; // the run's time when the condition held
};

// Where each learner got to, kept between launches (QSettings, "walkthroughs/<scenario id>").
struct WalkthroughProgress {
    static int savedStep(const QString &scenarioId);
    static void saveStep(const QString &scenarioId, int step);
    static int savedChoice(const QString &scenarioId, int step); // -1 = none
    static void saveChoice(const QString &scenarioId, int step, int choice);
};

} // namespace porthole::scenario
