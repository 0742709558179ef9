#pragma once

#include "scenario/scenario.h" // runtime::RuntimeOptions and ThreadLimits, plain values

#include <QDialog>

class QSpinBox;

namespace porthole::ui {

// ThreadPool.SetMinThreads / SetMaxThreads for the running lesson: worker and completion-port values.
class ThreadLimitsDialog : public QDialog
{
    Q_OBJECT

public:
    // `current`: the values to start from (the scenario's); `kind` says what the I/O values steer.
    ThreadLimitsDialog(const runtime::RuntimeOptions &current, QWidget *parent = nullptr);
    runtime::ThreadLimits limits() const; // every value, as entered

private:
    QSpinBox *m_workerMin = nullptr;
    QSpinBox *m_workerMax = nullptr;
    QSpinBox *m_ioMin = nullptr;
    QSpinBox *m_ioMax = nullptr;
};

} // namespace porthole::ui
