#pragma once

#include "model/modelstate.h"

#include <QTreeWidget>

namespace porthole::ui {

class Session;

// Every thread's stack at the cursor: .NET names (with the version they belong to) or native
// names (the functions that pushed the frames); where the sampler read it, the kernel's state and
// wait channel at that moment.
class CallstackView : public QTreeWidget
{
    Q_OBJECT

public:
    explicit CallstackView(Session &session, QWidget *parent = nullptr);
    void setNativeNames(bool native);
    bool nativeNames() const { return m_native; }

private:
    void refresh();
    QString kernelWaitPoint(const model::ThreadView &t) const;

    Session &m_session;
    bool m_native = false;
};

} // namespace porthole::ui
