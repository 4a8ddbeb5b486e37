#include "figureexport.h"

#include "plotstyle.h"

#include "common/error.h"

#include "qcp.h"
#include <QCoreApplication>
#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPaintDevice>
#include <QPaintEngine>
#include <QPainter>
#include <QPdfWriter>
#include <QPointer>
#include <QSvgGenerator>
#include <QWidget>

#include <algorithm>
#include <cmath>
#include <limits>

namespace repalign::gui {

FigurePresetInfo figurePresetInfo(FigurePreset preset)
{
    switch (preset) {
    case FigurePreset::Talk:
        return {preset, QStringLiteral("talk"), QSizeF(10.0, 5.625), 15.0};
    case FigurePreset::OneColumn:
        return {preset, QStringLiteral("column"), QSizeF(3.5, 2.625), 8.25};
    case FigurePreset::TwoColumn:
        return {preset, QStringLiteral("two-column"), QSizeF(7.0, 3.5), 8.25};
    }
    return {FigurePreset::Talk, QStringLiteral("talk"), QSizeF(10.0, 5.625), 15.0};
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
    throw Error("figure preset '" + key.toStdString()
        + "' is not known (valid: " + figurePresetKeys().join(QStringLiteral(", ")).toStdString() + ")");
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
    throw Error(
        "figure file '" + path.toStdString() + "' has an unknown type '" + suffix.toStdString() + "' (valid: .png, .svg, .pdf)");
}

namespace {

QSize logicalSize(QSizeF inches)
{
    return QSize(
        static_cast<int>(std::lround(inches.width() * kLayoutDpi)), static_cast<int>(std::lround(inches.height() * kLayoutDpi)));
}

QSize outputSize(QSizeF inches, int dpi)
{
    return QSize(static_cast<int>(std::lround(inches.width() * dpi)), static_cast<int>(std::lround(inches.height() * dpi)));
}

void fail(const QString& path, const char* what)
{
    throw Error("cannot write figure '" + path.toStdString() + "': " + what);
}

int dotsPerMeter(double dpi)
{
    return static_cast<int>(std::lround(dpi / 0.0254));
}

/// The raster path shared by PNG export and the text probe: a canvas whose fonts resolve at
/// kLayoutDpi, painted through one scale of dpi/96, so a point becomes dpi/72 output pixels once.
void paintRaster(QPaintDevice* device, int dpi, const FigurePainter& paint, QSize logical, bool qcp)
{
    QCPPainter painter(device);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    if (qcp)
        painter.setMode(QCPPainter::pmNoCaching); // cached tick-label pixmaps would be drawn at another scale
    const double scale = dpi / kLayoutDpi;
    painter.scale(scale, scale);
    paint(painter, logical);
}

/// Writes through @p paint onto the format of @p path, via a temporary file renamed into place.
void renderFigure(const QString& path, QSizeF inches, int dpi, const FigurePainter& paint, bool qcp)
{
    const QString format = figureFormat(path);
    const QSize size = logicalSize(inches);
    const QString title = QFileInfo(path).completeBaseName();
    // Write next to the target and rename, so a failed export never leaves half a figure.
    const QString tmp = path + QStringLiteral(".part");
    QFile::remove(tmp);
    if (format == QLatin1String("png")) {
        dpi = std::clamp(dpi, 36, 1200);
        QImage image(outputSize(inches, dpi), QImage::Format_ARGB32);
        if (image.isNull())
            fail(path, "the image is too large for memory (lower --dpi)");
        image.fill(Qt::white);
        // Fonts in points resolve against the canvas' dpi: keep it at the layout dpi while painting
        // (the painter's scale maps to the output), then record the real dpi in the file.
        image.setDotsPerMeterX(dotsPerMeter(kLayoutDpi));
        image.setDotsPerMeterY(dotsPerMeter(kLayoutDpi));
        paintRaster(&image, dpi, paint, size, qcp);
        image.setDotsPerMeterX(dotsPerMeter(dpi));
        image.setDotsPerMeterY(dotsPerMeter(dpi));
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
        pdf.setPageSize(QPageSize(inches, QPageSize::Inch, title, QPageSize::ExactMatch));
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

// ---- text probe ------------------------------------------------------------------------------

/// A paint engine that draws nothing and records each text item with the world transform.
class TextRecorderEngine : public QPaintEngine {
public:
    TextRecorderEngine()
        : QPaintEngine(QPaintEngine::AllFeatures)
    {
    }
    bool begin(QPaintDevice*) override { return true; }
    bool end() override { return true; }
    Type type() const override { return QPaintEngine::User; }
    void updateState(const QPaintEngineState& state) override
    {
        if (state.state() & QPaintEngine::DirtyTransform)
            m_transform = state.transform();
        if (state.state() & QPaintEngine::DirtyClipEnabled)
            m_clipOn = state.isClipEnabled();
        QRectF set;
        if (state.state() & QPaintEngine::DirtyClipRegion)
            set = m_transform.mapRect(QRectF(state.clipRegion().boundingRect()));
        else if (state.state() & QPaintEngine::DirtyClipPath)
            set = m_transform.mapRect(state.clipPath().boundingRect());
        if (state.state() & (QPaintEngine::DirtyClipRegion | QPaintEngine::DirtyClipPath)) {
            switch (state.clipOperation()) {
            case Qt::NoClip:
                m_clip = QRectF();
                m_clipOn = false;
                break;
            case Qt::ReplaceClip:
                m_clip = set;
                m_clipOn = true;
                break;
            case Qt::IntersectClip:
                m_clip = m_clip.isNull() ? set : m_clip.intersected(set);
                m_clipOn = true;
                break;
            }
        }
    }
    void drawPixmap(const QRectF&, const QPixmap&, const QRectF&) override { }
    void drawImage(const QRectF&, const QImage&, const QRectF&, Qt::ImageConversionFlags) override { }
    void drawPolygon(const QPointF*, int, PolygonDrawMode) override { }
    void drawPath(const QPainterPath&) override { }
    void drawLines(const QLineF*, int) override { }
    void drawRects(const QRectF*, int) override { }
    void drawEllipse(const QRectF&) override { }
    void drawPoints(const QPointF*, int) override { }
    void drawTextItem(const QPointF& p, const QTextItem& item) override
    {
        if (item.text().trimmed().isEmpty())
            return;
        const QFont font = item.font();
        const double logicalPx = font.pixelSize() > 0 ? font.pixelSize() : font.pointSizeF() * kLayoutDpi / 72.0;
        const QRectF logical(p.x(), p.y() - item.ascent(), item.width(), item.ascent() + item.descent());
        // The transform's scale (a rotated axis title has m22 = 0).
        const double scale = std::hypot(m_transform.m11(), m_transform.m12());
        items << FigureTextItem {item.text(), m_transform.mapRect(logical), logicalPx * scale, m_clipOn ? m_clip : QRectF()};
    }
    QList<FigureTextItem> items;

private:
    QTransform m_transform;
    QRectF m_clip;
    bool m_clipOn = false;
};

class TextRecorderDevice : public QPaintDevice {
public:
    explicit TextRecorderDevice(QSize size)
        : m_size(size)
    {
    }
    QPaintEngine* paintEngine() const override { return &m_engine; }
    TextRecorderEngine& engine() const { return m_engine; }

protected:
    int metric(PaintDeviceMetric m) const override
    {
        switch (m) {
        case PdmWidth:
            return m_size.width();
        case PdmHeight:
            return m_size.height();
        case PdmWidthMM:
            return static_cast<int>(m_size.width() * 25.4 / kLayoutDpi);
        case PdmHeightMM:
            return static_cast<int>(m_size.height() * 25.4 / kLayoutDpi);
        case PdmNumColors:
            return 0x7fffffff;
        case PdmDepth:
            return 32;
        case PdmDpiX:
        case PdmDpiY:
        case PdmPhysicalDpiX:
        case PdmPhysicalDpiY:
            return static_cast<int>(kLayoutDpi);
        case PdmDevicePixelRatio:
            return 1;
        case PdmDevicePixelRatioScaled:
            return static_cast<int>(devicePixelRatioFScale());
        }
        return 0;
    }

private:
    QSize m_size;
    mutable TextRecorderEngine m_engine;
};

FigureTextLayout probe(const FigurePainter& paint, QSizeF inches, int dpi, bool qcp)
{
    const QSize out = outputSize(inches, dpi);
    TextRecorderDevice device(out);
    paintRaster(&device, dpi, paint, logicalSize(inches), qcp);
    return FigureTextLayout {QSizeF(out), device.engine().items};
}

// ---- plot fonts for a preset ------------------------------------------------------------------

void collectTextElements(QCPLayout* layout, QList<QCPTextElement*>& out)
{
    if (!layout)
        return;
    for (int i = 0; i < layout->elementCount(); ++i) {
        QCPLayoutElement* e = layout->elementAt(i);
        if (auto* t = qobject_cast<QCPTextElement*>(e))
            out << t;
        else if (auto* sub = qobject_cast<QCPLayout*>(e); sub && !qobject_cast<QCPLegend*>(e))
            collectTextElements(sub, out);
    }
}

QFont withPixels(QFont f, int px)
{
    f.setPixelSize(std::max(1, px));
    return f;
}

/// Sets every font of @p plot to the preset's size (in canvas pixels) for the export, and puts
/// everything back when it goes out of scope, so exporting from a live view leaves it as it was.
class PlotFigureStyle {
public:
    PlotFigureStyle(QCustomPlot* plot, const FigurePresetInfo& info)
        : m_plot(plot)
    {
        for (QCPAxisRect* rect : plot->axisRects())
            for (QCPAxis* a : rect->axes())
                m_axes << AxisFonts {a, a->tickLabelFont(), a->labelFont()};
        m_legendFont = plot->legend->font();
        m_legendIcon = plot->legend->iconSize();
        m_legendWrap = plot->legend->wrap();
        for (int i = 0; i < plot->legend->itemCount(); ++i)
            if (QCPAbstractLegendItem* item = plot->legend->item(i)) // wrapped grids have empty cells
                m_items << qMakePair(QPointer<QCPAbstractLegendItem>(item), item->font());
        collectTextElements(plot->plotLayout(), m_titleElements);
        for (QCPTextElement* t : m_titleElements)
            m_titles << t->font();

        const int tick = figurePixels(info.fontPoints);
        const int label = figurePixels(info.labelPoints());
        const int title = figurePixels(info.titlePoints());
        for (const AxisFonts& a : m_axes) {
            a.axis->setTickLabelFont(withPixels(a.tick, tick));
            a.axis->setLabelFont(withPixels(a.label, label));
        }
        const QFont legendFont = withPixels(m_legendFont, tick);
        plot->legend->setFont(legendFont);
        plot->legend->setIconSize(QSize(static_cast<int>(std::lround(tick * 1.8)), static_cast<int>(std::lround(tick * 0.9))));
        for (auto& item : m_items)
            item.first->setFont(legendFont);
        for (QCPTextElement* t : m_titleElements)
            t->setFont(withPixels(t->font(), title));
        fitLegend(info);
    }
    ~PlotFigureStyle()
    {
        for (const AxisFonts& a : m_axes) {
            a.axis->setTickLabelFont(a.tick);
            a.axis->setLabelFont(a.label);
        }
        m_plot->legend->setFont(m_legendFont);
        m_plot->legend->setIconSize(m_legendIcon);
        for (auto& item : m_items)
            if (item.first)
                item.first->setFont(item.second);
        for (int i = 0; i < m_titleElements.size(); ++i)
            m_titleElements[i]->setFont(m_titles[i]);
        if (m_legendWrap != m_plot->legend->wrap())
            m_plot->legend->setWrap(m_legendWrap);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }

private:
    /// A legend in its own row (under the axes) gets as many columns as its widest entry allows.
    void fitLegend(const FigurePresetInfo& info)
    {
        QCPLegend* legend = m_plot->legend;
        if (!legend->visible() || m_items.isEmpty() || legend->layout() == m_plot->axisRect()->insetLayout())
            return;
        int widest = 0;
        for (auto& item : m_items)
            widest = std::max(widest, item.first->minimumOuterSizeHint().width());
        const int available
            = static_cast<int>(info.inches.width() * kLayoutDpi) - legend->margins().left() - legend->margins().right() - 16;
        const int spacing = legend->columnSpacing();
        const int columns
            = std::clamp((available + spacing) / std::max(1, widest + spacing), 1, static_cast<int>(m_items.size()));
        if (columns != legend->wrap())
            legend->setWrap(columns);
    }

    struct AxisFonts {
        QCPAxis* axis;
        QFont tick, label;
    };
    QCustomPlot* m_plot;
    QList<AxisFonts> m_axes;
    QFont m_legendFont;
    QSize m_legendIcon;
    int m_legendWrap = 0;
    QList<QPair<QPointer<QCPAbstractLegendItem>, QFont>> m_items;
    QList<QCPTextElement*> m_titleElements;
    QList<QFont> m_titles;
};

FigurePainter plotPainter(QCustomPlot* plot)
{
    return [plot](QPainter& painter, QSize size) {
        plot->toPainter(static_cast<QCPPainter*>(&painter), size.width(), size.height());
    };
}

} // namespace

int figurePixels(double points)
{
    return static_cast<int>(std::lround(points * kLayoutDpi / 72.0));
}

void exportPlotFigure(QCustomPlot* plot, const QString& path, FigurePreset preset, int dpi)
{
    figureFormat(path);
    const FigurePresetInfo info = figurePresetInfo(preset);
    PlotFigureStyle style(plot, info);
    renderFigure(path, info.inches, dpi, plotPainter(plot), true);
}

FigureTextLayout probePlotFigureText(QCustomPlot* plot, FigurePreset preset, int dpi)
{
    const FigurePresetInfo info = figurePresetInfo(preset);
    PlotFigureStyle style(plot, info);
    return probe(plotPainter(plot), info.inches, dpi, true);
}

void exportPaintedFigure(const FigurePainter& paint, const QString& path, QSizeF inches, int dpi)
{
    renderFigure(path, inches, dpi, paint, false);
}

FigureTextLayout probePaintedFigureText(const FigurePainter& paint, QSizeF inches, int dpi)
{
    return probe(paint, inches, dpi, false);
}

void exportWidgetFigure(QWidget* widget, const QString& path, FigurePreset preset, int dpi)
{
    const FigurePresetInfo info = figurePresetInfo(preset);
    const QSize oldSize = widget->size();
    const bool wasVisible = widget->isVisible();
    const QSize size = logicalSize(info.inches);
    widget->resize(size);
    if (!wasVisible) {
        widget->setAttribute(Qt::WA_DontShowOnScreen, true);
        widget->show();
    }
    QCoreApplication::processEvents();
    renderFigure(
        path, info.inches, dpi,
        [&](QPainter& painter, QSize) {
            widget->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren | QWidget::DrawWindowBackground);
        },
        false);
    if (!wasVisible) {
        widget->hide();
        widget->setAttribute(Qt::WA_DontShowOnScreen, false);
    }
    widget->resize(oldSize);
}

void plotStudyFigure(QCustomPlot* plot, const QList<StudyFigureSeriesPoint>& points, const QString& xLabel, const QString& yLabel,
    const QString& y2Label, const QString& hueLabel)
{
    plot->clearPlottables();
    plot->clearItems();
    stylePlot(plot, plot->xAxis->tickLabelFont().pointSizeF() > 0 ? plot->xAxis->tickLabelFont().pointSizeF() : 9);
    // x positions: numeric when every x value is a number, else categories in order.
    bool numeric = !points.isEmpty();
    QStringList categories;
    for (const auto& p : points) {
        bool ok = false;
        p.x.toDouble(&ok);
        numeric = numeric && ok;
        if (!categories.contains(p.x))
            categories << p.x;
    }
    auto xOf = [&](const QString& x) { return numeric ? x.toDouble() : static_cast<double>(categories.indexOf(x)); };
    if (!numeric) {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int i = 0; i < categories.size(); ++i)
            ticker->addTick(i, categories[i]);
        plot->xAxis->setTicker(ticker);
    } else {
        plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    QStringList hues;
    for (const auto& p : points)
        if (!hues.contains(p.hue))
            hues << p.hue;
    const bool legend = hues.size() > 1 || !y2Label.isEmpty();
    plot->legend->setVisible(legend);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, xlo = lo, xhi = -lo;
    for (int h = 0; h < hues.size(); ++h) {
        QList<StudyFigureSeriesPoint> series;
        for (const auto& p : points)
            if (p.hue == hues[h])
                series << p;
        std::sort(series.begin(), series.end(), [&](const auto& a, const auto& b) { return xOf(a.x) < xOf(b.x); });
        QVector<double> x, y, err, errHigh, acc;
        for (const auto& p : series) {
            x << xOf(p.x);
            y << p.mean;
            err << p.mean - p.low;
            errHigh << p.high - p.mean;
            acc << p.y2;
            lo = std::min(lo, p.low);
            hi = std::max(hi, p.high);
            xlo = std::min(xlo, x.back());
            xhi = std::max(xhi, x.back());
        }
        const QColor c = paletteColor(h);
        auto* g = plot->addGraph();
        g->setPen(QPen(c, 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, 6));
        g->setData(x, y, true);
        const QString hueName
            = hues[h].isEmpty() ? yLabel : (hueLabel.isEmpty() ? hues[h] : QStringLiteral("%1 = %2").arg(hueLabel, hues[h]));
        g->setName(hueName);
        auto* bars = new QCPErrorBars(plot->xAxis, plot->yAxis);
        bars->setDataPlottable(g);
        bars->setData(err, errHigh);
        bars->setPen(QPen(c, 1.5));
        bars->removeFromLegend();
        if (!y2Label.isEmpty()) {
            auto* a = plot->addGraph(plot->xAxis, plot->yAxis2);
            a->setPen(QPen(c, 1.5, Qt::DashLine));
            a->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, c, QColor(Qt::white), 6));
            a->setData(x, acc, true);
            a->setName(hues[h].isEmpty() ? y2Label : QStringLiteral("%1 (%2)").arg(y2Label, hueName));
        }
    }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
        xlo = 0;
        xhi = 1;
    }
    const double pad = std::max(1e-9, (hi - lo) * 0.08);
    plot->yAxis->setRange(lo - pad, hi + pad);
    const double xpad = numeric ? std::max(0.05, (xhi - xlo) * 0.06) : 0.5;
    plot->xAxis->setRange(xlo - xpad, xhi + xpad);
    plot->yAxis2->setVisible(!y2Label.isEmpty());
    if (!y2Label.isEmpty()) {
        plot->yAxis2->setLabel(y2Label);
        plot->yAxis2->setTickLabelFont(plot->yAxis->tickLabelFont());
        plot->yAxis2->setLabelFont(plot->yAxis->labelFont());
        plot->yAxis2->rescale();
        const QCPRange r = plot->yAxis2->range();
        const double p2 = std::max(1e-3, r.size() * 0.1);
        plot->yAxis2->setRange(r.lower - p2, r.upper + p2);
    }
}

} // namespace repalign::gui
