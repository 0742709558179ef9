#include "claimsview.h"

#include "session.h"

#include <QHeaderView>

namespace porthole::ui {

ClaimsView::ClaimsView(Session &session, QWidget *parent)
    : QTreeWidget(parent)
    , m_session(session)
{
    setColumnCount(3);
    setHeaderLabels({tr("Claim"), tr("Observed"), tr("Expression")});
    setRootIsDecorated(false);
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    connect(&session, &Session::frame, this, &ClaimsView::refresh);
    connect(&session, &Session::stopped, this, &ClaimsView::refresh);
}

void ClaimsView::refresh()
{
    const auto claims = m_session.claims();
    if (topLevelItemCount() != claims.size()) {
        clear();
        for (qsizetype i = 0; i < claims.size(); ++i)
            new QTreeWidgetItem(this);
    }
    for (qsizetype i = 0; i < claims.size(); ++i) {
        QTreeWidgetItem *item = topLevelItem(int(i));
        const auto &c = claims[i];
        item->setText(0, QStringLiteral("%1  %2").arg(c.passed ? QStringLiteral("✔") : QStringLiteral("✘"), c.name));
        item->setForeground(0, c.passed ? QColor(0x00, 0x7A, 0x5A) : QColor(0xB0, 0x40, 0x00));
        item->setText(1, QString::number(c.observed, 'g', 6));
        item->setText(2, c.expression);
    }
}

} // namespace porthole::ui
