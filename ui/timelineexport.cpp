#include "timelineexport.h"

#include "palette.h"
#include "slidestyle.h"
#include "session.h"
#include "timelineview.h"

#include "trace/safefile.h"

#include <QBuffer>
#include <QFileInfo>
#include <QPageSize>
#include <QPdfWriter>
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
    if (const QString why = checkPictureSize(size, picture.pixelRatio); !why.isEmpty())
        return why;
    if (const std::string why = trace::checkExportTarget(path.toStdString()); !why.empty())
        return QString::fromStdString(why);

    TimelineView view(session); // never shown: drawn straight into the file
    view.resize(size);
    QCustomPlot *plot = view.plot();
    plot->setViewport(QRect(QPoint(0, 0), size)); // a hidden widget gets no resize event
    const double scale = size.height() / 1080.0;
    const QString subtitle = picture.slide ? styleAsSlide(view, session, scale) : QString();
    if (fromS >= 0 && toS > fromS)
        view.showRange(fromS, toS);
    else
        view.showWholeRun();
    // The keys' words clear their swatches in every format (SVG measures text its own way).
    for (QCPLayoutElement *e : plot->plotLayout()->elements(true))
        if (auto *legend = qobject_cast<QCPLegend *>(e))
            legend->setIconTextPadding(int(12 * std::max(1.0, scale)));
    QFont headingFont(view.font().family());
    headingFont.setBold(true);
    headingFont.setPointSizeF(picture.slide ? pointsForPixels(34 * scale) : 13);
    plot->plotLayout()->insertRow(0);
    auto *heading = new QCPTextElement(plot, title, headingFont);
    heading->setTextColor(Palette::text());
    plot->plotLayout()->addElement(0, 0, heading);
    if (!subtitle.isEmpty()) {
        QFont subtitleFont(view.font().family());
        subtitleFont.setPointSizeF(pointsForPixels(24 * scale));
        plot->plotLayout()->insertRow(1);
        auto *line = new QCPTextElement(plot, subtitle, subtitleFont);
        line->setTextColor(Palette::text());
        plot->plotLayout()->addElement(1, 0, line);
    }
    plot->replot();

    // Drawn into memory, then written safely: a failed write (a full disk) is reported for every format.
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        ok = plot->toPixmap(size.width(), size.height(), picture.pixelRatio).save(&buffer, "PNG"); // size × ratio pixels
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(&buffer);
        pdf.setTitle(title);
        pdf.setCreator(QStringLiteral("Porthole"));
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF());
        pdf.setResolution(72); // one layout pixel is one point
        QCPPainter painter;
        ok = painter.begin(&pdf);
        if (ok) {
            painter.setMode(QCPPainter::pmVectorized);
            painter.setMode(QCPPainter::pmNoCaching);
            painter.setMode(QCPPainter::pmNonCosmetic);
            plot->toPainter(&painter, size.width(), size.height());
            ok = painter.end();
        }
    } else {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
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
    if (!ok || bytes.isEmpty())
        return QStringLiteral("%1: the picture could not be drawn").arg(path);
    return QString::fromStdString(trace::saveFileSafely(path.toStdString(), std::string_view(bytes.constData(), std::size_t(bytes.size()))));
}

QString checkPictureSize(const QSize &size, double pixelRatio)
{
    if (size.width() < 200 || size.height() < 150 || size.width() > 16000 || size.height() > 16000)
        return QStringLiteral("the size %1x%2 is out of range: 200x150 to 16000x16000").arg(size.width()).arg(size.height());
    const double pixels = double(size.width()) * size.height() * pixelRatio * pixelRatio;
    if (pixels > MaxPicturePixels)
        return QStringLiteral("%1x%2 at scale %3 is %4 million pixels; Porthole draws at most %5 million (e.g. 7680x4320, or 3840x2160 at scale 2)")
            .arg(size.width()).arg(size.height()).arg(pixelRatio).arg(pixels / 1e6, 0, 'f', 0).arg(MaxPicturePixels / 1e6, 0, 'f', 0);
    return {};
}

} // namespace porthole::ui
