#include "slidestyle.h"

#include "palette.h"
#include "session.h"
#include "timelineview.h"

#include "scenario/claims.h"

#include <qcustomplot.h>

#include <cmath>

namespace porthole::ui {

namespace {
bool isThreadMetric(const QString &metric)
{
    static const QStringList threads = {QStringLiteral("threads"),       QStringLiteral("io_threads"),     QStringLiteral("workers"),
                                        QStringLiteral("pollers"),       QStringLiteral("event_loops"),    QStringLiteral("socket_threads"),
                                        QStringLiteral("timer_threads"), QStringLiteral("io_workers"),     QStringLiteral("extra_threads")};
    return threads.contains(metric);
}

// Where a claim on max(metric) was shown: the first sample at its largest value, and how often the
// metric grew on its way there (a staircase: one more thread every 0.5 s).
struct Evidence {
    double timeS = -1;
    double value = 0;
    double stepEveryS = 0; // mean time between increases, when it grew three times or more
};

Evidence evidenceOf(const scenario::MetricsHistory &history, const QString &metric)
{
    Evidence e;
    double last = std::nan("");
    std::vector<double> rises;
    for (const scenario::MetricsSample &s : history) {
        const std::optional<double> v = model::metricValue(s, metric);
        if (!v || std::isnan(*v))
            continue;
        if (!std::isnan(last) && *v > last)
            rises.push_back(s.timeS);
        if (e.timeS < 0 || *v > e.value) {
            e.value = *v;
            e.timeS = s.timeS;
        }
        last = *v;
    }
    if (rises.size() >= 3)
        e.stepEveryS = (rises.back() - rises.front()) / double(rises.size() - 1);
    return e;
}
} // namespace

double pointsForPixels(double pixels) { return pixels * 72.0 / 96.0; }

QString styleAsSlide(TimelineView &view, Session &session, double pixelsPer1080)
{
    // Labels at least 20 px: the keys draw at 0.85 of the view's font, so the font is 24 px.
    QFont font = view.font();
    font.setPointSizeF(pointsForPixels(24 * pixelsPer1080));
    view.setFont(font);
    view.applyTheme();
    // A slide has the room: keys on one line, and the threads chart (where the claims are marked) taller.
    for (QCPLayoutElement *e : view.plot()->plotLayout()->elements(true))
        if (auto *legend = qobject_cast<QCPLegend *>(e)) {
            legend->setWrap(8);
            legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // lays the entries out again
        }
    view.plot()->plotLayout()->setRowStretchFactors({0.001, 1.3, 0.9, 0.001, 0.7});

    const QList<scenario::ClaimResult> claims = session.claims();
    const scenario::MetricsHistory history = session.metricsSince(0);
    QFont note = font;
    note.setBold(true);
    int placed = 0;
    for (const scenario::ClaimResult &c : claims) {
        const scenario::ClaimParse parsed = scenario::parseClaim(c.expression);
        if (!parsed.claim || parsed.claim->aggregate != scenario::ParsedClaim::Aggregate::Max || !c.measured)
            continue;
        const QString metric = parsed.claim->metric;
        QCPAxisRect *rect = isThreadMetric(metric) ? view.threadsRect()
                            : metric == QLatin1String("pending_ops") ? view.graphsRect()
                                                                      : nullptr;
        const Evidence e = evidenceOf(history, metric);
        if (!rect || e.timeS < 0 || e.value <= 0)
            continue; // nothing to point at (a claim that something stays at zero)
        QString text = QStringLiteral("%1: %2 %3").arg(c.name).arg(e.value).arg(c.passed ? QStringLiteral("✓") : QStringLiteral("✗"));
        if (e.stepEveryS > 0)
            text += QObject::tr(" — one more every %1 ms").arg(qRound(e.stepEveryS * 1000));
        QCustomPlot *plot = view.plot();
        auto *label = new QCPItemText(plot);
        label->setClipToAxisRect(false);
        label->position->setType(QCPItemPosition::ptAxisRectRatio);
        label->position->setAxisRect(rect);
        label->position->setCoords(0.02, 0.05 + 0.3 * placed++);
        label->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
        label->setFont(note);
        label->setColor(Palette::text());
        label->setBrush(Palette::panel());
        label->setPadding(QMargins(8, 4, 8, 4));
        label->setText(text);
        auto *arrow = new QCPItemLine(plot);
        arrow->setClipToAxisRect(false);
        arrow->start->setParentAnchor(label->right);
        arrow->end->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        arrow->end->setCoords(e.timeS, e.value);
        arrow->setHead(QCPLineEnding::esSpikeArrow);
        arrow->setPen(QPen(Palette::highlight(), 3 * pixelsPer1080));
    }
    if (claims.isEmpty())
        return session.scenario().summary;
    const scenario::ClaimResult &first = claims.front();
    return QObject::tr("Claim: %1 — %2 (observed %3)")
        .arg(first.name, first.passed ? QObject::tr("held") : QObject::tr("did not hold"))
        .arg(first.measured ? QString::number(first.observed) : QObject::tr("nothing"));
}

} // namespace porthole::ui
