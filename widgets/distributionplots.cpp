#include "distributionplots.h"

#include "neuronmodel.h"
#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"
#include "interpret/analysis.h"
#include "interpret/comparison.h"
#include "interpret/stats.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace repalign::gui {

QString metricLabel(const QString& metric)
{
    if (metric == QLatin1String("lpips"))
        return QStringLiteral("II-LPIPS");
    if (metric == QLatin1String("color"))
        return QStringLiteral("II-color");
    if (metric == QLatin1String("label"))
        return QStringLiteral("II-label");
    if (metric == QLatin1String("lpips_synth"))
        return QCoreApplication::translate("DistributionPlots", "II-LPIPS (synthesised)");
    if (metric == QLatin1String("color_synth"))
        return QCoreApplication::translate("DistributionPlots", "II-color (synthesised)");
    return metric;
}

DistributionGroup loadDistributionGroup(const QString& analysisPath, const QString& metric, const QString& label)
{
    DistributionGroup g;
    g.label = !label.isEmpty() ? label : analysisLabel(analysisPath);
    const std::vector<float> v = comparisonValues(analysisPath.toStdString(), metric.toStdString());
    g.values.assign(v.begin(), v.end());
    return g;
}

namespace {

void resetPlot(QCustomPlot* plot, const QString& title)
{
    plot->clearPlottables();
    plot->clearItems();
    if (plot->plotLayout()->rowCount() < 2 || !qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) {
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title));
    } else {
        static_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))->setText(title);
    }
    plot->legend->setVisible(true);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    stylePlot(plot, plot->xAxis->tickLabelFont().pointSizeF() > 0 ? plot->xAxis->tickLabelFont().pointSizeF() : 9);
}

} // namespace

void plotDistributions(QCustomPlot* plot, const QList<DistributionGroup>& groups, DistributionKind kind, const QString& label)
{
    resetPlot(plot, QCoreApplication::translate("repalign::gui::DistributionsView", "%1 distribution").arg(label));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& g : groups)
        for (double v : g.values)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    if (!std::isfinite(lo)) {
        plot->legend->setVisible(false); // nothing to name: no empty legend box
        plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    if (hi <= lo)
        hi = lo + 1e-6;
    if (kind == DistributionKind::Histogram) {
        const int bins = 30;
        const double width = (hi - lo) / bins;
        double top = 0;
        for (int gi = 0; gi < groups.size(); ++gi) {
            const auto& g = groups[gi];
            QVector<double> x(bins), y(bins, 0.0);
            for (int b = 0; b < bins; ++b)
                x[b] = lo + (b + 0.5) * width;
            for (double v : g.values)
                if (std::isfinite(v))
                    y[std::clamp(static_cast<int>((v - lo) / width), 0, bins - 1)] += 1.0;
            // Density, so groups of different sizes compare.
            for (double& c : y)
                c /= std::max<std::size_t>(1, g.values.size()) * width;
            for (double c : y)
                top = std::max(top, c);
            auto* graph = plot->addGraph();
            graph->setLineStyle(QCPGraph::lsStepCenter);
            QColor c = paletteColor(gi);
            graph->setPen(QPen(c, 1.8));
            c.setAlpha(50);
            graph->setBrush(c);
            graph->setName(QStringLiteral("%1 (n=%2)").arg(g.label).arg(g.values.size()));
            graph->setData(x, y);
        }
        plot->xAxis->setLabel(label);
        plot->yAxis->setLabel(QCoreApplication::translate("repalign::gui::DistributionsView", "Density"));
        plot->xAxis->setRange(lo - width, hi + width);
        plot->yAxis->setRange(0, top * 1.12);
    } else {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int gi = 0; gi < groups.size(); ++gi)
            ticker->addTick(gi + 1, groups[gi].label);
        const double pad = 0.05 * (hi - lo);
        for (int gi = 0; gi < groups.size(); ++gi) {
            const auto& g = groups[gi];
            const QColor color = paletteColor(gi);
            if (kind == DistributionKind::Violin && g.values.size() > 1) {
                QVector<double> grid(120);
                for (int i = 0; i < grid.size(); ++i)
                    grid[i] = lo - pad + (hi - lo + 2 * pad) * i / (grid.size() - 1);
                const std::vector<double> dv = stats::gaussianKde(g.values, std::vector<double>(grid.begin(), grid.end()));
                const QVector<double> d(dv.begin(), dv.end());
                const double dmax = *std::max_element(d.begin(), d.end());
                auto* curve = new QCPCurve(plot->xAxis, plot->yAxis);
                QVector<double> t, cx, cy;
                int n = 0;
                for (int i = 0; i < grid.size(); ++i) {
                    t << n++;
                    cx << gi + 1 + 0.4 * d[i] / dmax;
                    cy << grid[i];
                }
                for (int i = grid.size() - 1; i >= 0; --i) {
                    t << n++;
                    cx << gi + 1 - 0.4 * d[i] / dmax;
                    cy << grid[i];
                }
                curve->setData(t, cx, cy);
                curve->setPen(QPen(color, 1.5));
                QColor fill = color;
                fill.setAlpha(70);
                curve->setBrush(fill);
                curve->setName(QStringLiteral("%1 (n=%2)").arg(g.label).arg(g.values.size()));
            }
            auto* box = new QCPStatisticalBox(plot->xAxis, plot->yAxis);
            box->addData(gi + 1, stats::quantile(g.values, 0.0), stats::quantile(g.values, 0.25), stats::quantile(g.values, 0.5),
                stats::quantile(g.values, 0.75), stats::quantile(g.values, 1.0));
            box->setWidth(kind == DistributionKind::Violin ? 0.12 : 0.5);
            box->setPen(QPen(kind == DistributionKind::Violin ? QColor(40, 40, 40) : color, 1.5));
            QColor bf = kind == DistributionKind::Violin ? QColor(255, 255, 255, 220) : color;
            if (kind == DistributionKind::Box)
                bf.setAlpha(90);
            box->setBrush(bf);
            box->setMedianPen(QPen(QColor(20, 20, 20), 2));
            if (kind == DistributionKind::Box)
                box->setName(QStringLiteral("%1 (n=%2)").arg(g.label).arg(g.values.size()));
            else
                box->removeFromLegend();
        }
        plot->xAxis->setTicker(ticker);
        plot->xAxis->setLabel(QString());
        plot->yAxis->setLabel(label);
        plot->xAxis->setRange(0.4, groups.size() + 0.6);
        plot->yAxis->setRange(lo - 2 * pad, hi + 2 * pad);
        plot->legend->setVisible(false);
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void plotPairedScatter(QCustomPlot* plot, const DistributionGroup& a, const DistributionGroup& b, const QString& label)
{
    resetPlot(plot, QCoreApplication::translate("repalign::gui::DistributionsView", "%1 per unit").arg(label));
    const std::size_t n = std::min(a.values.size(), b.values.size());
    QVector<double> x, y;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < n; ++i) {
        x << a.values[i];
        y << b.values[i];
        lo = std::min({lo, a.values[i], b.values[i]});
        hi = std::max({hi, a.values[i], b.values[i]});
    }
    if (!std::isfinite(lo)) {
        plot->legend->setVisible(false); // nothing to name: no empty legend box
        plot->xAxis->setLabel(a.label); // empty without a pair: no stale model names
        plot->yAxis->setLabel(b.label);
        plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const double pad = std::max(1e-6, 0.05 * (hi - lo));
    auto* diag = plot->addGraph();
    diag->setData(QVector<double> {lo - pad, hi + pad}, QVector<double> {lo - pad, hi + pad});
    diag->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    diag->setName(QStringLiteral("y = x"));
    auto* pts = plot->addGraph();
    pts->setLineStyle(QCPGraph::lsNone);
    QColor c = paletteColor(0);
    c.setAlpha(150);
    pts->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, 4));
    pts->setData(x, y);
    pts->setName(QCoreApplication::translate("repalign::gui::DistributionsView", "units (n=%1)").arg(n));
    plot->xAxis->setLabel(a.label);
    plot->yAxis->setLabel(b.label);
    plot->xAxis->setRange(lo - pad, hi + pad);
    plot->yAxis->setRange(lo - pad, hi + pad);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace repalign::gui
