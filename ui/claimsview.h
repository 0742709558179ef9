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

private:
    Session &m_session;
};

} // namespace porthole::ui
