#pragma once

#include <QTreeWidget>

namespace porthole::ui {

class Session;

// Each claim of the scenario with a live tick or cross and the value observed so far.
class ClaimsView : public QTreeWidget
{
    Q_OBJECT

public:
    explicit ClaimsView(Session &session, QWidget *parent = nullptr);
    void refresh();

    static QString basisWords(const QString &basis);     // "the kernel", "Porthole (on io_uring)", "a .NET model"
    static QString basisExplained(const QString &basis); // the tooltip

private:
    Session &m_session;
};

} // namespace porthole::ui
