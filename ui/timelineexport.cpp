#include "timelineexport.h"

#include "palette.h"
#include "session.h"
#include "timelineview.h"

#include <QFileInfo>
#include <QSvgGenerator>

#include <qcustomplot.h>

namespace porthole::ui {

QString exportTimeline(Session &session, const QString &path, const TimelinePicture &picture)
{
    const QSize size = picture.size;
    const QString &title = picture.title;
    const double fromS = picture.fromS, toS = picture.toS;
    if (picture.pixelRatio < 1 || picture.pixelRatio > 4)
        return QStringLiteral("the pixel ratio %1 is out of range: 1 to 4").arg(picture.pixelRatio);
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("svg") && suffix != QLatin1String("pdf"))
        return QStringLiteral("%1: the timeline is exported as .png, .svg or .pdf").arg(path);
    if (size.width() < 200 || size.height() < 150 || size.width() > 16000 || size.height() > 16000)
        return QStringLiteral("the size %1x%2 is out of range: 200x150 to 16000x16000").arg(size.width()).arg(size.height());

    TimelineView view(session); // never shown: drawn straight into the file
    view.resize(size);
    QCustomPlot *plot = view.plot();
    plot->setViewport(QRect(QPoint(0, 0), size)); // a hidden widget gets no resize event
    if (fromS >= 0 && toS > fromS)
        view.showRange(fromS, toS);
    else
        view.showWholeRun();
    plot->plotLayout()->insertRow(0);
    auto *heading = new QCPTextElement(plot, title, QFont(view.font().family(), 13, QFont::Bold));
    heading->setTextColor(Palette::text());
    plot->plotLayout()->addElement(0, 0, heading);
    plot->replot();

    bool ok = false;
    if (suffix == QLatin1String("png")) {
        ok = plot->savePng(path, size.width(), size.height(), picture.pixelRatio); // size × ratio pixels
    } else if (suffix == QLatin1String("pdf")) {
        ok = plot->savePdf(path, size.width(), size.height(), QCP::epNoCosmetic, QStringLiteral("Porthole"), title);
    } else {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(title);
        QCPPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            plot->toPainter(&painter, size.width(), size.height());
            ok = painter.end();
        }
    }
    return ok ? QString() : QStringLiteral("%1: cannot be written").arg(path);
}

} // namespace porthole::ui
