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

namespace {

QString checkTarget(const QString &path, const TimelinePicture &picture)
{
    if (picture.pixelRatio < 1 || picture.pixelRatio > 4)
        return QStringLiteral("the pixel ratio %1 is out of range: 1 to 4").arg(picture.pixelRatio);
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("svg") && suffix != QLatin1String("pdf"))
        return QStringLiteral("%1: the timeline is exported as .png, .svg or .pdf").arg(path);
    if (const QString why = checkPictureSize(picture.size, picture.pixelRatio); !why.isEmpty())
        return why;
    if (const std::string why = trace::checkExportTarget(path.toStdString()); !why.empty())
        return QString::fromStdString(why);
    return {};
}

// One timeline, laid out at `size` for a picture, with a title above it (and a slide's subtitle).
void prepare(TimelineView &view, Session &session, QSize size, const QString &title, const TimelinePicture &picture,
             double fromS, double toS)
{
    view.resize(size);
    QCustomPlot *plot = view.plot();
    plot->setViewport(QRect(QPoint(0, 0), size)); // a hidden widget gets no resize event
    const double scale = picture.size.height() / 1080.0;
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
}

// Draws each plot at its place, into memory, then writes the file safely: a failed write (a full
// disk) is reported for every format.
QString write(const QString &path, const TimelinePicture &picture, const std::vector<std::pair<QCustomPlot *, QRect>> &parts)
{
    const QSize size = picture.size;
    const QString suffix = QFileInfo(path).suffix().toLower();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const auto drawParts = [&](QCPPainter &painter) {
        for (const auto &[plot, rect] : parts) {
            painter.save();
            painter.translate(rect.topLeft());
            plot->toPainter(&painter, rect.width(), rect.height());
            painter.restore();
        }
    };
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        if (parts.size() == 1) {
            ok = parts[0].first->toPixmap(size.width(), size.height(), picture.pixelRatio).save(&buffer, "PNG"); // size × ratio pixels
        } else {
            QPixmap pixmap(size * picture.pixelRatio);
            pixmap.setDevicePixelRatio(picture.pixelRatio);
            pixmap.fill(Palette::background());
            QCPPainter painter(&pixmap);
            painter.setRenderHint(QPainter::Antialiasing);
            for (const auto &[plot, rect] : parts)
                painter.drawPixmap(rect.topLeft(), plot->toPixmap(rect.width(), rect.height(), picture.pixelRatio));
            painter.end();
            ok = pixmap.save(&buffer, "PNG");
        }
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(&buffer);
        pdf.setTitle(picture.title);
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
            drawParts(painter);
            ok = painter.end();
        }
    } else {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(picture.title);
        QCPPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            drawParts(painter);
            ok = painter.end();
        }
    }
    if (!ok || bytes.isEmpty())
        return QStringLiteral("%1: the picture could not be drawn").arg(path);
    return QString::fromStdString(trace::saveFileSafely(path.toStdString(), std::string_view(bytes.constData(), std::size_t(bytes.size()))));
}

} // namespace

QString exportTimeline(Session &session, const QString &path, const TimelinePicture &picture)
{
    if (const QString why = checkTarget(path, picture); !why.isEmpty())
        return why;
    TimelineView view(session); // never shown: drawn straight into the file
    prepare(view, session, picture.size, picture.title, picture, picture.fromS, picture.toS);
    return write(path, picture, {{view.plot(), QRect(QPoint(0, 0), picture.size)}});
}

QString exportPairTimeline(Session &a, Session &b, const QString &labelA, const QString &labelB, const QString &path,
                           const TimelinePicture &picture)
{
    if (const QString why = checkTarget(path, picture); !why.isEmpty())
        return why;
    // One time axis: both sessions count from the same origin, and both pictures show the same range.
    double fromS = picture.fromS, toS = picture.toS;
    if (!(fromS >= 0 && toS > fromS)) {
        fromS = 0;
        toS = 0.001;
        for (Session *s : {&a, &b})
            toS = std::max(toS, s->timeline().toSeconds(std::max(s->timeline().originNs(), s->model().lastTimeNs())));
    }
    const int half = picture.size.height() / 2;
    const QSize partSize(picture.size.width(), half);
    TimelineView viewA(a), viewB(b);
    // One scale: the same number of threads is the same height in A and B.
    const TimelineView::ScaleFloor scaleA = TimelineView::scaleOf(a), scaleB = TimelineView::scaleOf(b);
    const TimelineView::ScaleFloor both{std::max(scaleA.threads, scaleB.threads), std::max(scaleA.queue, scaleB.queue),
                                        std::max(scaleA.rate, scaleB.rate)};
    viewA.setScaleFloor(both);
    viewB.setScaleFloor(both);
    const QString titleA = picture.title.isEmpty() ? labelA : QStringLiteral("%1 — A: %2").arg(picture.title, labelA);
    prepare(viewA, a, partSize, titleA, picture, fromS, toS);
    prepare(viewB, b, partSize, QStringLiteral("B: %1").arg(labelB), picture, fromS, toS);
    // One time axis: the same second at the same x in both.
    const int margin = std::max(viewA.axisLeftMargin(), viewB.axisLeftMargin());
    for (TimelineView *view : {&viewA, &viewB}) {
        view->setMinimumAxisLeftMargin(margin);
        view->plot()->replot();
    }
    return write(path, picture, {{viewA.plot(), QRect(QPoint(0, 0), partSize)}, {viewB.plot(), QRect(QPoint(0, half), partSize)}});
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
