#include "walkthroughpanel.h"

#include "session.h"

#include <QButtonGroup>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace porthole::ui {

namespace {
// Long names (_IOCompletionCallback.PerformIOCompletionCallback, DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS)
// may break after a dot or an inner underscore, so the panel wraps them instead of widening.
QString breakableNames(QString text)
{
    static const QRegularExpression joint(QStringLiteral("(\\w)([._])(\\w)"));
    return text.replace(joint, QStringLiteral("\\1\\2\u200B\\3"));
}
} // namespace

namespace {
constexpr qint64 CheckEveryMs = 100; // the runner samples every 50 ms
}

namespace {
// "Sources: ..." in small type; web addresses are links, repository paths plain text.
QString sourcesHtml(const QStringList &sources)
{
    if (sources.isEmpty())
        return {};
    QStringList items;
    for (const QString &source : sources) {
        const QString text = breakableNames(source.toHtmlEscaped());
        items << (source.startsWith(QLatin1String("https://")) || source.startsWith(QLatin1String("http://"))
                      ? QStringLiteral("<a href=\"%1\">%2</a>").arg(source.toHtmlEscaped(), text)
                      : text);
    }
    return QStringLiteral("<small>%1 %2</small>").arg(QObject::tr("Sources:"), items.join(QStringLiteral(" · ")));
}
} // namespace

WalkthroughPanel::WalkthroughPanel(Session &session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    auto *layout = new QVBoxLayout(this);
    m_heading = new QLabel;
    m_heading->setWordWrap(true); // a long lesson title wraps rather than widening the panel
    m_narration = new QLabel;
    m_narration->setWordWrap(true);
    m_narration->setTextFormat(Qt::RichText);
    m_watch = new QLabel;
    m_watch->setWordWrap(true);
    m_question = new QGroupBox;
    m_choicesLayout = new QVBoxLayout(m_question);
    m_choices = new QButtonGroup(this);
    m_verdict = new QLabel;
    m_verdict->setWordWrap(true);
    m_verdict->setTextFormat(Qt::RichText);
    m_sources = new QLabel;
    m_sources->setWordWrap(true);
    m_sources->setTextFormat(Qt::RichText);
    m_sources->setOpenExternalLinks(true);
    m_sources->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_back = new QPushButton(tr("Back"));
    m_next = new QPushButton(tr("Next"));
    m_back->setToolTip(tr("The previous step (Alt+Left)"));
    m_next->setToolTip(tr("The next step; lets a paused run go on (Alt+Right)"));
    m_back->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_next->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_resume = new QPushButton;
    m_resume->hide();
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_back);
    buttons->addStretch();
    buttons->addWidget(m_next);
    layout->addWidget(m_heading);
    layout->addWidget(m_narration);
    layout->addWidget(m_watch);
    layout->addWidget(m_question);
    layout->addWidget(m_verdict);
    layout->addStretch();
    layout->addWidget(m_sources);
    layout->addWidget(m_resume); // a row of its own: beside Back and Next it would widen the panel
    layout->addLayout(buttons);
    setMinimumWidth(300);

    connect(m_back, &QPushButton::clicked, this, &WalkthroughPanel::back);
    connect(m_next, &QPushButton::clicked, this, &WalkthroughPanel::next);
    connect(m_resume, &QPushButton::clicked, this, &WalkthroughPanel::resumeSaved);
    connect(m_choices, &QButtonGroup::idClicked, this, &WalkthroughPanel::choose);
    connect(&session, &Session::started, this, [this](const QString &error) {
        if (error.isEmpty())
            restart();
    });
    connect(&session, &Session::frame, this, &WalkthroughPanel::onFrame);
    restart();
}

void WalkthroughPanel::restart()
{
    m_walkthrough = scenario::Walkthrough(m_session.scenario());
    m_history.clear();
    m_pausedRun = false;
    m_heldForPrediction = false;
    m_resumeStep = -1;
    // A lesson opened anew starts at step 1, its questions unanswered; where this learner left it is
    // offered, not imposed (a class starts together).
    const int saved = m_walkthrough.isEmpty() ? 0 : scenario::WalkthroughProgress::savedStep(m_session.scenario().id);
    if (saved > 0 && saved < m_walkthrough.stepCount())
        m_resumeStep = saved;
    m_resume->setText(tr("Resume at step %1").arg(m_resumeStep + 1));
    m_resume->setVisible(m_resumeStep > 0);
    showStep();
}

void WalkthroughPanel::resumeSaved()
{
    if (m_resumeStep <= 0)
        return;
    releaseHold();
    m_walkthrough.goTo(m_resumeStep);
    m_walkthrough.choose(scenario::WalkthroughProgress::savedChoice(m_session.scenario().id, m_resumeStep));
    m_resumeStep = -1;
    m_resume->hide();
    showStep();
}

void WalkthroughPanel::releaseHold()
{
    if (m_heldForPrediction && m_session.isPaused())
        m_session.resume();
    m_heldForPrediction = false;
}

void WalkthroughPanel::next()
{
    if (m_walkthrough.isEmpty())
        return;
    const bool finishing = m_walkthrough.atEnd();
    m_walkthrough.next();
    const QString id = m_session.scenario().id;
    // Finishing the last step marks the walkthrough done: the next launch starts it over.
    scenario::WalkthroughProgress::saveStep(id, finishing ? m_walkthrough.stepCount() : m_walkthrough.currentIndex());
    if (!finishing)
        m_walkthrough.choose(scenario::WalkthroughProgress::savedChoice(id, m_walkthrough.currentIndex()));
    if (m_pausedRun && m_session.isPaused())
        m_session.resume();
    m_pausedRun = false;
    releaseHold();
    m_resume->hide();
    showStep();
    if (finishing)
        m_heading->setText(tr("<b>Walkthrough finished</b> — Back to look again"));
}

void WalkthroughPanel::back()
{
    if (m_walkthrough.isEmpty())
        return;
    releaseHold();
    m_walkthrough.back();
    scenario::WalkthroughProgress::saveStep(m_session.scenario().id, m_walkthrough.currentIndex());
    m_walkthrough.choose(scenario::WalkthroughProgress::savedChoice(m_session.scenario().id, m_walkthrough.currentIndex()));
    showStep();
}

void WalkthroughPanel::choose(int choice)
{
    m_walkthrough.choose(choice);
    scenario::WalkthroughProgress::saveChoice(m_session.scenario().id, m_walkthrough.currentIndex(), choice);
    if (m_heldForPrediction) {
        releaseHold(); // the prediction is in: now the run may show the answer
        showStep();
        return;
    }
    showVerdict();
}

void WalkthroughPanel::onFrame()
{
    if (m_walkthrough.isEmpty() || m_walkthrough.phase() != scenario::Walkthrough::Phase::Watching)
        return;
    if (!m_session.isRunning()) {
        if (!m_session.isStarting())
            m_watch->setText(tr("The run stopped before it showed <code>%1</code>. Run starts it again.")
                                 .arg(m_walkthrough.current().pauseWhen.toHtmlEscaped()));
        return;
    }
    if (m_lastCheck.isValid() && m_lastCheck.elapsed() < CheckEveryMs)
        return;
    m_lastCheck.restart();
    m_history += m_session.metricsSince(m_history.size());
    if (m_walkthrough.update(m_history)) {
        if (!m_session.isPaused()) {
            m_session.pause(); // hold it here: this is the moment the step is about
            m_pausedRun = true;
        }
        showStep();
        return;
    }
    m_watch->setText(tr("Watching the run for <code>%1</code> — now %2")
                         .arg(m_walkthrough.current().pauseWhen.toHtmlEscaped())
                         .arg(m_walkthrough.observed()));
}

void WalkthroughPanel::showStep()
{
    const bool empty = m_walkthrough.isEmpty();
    m_back->setEnabled(!empty && m_walkthrough.currentIndex() > 0);
    m_next->setEnabled(!empty);
    if (empty) {
        m_heading->setText(tr("<b>Walkthrough</b>"));
        m_narration->setText(tr("This run has no walkthrough. Pick a built-in scenario and press Run."));
        m_watch->clear();
        m_question->hide();
        m_verdict->clear();
        m_sources->clear();
        emit highlightRequested(QString());
        return;
    }
    const scenario::WalkthroughStep &step = m_walkthrough.current();
    m_heading->setText(tr("<b>%1</b> · step %2 of %3").arg(m_session.scenario().title.toHtmlEscaped())
                           .arg(m_walkthrough.currentIndex() + 1).arg(m_walkthrough.stepCount()));
    m_narration->setText(breakableNames(step.narration));
    m_sources->setText(sourcesHtml(step.sources.isEmpty() ? m_session.scenario().sources : step.sources));
    m_next->setText(m_walkthrough.atEnd() ? tr("Finish") : tr("Next"));
    switch (m_walkthrough.phase()) {
    case scenario::Walkthrough::Phase::Reading: m_watch->clear(); break;
    case scenario::Walkthrough::Phase::Watching:
        m_watch->setText(tr("Watching the run for <code>%1</code>…").arg(step.pauseWhen.toHtmlEscaped()));
        break;
    case scenario::Walkthrough::Phase::Reached:
        m_watch->setText(tr("<b>The run shows it now:</b> %1%2")
                             .arg(m_walkthrough.evidence().toHtmlEscaped())
                             .arg(m_pausedRun ? tr(" — paused here; Next goes on") : QString()));
        break;
    }
    // The question: one radio button per choice.
    for (QAbstractButton *b : m_choices->buttons())
        m_choices->removeButton(b); // deleted with their rows below
    const scenario::Question &q = step.question;
    m_question->setVisible(!q.prompt.isEmpty());
    m_question->setTitle(tr("Predict")); // a group box's title never wraps: the question is a label below
    // Each choice wraps (a radio button's own text never does, and would widen the panel): a button and
    // its words; clicking the words picks it too.
    while (QLayoutItem *item = m_choicesLayout->takeAt(0)) {
        if (item->layout())
            while (QLayoutItem *inner = item->layout()->takeAt(0)) {
                delete inner->widget();
                delete inner;
            }
        delete item->widget();
        delete item;
    }
    if (!q.prompt.isEmpty()) {
        auto *prompt = new QLabel(QStringLiteral("<b>%1</b>").arg(breakableNames(q.prompt.toHtmlEscaped())));
        prompt->setWordWrap(true);
        m_choicesLayout->addWidget(prompt);
    }
    for (int i = 0; i < q.choices.size(); ++i) {
        auto *row = new QHBoxLayout;
        auto *choice = new QRadioButton;
        choice->setChecked(i == m_walkthrough.chosen());
        choice->setAccessibleName(q.choices[i]);
        auto *words = new QLabel(breakableNames(q.choices[i].toHtmlEscaped()));
        words->setWordWrap(true);
        words->setProperty("choice", i);
        words->installEventFilter(this);
        m_choices->addButton(choice, i);
        row->addWidget(choice, 0, Qt::AlignTop);
        row->addWidget(words, 1);
        m_choicesLayout->addLayout(row);
    }
    // A question asked before the run has shown the answer: the run holds here until the learner predicts.
    const bool asksFirst = !q.prompt.isEmpty() && m_walkthrough.chosen() < 0
                           && m_walkthrough.phase() == scenario::Walkthrough::Phase::Watching;
    if (asksFirst && m_session.isRunning() && !m_session.isPaused()) {
        m_session.pause();
        m_heldForPrediction = true;
    }
    if (m_heldForPrediction)
        m_watch->setText(tr("<b>The run waits for your prediction.</b> Pick an answer, then watch."));
    showVerdict();
    emit highlightRequested(step.highlight);
}

bool WalkthroughPanel::eventFilter(QObject *watched, QEvent *event)
{
    // A click on a choice's words picks that choice.
    if (event->type() == QEvent::MouseButtonRelease && watched->property("choice").isValid()) {
        if (QAbstractButton *button = m_choices->button(watched->property("choice").toInt())) {
            button->setChecked(true);
            choose(m_choices->id(button));
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void WalkthroughPanel::showVerdict()
{
    if (m_walkthrough.isEmpty() || m_walkthrough.current().question.prompt.isEmpty()) {
        m_verdict->clear();
        return;
    }
    if (m_walkthrough.revealed())
        m_verdict->setText(m_walkthrough.verdict());
    else if (m_walkthrough.chosen() < 0)
        m_verdict->setText(tr("<i>Pick an answer; the run will show which one is right.</i>"));
    else
        m_verdict->setText(tr("<i>Your answer is in. Watch the run…</i>"));
}

} // namespace porthole::ui
