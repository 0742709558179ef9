#include "threadlimitsdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>

namespace porthole::ui {

namespace {
QSpinBox *spinBox(int min, int max, int value)
{
    auto *box = new QSpinBox;
    box->setRange(min, max);
    box->setValue(value);
    return box;
}
} // namespace

ThreadLimitsDialog::ThreadLimitsDialog(const runtime::RuntimeOptions &current, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Set min / max threads"));
    const int processors = std::max(1, QThread::idealThreadCount()); // a minimum of 0 means one per processor
    m_workerMin = spinBox(1, 32767, current.workers.minThreads ? int(current.workers.minThreads) : processors);
    m_workerMax = spinBox(1, 32767, int(current.workers.maxThreads));
    m_ioMin = spinBox(1, 1000, current.ioMinThreads ? int(current.ioMinThreads) : processors);
    m_ioMax = spinBox(1, 1000, int(current.ioMaxThreads));
    auto *form = new QFormLayout(this);
    auto *intro = new QLabel(tr("<code>ThreadPool.SetMinThreads(workerThreads, completionPortThreads)</code> and "
                                "<code>SetMaxThreads</code>, applied to the running lesson now."));
    intro->setWordWrap(true);
    form->addRow(intro);
    form->addRow(tr("Worker threads, minimum:"), m_workerMin);
    form->addRow(tr("Worker threads, maximum:"), m_workerMax);
    form->addRow(tr("Completion-port threads, minimum:"), m_ioMin);
    form->addRow(tr("Completion-port threads, maximum:"), m_ioMax);
    const bool legacy = current.kind == runtime::RuntimeKind::LegacyIocp;
    auto *note = new QLabel(legacy ? tr("This lesson's model is the legacy pool (.NET Framework; Windows up to .NET 6): the "
                                        "completion-port values steer its I/O threads.")
                                   : tr("In .NET 7+ the completion-port values are only stored: they steer no thread. "
                                        "Below the minimum the pool adds threads at once; above it, at the gate's pace."));
    note->setWordWrap(true);
    form->addRow(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Apply"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

runtime::ThreadLimits ThreadLimitsDialog::limits() const
{
    runtime::ThreadLimits l;
    l.workerMin = unsigned(m_workerMin->value());
    l.workerMax = unsigned(m_workerMax->value());
    l.ioMin = unsigned(m_ioMin->value());
    l.ioMax = unsigned(m_ioMax->value());
    return l;
}

} // namespace porthole::ui
