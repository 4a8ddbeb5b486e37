#include "figureexport.h"

#include "plotstyle.h"

#include "common/error.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QWidget>
#include "qcp.h"

#include <cmath>

namespace repalign::gui {

FigurePresetInfo figurePresetInfo(FigurePreset preset)
{
    switch (preset) {
    case FigurePreset::Talk:
        return {preset, QStringLiteral("talk"), QSizeF(10.0, 5.625), 14.0};
    case FigurePreset::OneColumn:
        return {preset, QStringLiteral("column"), QSizeF(3.5, 2.625), 7.0};
    case FigurePreset::TwoColumn:
        return {preset, QStringLiteral("two-column"), QSizeF(7.0, 3.5), 8.0};
    }
    return {FigurePreset::Talk, QStringLiteral("talk"), QSizeF(10.0, 5.625), 14.0};
}

QStringList figurePresetKeys()
{
    return {QStringLiteral("talk"), QStringLiteral("column"), QStringLiteral("two-column")};
}

FigurePreset parseFigurePreset(const QString& key)
{
    for (FigurePreset p : {FigurePreset::Talk, FigurePreset::OneColumn, FigurePreset::TwoColumn})
        if (figurePresetInfo(p).key == key)
            return p;
    throw Error("figure preset '" + key.toStdString() + "' is not known (valid: " +
                figurePresetKeys().join(QStringLiteral(", ")).toStdString() + ")");
}

QString figurePresetLabel(FigurePreset preset)
{
    switch (preset) {
    case FigurePreset::Talk:
        return QCoreApplication::translate("repalign::gui::Figure", "Talk slide 16:9 (10 × 5.6 in)");
    case FigurePreset::OneColumn:
        return QCoreApplication::translate("repalign::gui::Figure", "Paper, one column (3.5 in)");
    case FigurePreset::TwoColumn:
        return QCoreApplication::translate("repalign::gui::Figure", "Paper, two columns (7 in)");
    }
    return {};
}

QString figureFormat(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png") || suffix == QLatin1String("svg") || suffix == QLatin1String("pdf"))
        return suffix;
    throw Error("figure file '" + path.toStdString() + "' has an unknown type '" + suffix.toStdString() +
                "' (valid: .png, .svg, .pdf)");
}

namespace {

QSize logicalSize(const FigurePresetInfo& info)
{
    return QSize(static_cast<int>(std::lround(info.inches.width() * kLayoutDpi)),
                 static_cast<int>(std::lround(info.inches.height() * kLayoutDpi)));
}

void fail(const QString& path, const char* what)
{
    throw Error("cannot write figure '" + path.toStdString() + "': " + what);
}

/// Renders through @p paint(QPainter&, QSize logical) onto the format of @p path.
template <typename PaintFn>
void renderFigure(const QString& path, const FigurePresetInfo& info, int dpi, PaintFn paint, bool qcp)
{
    const QString format = figureFormat(path);
    const QSize size = logicalSize(info);
    const QString title = QFileInfo(path).completeBaseName();
    // Write next to the target and rename, so a failed export never leaves half a figure.
    const QString tmp = path + QStringLiteral(".part");
    QFile::remove(tmp);
    if (format == QLatin1String("png")) {
        dpi = std::clamp(dpi, 36, 1200);
        const double scale = dpi / kLayoutDpi;
        QImage image(static_cast<int>(std::lround(info.inches.width() * dpi)),
                     static_cast<int>(std::lround(info.inches.height() * dpi)), QImage::Format_ARGB32);
        image.fill(Qt::white);
        image.setDotsPerMeterX(static_cast<int>(std::lround(dpi / 0.0254)));
        image.setDotsPerMeterY(static_cast<int>(std::lround(dpi / 0.0254)));
        {
            QCPPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setRenderHint(QPainter::TextAntialiasing);
            painter.scale(scale, scale);
            paint(painter, size);
        }
        if (!image.save(tmp, "PNG"))
            fail(path, "the PNG encoder failed");
    } else if (format == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setFileName(tmp);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setResolution(static_cast<int>(kLayoutDpi));
        svg.setTitle(title);
        svg.setDescription(QStringLiteral("RepAlign Workbench figure"));
        {
            QCPPainter painter;
            if (!painter.begin(&svg))
                fail(path, "the SVG writer could not open the file");
            if (qcp) {
                painter.setMode(QCPPainter::pmVectorized);
                painter.setMode(QCPPainter::pmNoCaching);
            }
            paint(painter, size);
            painter.end();
        }
    } else {
        QPdfWriter pdf(tmp);
        pdf.setResolution(static_cast<int>(kLayoutDpi));
        pdf.setPageSize(QPageSize(info.inches, QPageSize::Inch, title, QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setTitle(title);
        pdf.setCreator(QStringLiteral("RepAlign Workbench"));
        {
            QCPPainter painter;
            if (!painter.begin(&pdf))
                fail(path, "the PDF writer could not open the file");
            if (qcp) {
                painter.setMode(QCPPainter::pmVectorized);
                painter.setMode(QCPPainter::pmNoCaching);
            }
            paint(painter, size);
            painter.end();
        }
    }
    if (!QFileInfo::exists(tmp) || QFileInfo(tmp).size() == 0)
        fail(path, "nothing was written (is the folder writable?)");
    QFile::remove(path);
    if (!QFile::rename(tmp, path)) {
        QFile::remove(tmp);
        fail(path, "the file could not be moved into place");
    }
}

struct PlotFontGuard {
    QCustomPlot* plot;
    QList<QFont> tickFonts, labelFonts;
    QFont legendFont;
    QList<QPair<QCPTextElement*, QFont>> titles;
    explicit PlotFontGuard(QCustomPlot* p) : plot(p)
    {
        for (QCPAxisRect* rect : plot->axisRects())
            for (QCPAxis* a : rect->axes()) {
                tickFonts << a->tickLabelFont();
                labelFonts << a->labelFont();
            }
        legendFont = plot->legend->font();
        for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
            if (auto* t = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i)))
                titles << qMakePair(t, t->font());
    }
    void apply(double pt)
    {
        for (QCPAxisRect* rect : plot->axisRects())
            for (QCPAxis* a : rect->axes()) {
                QFont f = a->tickLabelFont();
                f.setPointSizeF(pt);
                a->setTickLabelFont(f);
                QFont l = a->labelFont();
                l.setPointSizeF(pt + 1);
                a->setLabelFont(l);
            }
        QFont lf = plot->legend->font();
        lf.setPointSizeF(pt);
        plot->legend->setFont(lf);
        for (int i = 0; i < plot->legend->itemCount(); ++i)
            plot->legend->item(i)->setFont(lf);
        for (auto& t : titles) {
            QFont tf = t.second;
            tf.setPointSizeF(pt + 2);
            t.first->setFont(tf);
        }
    }
    ~PlotFontGuard()
    {
        int i = 0;
        for (QCPAxisRect* rect : plot->axisRects())
            for (QCPAxis* a : rect->axes()) {
                a->setTickLabelFont(tickFonts.value(i));
                a->setLabelFont(labelFonts.value(i));
                ++i;
            }
        plot->legend->setFont(legendFont);
        for (int k = 0; k < plot->legend->itemCount(); ++k)
            plot->legend->item(k)->setFont(legendFont);
        for (auto& t : titles)
            t.first->setFont(t.second);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
};

} // namespace

void exportPlotFigure(QCustomPlot* plot, const QString& path, FigurePreset preset, int dpi)
{
    const FigurePresetInfo info = figurePresetInfo(preset);
    PlotFontGuard guard(plot);
    guard.apply(info.fontPoints);
    renderFigure(
        path, info, dpi,
        [&](QCPPainter& painter, QSize size) {
            plot->toPainter(&painter, size.width(), size.height());
        },
        true);
}

void exportWidgetFigure(QWidget* widget, const QString& path, FigurePreset preset, int dpi)
{
    const FigurePresetInfo info = figurePresetInfo(preset);
    const QSize oldSize = widget->size();
    const bool wasVisible = widget->isVisible();
    const QSize size = logicalSize(info);
    widget->resize(size);
    if (!wasVisible) {
        widget->setAttribute(Qt::WA_DontShowOnScreen, true);
        widget->show();
    }
    QCoreApplication::processEvents();
    renderFigure(
        path, info, dpi,
        [&](QCPPainter& painter, QSize) {
            widget->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren | QWidget::DrawWindowBackground);
        },
        false);
    if (!wasVisible) {
        widget->hide();
        widget->setAttribute(Qt::WA_DontShowOnScreen, false);
    }
    widget->resize(oldSize);
}

} // namespace repalign::gui
