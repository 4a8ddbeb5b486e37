#include "metricplot.h"

#include "metricsmodel.h"
#include "plotstyle.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <limits>

namespace repalign::gui {

QString metricTitle(const QString& name)
{
    if (name == QLatin1String("loss"))
        return QCoreApplication::translate("repalign::gui::MonitorView", "Loss");
    if (name == QLatin1String("acc"))
        return QCoreApplication::translate("repalign::gui::MonitorView", "Accuracy");
    if (name == QLatin1String("lr"))
        return QCoreApplication::translate("repalign::gui::MonitorView", "Learning rate");
    if (name == QLatin1String("pred_loss"))
        return QCoreApplication::translate("repalign::gui::MonitorView", "Prediction loss (MSE)");
    if (name == QLatin1String("kd_loss"))
        return QCoreApplication::translate("repalign::gui::MonitorView", "Distillation loss (KL)");
    if (name == QLatin1String("predictivity"))
        return QCoreApplication::translate("repalign::gui::MonitorView", "Predictivity (r)");
    return name;
}

QString xAxisTitle(XAxisKind kind)
{
    switch (kind) {
    case XAxisKind::Step:
        return QCoreApplication::translate("repalign::gui::MonitorView", "Step");
    case XAxisKind::Epoch:
        return QCoreApplication::translate("repalign::gui::MonitorView", "Epoch");
    case XAxisKind::WallTime:
        return QCoreApplication::translate("repalign::gui::MonitorView", "Wall time (s)");
    }
    return {};
}

// ---- MetricPlot -------------------------------------------------------------------------

MetricPlot::MetricPlot(const QString& metric, QWidget* parent)
    : QCustomPlot(parent)
    , m_metric(metric)
{
    setMinimumHeight(240);
    plotLayout()->insertRow(0);
    plotLayout()->addElement(0, 0, new QCPTextElement(this, metricTitle(metric)));
    // The legend goes in its own row under the axes, so it never hides a curve.
    auto* legendRow = new QCPLayoutGrid;
    plotLayout()->addElement(2, 0, legendRow);
    legendRow->setMargins(QMargins(0, 0, 0, 4));
    axisRect()->insetLayout()->take(legend);
    legendRow->addElement(0, 0, legend);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(3);
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    plotLayout()->setRowStretchFactor(2, 0.001);
    legend->setVisible(true);
    stylePlot(this);
    legend->setBorderPen(Qt::NoPen);
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
        if (!m_inRedecimate)
            redecimate();
    });
}

void MetricPlot::setSeries(
    const MetricsModel& model, const QStringList& runs, const QHash<QString, QColor>& colors, const MonitorOptions& options)
{
    m_options = options;
    clearGraphs();
    m_curves.clear();
    m_rawPoints = 0;
    m_hasRunExtent = false;
    for (const QString& runPath : runs) {
        const RunMetrics* run = model.run(runPath);
        if (!run)
            continue;
        // The run's extent over all its metrics: per-epoch curves start where the run starts.
        for (const MetricSeries& s : run->series) {
            const QVector<double>& xs = options.x == XAxisKind::Step ? s.step : options.x == XAxisKind::Epoch ? s.epoch : s.wall;
            for (double v : xs) {
                if (!std::isfinite(v))
                    continue;
                if (!m_hasRunExtent)
                    m_runExtent = QCPRange(v, v);
                m_runExtent.lower = std::min(m_runExtent.lower, v);
                m_runExtent.upper = std::max(m_runExtent.upper, v);
                m_hasRunExtent = true;
            }
        }
        const QColor color = colors.value(runPath, paletteColor(0));
        for (const QString& split : {QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test")}) {
            if (split == QLatin1String("train") && !options.showTrain)
                continue;
            if (split != QLatin1String("train") && !options.showVal)
                continue;
            auto it = run->series.find(split + QLatin1Char('/') + m_metric);
            if (it == run->series.end() || it->value.isEmpty())
                continue;
            const MetricSeries& s = *it;
            const QVector<double>& x = options.x == XAxisKind::Step ? s.step : options.x == XAxisKind::Epoch ? s.epoch : s.wall;
            QVector<double> y = s.value;
            if (options.logY)
                for (double& v : y)
                    if (!(v > 0))
                        v = std::numeric_limits<double>::quiet_NaN();
            m_rawPoints += y.size();
            const QString label = runs.size() > 1 ? QStringLiteral("%1 · %2").arg(run->name, split) : split;
            // Dense series (per-step training curves) get smoothed; sparse ones (per epoch) do not.
            const bool smooth = options.smoothing > 0 && y.size() >= 20 && m_metric != QLatin1String("lr");
            const bool dashed = split != QLatin1String("train");
            if (smooth) {
                Curve raw;
                raw.graph = addGraph();
                QColor faint = color;
                faint.setAlpha(60);
                raw.graph->setPen(QPen(faint, 1));
                // The faint raw curve is dense and noisy: antialiasing it costs most of a redraw and is invisible.
                raw.graph->setAntialiased(false);
                raw.graph->removeFromLegend();
                raw.x = x;
                raw.y = y;
                raw.faint = true;
                raw.label = label;
                m_curves << raw;
            }
            Curve c;
            c.graph = addGraph();
            QPen pen(color, 1.8);
            if (dashed)
                pen.setStyle(Qt::DashLine);
            c.graph->setPen(pen);
            if (y.size() < 200)
                c.graph->setScatterStyle(QCPScatterStyle(
                    dashed ? QCPScatterStyle::ssCircle : QCPScatterStyle::ssNone, color, dashed ? Qt::white : color, 5));
            c.graph->setName(label);
            c.x = x;
            c.y = smooth ? emaSmooth(y, options.smoothing) : y;
            c.label = label;
            m_curves << c;
        }
    }
    legend->setVisible(m_curves.size() > 0);
    fitLegend();
    xAxis->setLabel(xAxisTitle(options.x));
    yAxis->setLabel(QString());
    if (options.logY) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        yAxis->setNumberFormat(QStringLiteral("gb"));
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        yAxis->setNumberFormat(QStringLiteral("g"));
    }
    if (!m_userRange)
        resetView();
    else
        redecimate();
}

void MetricPlot::resetView()
{
    m_userRange = false;
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
    double ymin = xmin, ymax = -xmin;
    for (const Curve& c : m_curves) {
        for (int i = 0; i < c.x.size(); ++i) {
            const double y = c.y[i];
            if (!std::isfinite(y) || !std::isfinite(c.x[i]))
                continue;
            xmin = std::min(xmin, c.x[i]);
            xmax = std::max(xmax, c.x[i]);
            ymin = std::min(ymin, y);
            ymax = std::max(ymax, y);
        }
    }
    m_inRedecimate = true;
    if (std::isfinite(xmin)) {
        if (m_hasRunExtent) {
            xmin = std::min(xmin, m_runExtent.lower);
            xmax = std::max(xmax, m_runExtent.upper);
        }
        if (xmax <= xmin)
            xmax = xmin + 1;
        xAxis->setRange(xmin, xmax);
        if (m_options.logY) {
            yAxis->setRange(ymin / 1.3, ymax * 1.3);
        } else {
            const double pad = ymax > ymin ? 0.05 * (ymax - ymin) : std::max(1e-12, std::abs(ymax) * 0.1 + 1e-3);
            yAxis->setRange(ymin - pad, ymax + pad);
        }
    } else {
        xAxis->setRange(0, 1);
        yAxis->setRange(m_options.logY ? 0.1 : 0, 1);
    }
    m_inRedecimate = false;
    redecimate();
}

void MetricPlot::redecimate()
{
    m_inRedecimate = true;
    const QCPRange range = xAxis->range();
    const int columns = std::max(100, axisRect()->width());
    for (Curve& c : m_curves) {
        const Decimated d = decimateMinMax(c.x, c.y, range.lower, range.upper, columns);
        c.graph->setData(d.x, d.y, /*alreadySorted=*/true);
    }
    m_inRedecimate = false;
    replot(QCustomPlot::rpQueuedReplot);
}

int MetricPlot::drawnPoints() const
{
    int n = 0;
    for (const Curve& c : m_curves)
        n += c.graph->dataCount();
    return n;
}

void MetricPlot::resizeEvent(QResizeEvent* event)
{
    fitLegend();
    QCustomPlot::resizeEvent(event);
    redecimate();
}

QSize MetricPlot::minimumSizeHint() const
{
    // QCustomPlot asks for its layout's minimum, which is the legend's full width on one row.
    return QSize(kMinimumWidth, minimumHeight());
}

void MetricPlot::fitLegend()
{
    // Cells of the legend's grid may be empty (itemCount() counts them): measure the entries.
    QVector<int> widths;
    int itemHeight = 0;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (QCPAbstractLegendItem* item = legend->item(i)) {
            const QSize hint = item->minimumOuterSizeHint();
            widths << hint.width();
            itemHeight = std::max(itemHeight, hint.height());
        }
    const int n = static_cast<int>(widths.size());
    if (n == 0)
        return;
    const QMargins lm = legend->margins();
    const int avail = width() - lm.left() - lm.right() - 8;
    // The most columns whose widest entries fit side by side (column-first fill, like the legend).
    int columns = 1;
    for (int c = n; c > 1; --c) {
        int total = (c - 1) * legend->columnSpacing();
        for (int col = 0; col < c; ++col) {
            int widest = 0;
            for (int i = col; i < n; i += c)
                widest = std::max(widest, widths[i]);
            total += widest;
        }
        if (total <= avail) {
            columns = c;
            break;
        }
    }
    if (legend->wrap() != columns || legend->columnCount() > columns || legend->itemCount() != n) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
    // Room for the axes plus every legend row.
    const int rows = (n + columns - 1) / columns;
    const int needed = 220 + rows * (itemHeight + legend->rowSpacing()) + lm.top() + lm.bottom();
    if (minimumHeight() != needed)
        setMinimumHeight(needed);
}

QString MetricPlot::pointText(const QPointF& pos) const
{
    // Nearest point in screen distance over the visible curves, from the raw data.
    double best = 400.0; // px^2: within 20 px
    QString text;
    for (const Curve& c : m_curves) {
        if (c.faint || c.x.isEmpty())
            continue;
        const double xv = xAxis->pixelToCoord(pos.x());
        auto it = std::lower_bound(c.x.begin(), c.x.end(), xv);
        const int i0 = static_cast<int>(it - c.x.begin());
        for (int i = std::max(0, i0 - 2); i < std::min<int>(c.x.size(), i0 + 2); ++i) {
            if (!std::isfinite(c.y[i]))
                continue;
            const double dx = xAxis->coordToPixel(c.x[i]) - pos.x();
            const double dy = yAxis->coordToPixel(c.y[i]) - pos.y();
            const double d2 = dx * dx + dy * dy;
            if (d2 < best) {
                best = d2;
                text = QStringLiteral("<b>%1</b><br>%2: %3<br>%4: %5")
                           .arg(c.label.toHtmlEscaped(), xAxisTitle(m_options.x), QString::number(c.x[i], 'g', 8),
                               metricTitle(m_metric), QString::number(c.y[i], 'g', 6));
            }
        }
    }
    return text;
}

QHash<QString, QColor> runColors(const QStringList& runs)
{
    QHash<QString, QColor> colors;
    for (int i = 0; i < runs.size(); ++i)
        colors.insert(runs[i], paletteColor(i));
    return colors;
}

} // namespace repalign::gui
