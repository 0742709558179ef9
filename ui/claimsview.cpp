#include "claimsview.h"

#include "session.h"

#include <QHeaderView>

namespace porthole::ui {

ClaimsView::ClaimsView(Session &session, QWidget *parent)
    : QTreeWidget(parent)
    , m_session(session)
{
    setColumnCount(4);
    setHeaderLabels({tr("Claim"), tr("Observed"), tr("Made true by"), tr("Expression")});
    headerItem()->setToolTip(2, tr("The kernel, Porthole's own implementation of IOCP's contract over io_uring, or Porthole's "
                                   "model of a .NET thread pool"));
    setRootIsDecorated(false);
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    connect(&session, &Session::frame, this, &ClaimsView::refresh);
    connect(&session, &Session::stopped, this, &ClaimsView::refresh);
}

QString ClaimsView::basisWords(const QString &basis)
{
    if (basis == QLatin1String("kernel"))
        return tr("the kernel");
    if (basis == QLatin1String("porthole"))
        return tr("Porthole (on io_uring)");
    return tr("a .NET model");
}

QString ClaimsView::basisExplained(const QString &basis)
{
    if (basis == QLatin1String("kernel"))
        return tr("What the kernel did: io_uring's completions and pending requests, the threads /proc lists");
    if (basis == QLatin1String("porthole"))
        return tr("IOCP's contract (LIFO wake, the concurrency value, posted packets) as Porthole implements it over "
                  "io_uring on Linux — on Windows the kernel's own — or a design of Porthole's own, not .NET");
    return tr("Porthole's model of a .NET thread pool (injection rules, frames, names from the runtime's sources), "
              "run on real threads");
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
        item->setText(2, basisWords(c.basis));
        item->setToolTip(2, basisExplained(c.basis));
        item->setText(3, c.expression);
    }
}

} // namespace porthole::ui
