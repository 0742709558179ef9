#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QTreeWidget>

namespace porthole::ui {

class Session;

// Every thread's stack at the cursor: .NET names (with the version they belong to) or native
// names; for a sleeping thread of a live run, where the kernel says it sleeps (wchan).
class CallstackView : public QTreeWidget
{
    Q_OBJECT

public:
    explicit CallstackView(Session &session, QWidget *parent = nullptr);
    void setNativeNames(bool native);
    bool nativeNames() const { return m_native; }

private:
    void refresh();
    QString kernelWaitPoint(qint32 osThreadId);

    Session &m_session;
    bool m_native = false;
    QHash<qint32, QString> m_wchan; // read from /proc at most every 500 ms
    QElapsedTimer m_wchanAge;
};

} // namespace porthole::ui
