#include "psychplots.h"

#include "distributionplots.h"
#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"
#include "interpret/comparison.h"
#include "psych/psych.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <limits>

namespace repalign::gui {

namespace {

QString trPlot(const char* text)
{
    return QCoreApplication::translate("repalign::gui::PsychPlots", text);
}

QString number(double v, int digits = 2)
{
    return std::isfinite(v) ? QString::number(v, 'f', digits) : QStringLiteral("–");
}

QString pText(double p)
{
    return QString::fromStdString(formatPValue(p));
}

/// Title and subtitle rows above the axes and the legend in its own row under them (so it never
/// hides a bar or a point); set up once per plot, the texts replaced on every draw.
void preparePlot(QCustomPlot* plot, const QString& title, const QString& subtitle)
{
    plot->clearPlottables();
    plot->clearItems();
    const double base = plot->xAxis->tickLabelFont().pointSizeF() > 0 ? plot->xAxis->tickLabelFont().pointSizeF() : 9;
    if (!plot->property("repalignPsychLayout").toBool()) {
        plot->setProperty("repalignPsychLayout", true);
        QCPLayoutGrid* layout = plot->plotLayout();
        layout->insertRow(0);
        layout->addElement(0, 0, new QCPTextElement(plot, title));
        layout->insertRow(1);
        layout->addElement(1, 0, new QCPTextElement(plot, subtitle));
        auto* legendRow = new QCPLayoutGrid;
        layout->addElement(3, 0, legendRow);
        legendRow->setMargins(QMargins(0, 0, 0, 4));
        plot->axisRect()->insetLayout()->take(plot->legend);
        legendRow->addElement(0, 0, plot->legend);
        plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        plot->legend->setWrap(1); // one entry a row on screen; a figure export fits its columns to the page
        layout->setRowStretchFactor(3, 0.001);
    }
    auto* titleElement = static_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0));
    auto* subtitleElement = static_cast<QCPTextElement*>(plot->plotLayout()->element(1, 0));
    titleElement->setText(title);
    subtitleElement->setText(subtitle);
    subtitleElement->setVisible(!subtitle.isEmpty());
    stylePlot(plot, base);
    QFont sf = subtitleElement->font();
    sf.setBold(false);
    sf.setPointSizeF(base + 1.0);
    subtitleElement->setFont(sf);
    subtitleElement->setTextColor(QColor(60, 60, 60));
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setVisible(true);
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    plot->xAxis->setTickLabelRotation(0);
    // Accuracy in quarters (chance, 0.5, is one): five labels that stay apart on a short paper figure.
    QSharedPointer<QCPAxisTickerFixed> quarters(new QCPAxisTickerFixed);
    quarters->setTickStep(0.25);
    quarters->setScaleStrategy(QCPAxisTickerFixed::ssNone);
    plot->yAxis->setTicker(quarters);
}

/// A legend entry that is only text (the statistics), drawn by an empty, pen-less graph.
void addLegendText(QCustomPlot* plot, const QString& text)
{
    auto* g = plot->addGraph();
    g->setPen(Qt::NoPen);
    g->setLineStyle(QCPGraph::lsNone);
    g->setName(text);
}

void addChanceLine(QCustomPlot* plot, double x0, double x1)
{
    auto* chance = plot->addGraph();
    chance->setData(QVector<double> {x0, x1}, QVector<double> {0.5, 0.5});
    chance->setPen(QPen(QColor(110, 110, 110), 1.5, Qt::DashLine));
    chance->setName(trPlot("chance (0.5)"));
}

} // namespace

QString psychObserverLabel(const psych::PsychSummary& s)
{
    if (s.source == "simulated")
        return trPlot("simulated observer (noise %1)").arg(QString::number(s.observerNoise, 'g', 3));
    int included = 0;
    for (std::size_t i = 0; i < s.participants.size(); ++i)
        included += i < s.participantExcluded.size() && s.participantExcluded[i] ? 0 : 1;
    return trPlot("human observers (n = %1)").arg(included);
}

QString psychComparisonName(const psych::PsychSummary& s)
{
    // "paired sign-flip permutation test of the per-participant ... (exact, ...); ..." -> its name
    std::string name = s.comparisonMethod;
    for (const char* end : {" of ", " (", ";", ","})
        if (const std::size_t at = name.find(end); at != std::string::npos)
            name.resize(at);
    return QString::fromStdString(name);
}

QString psychModelName(const psych::PsychSummary& s, int m)
{
    const std::size_t i = static_cast<std::size_t>(m);
    const QString label = i < s.modelLabels.size() ? QString::fromStdString(s.modelLabels[i]) : QString::number(m + 1);
    const QString name = i < s.modelNames.size() ? QString::fromStdString(s.modelNames[i]) : QString();
    if (name.isEmpty() || name == label)
        return label;
    return QStringLiteral("%1 (%2)").arg(name, label);
}

void plotPsychAccuracy(QCustomPlot* plot, const psych::PsychSummary& s)
{
    preparePlot(plot, trPlot("Accuracy per model"), psychObserverLabel(s));
    const int models = static_cast<int>(s.modelAccuracy.size());
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int m = 0; m < models; ++m) {
        // A name of the kind "arch:file.h5 (B)" is wider than its bar's slot, and QCustomPlot drops
        // a tick label that would cross the plot's border: long names go on lines of their own.
        QString name = psychModelName(s, m);
        if (models <= 4 && name.size() > 16) {
            if (const qsizetype open = name.lastIndexOf(QStringLiteral(" (")); open > 0)
                name[open] = QLatin1Char('\n');
            name.replace(QLatin1Char(':'), QStringLiteral(":\n"));
        }
        ticker->addTick(m + 1, name);
    }
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(models > 4 ? 30 : 0);
    plot->xAxis->setLabel(QString());
    plot->yAxis->setLabel(trPlot("accuracy (share correct)"));

    QVector<double> keys, values, below, above;
    double top = 1.0;
    for (int m = 0; m < models; ++m) {
        const std::size_t i = static_cast<std::size_t>(m);
        const double a = s.modelAccuracy[i];
        if (!std::isfinite(a))
            continue;
        const double lo = i < s.modelCiLow.size() && std::isfinite(s.modelCiLow[i]) ? s.modelCiLow[i] : a;
        const double hi = i < s.modelCiHigh.size() && std::isfinite(s.modelCiHigh[i]) ? s.modelCiHigh[i] : a;
        keys << m + 1;
        values << a;
        below << std::max(0.0, a - lo);
        above << std::max(0.0, hi - a);
        top = std::max(top, hi);
    }
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setData(keys, values, true);
    bars->setWidth(0.6);
    QColor fill = paletteColor(0);
    bars->setPen(QPen(fill.darker(130), 1.2));
    fill.setAlpha(170);
    bars->setBrush(fill);
    bars->setName(trPlot("accuracy with 95% CI"));
    auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
    errors->setDataPlottable(bars);
    errors->setData(below, above);
    errors->setPen(QPen(QColor(30, 30, 30), 1.5));
    errors->setWhiskerWidth(10);
    errors->setSymbolGap(0); // the bar is no symbol: the line runs through its top
    errors->removeFromLegend();
    addChanceLine(plot, 0.4, models + 0.6);
    if (!s.comparisonMethod.empty())
        addLegendText(plot, trPlot("%1: p = %2").arg(psychComparisonName(s), pText(s.comparisonP)));
    plot->xAxis->setRange(0.4, std::max(1, models) + 0.6);
    plot->yAxis->setRange(0, std::min(1.05, top + 0.05));
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void plotPsychIi(QCustomPlot* plot, const psych::PsychSummary& s, const QString& metric)
{
    const bool lpips = metric == QLatin1String("lpips");
    if (!lpips && metric != QLatin1String("color"))
        throw Error("--metric '" + metric.toStdString() + "' is not an II of the psychophysics units (valid: lpips, color)");
    const QString iiName = metricLabel(metric);
    preparePlot(plot, trPlot("Accuracy per unit vs %1").arg(iiName), psychObserverLabel(s));
    const std::vector<double>& ii = lpips ? s.unitIiLpips : s.unitIiColor;
    plot->xAxis->setLabel(iiName);
    // II-LPIPS ticks have four decimals (0.0025): five of them run together in a third of the window.
    plot->xAxis->ticker()->setTickCount(4);
    plot->yAxis->setLabel(trPlot("accuracy (share correct)"));
    const std::size_t units = std::min(s.unitAccuracy.size(), ii.size());
    double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = 0.0, yhi = 1.0;
    const int models = std::max<int>(static_cast<int>(s.modelAccuracy.size()),
        s.unitModel.empty() ? 0 : static_cast<int>(*std::max_element(s.unitModel.begin(), s.unitModel.end())) + 1);
    const QVector<QCPScatterStyle::ScatterShape> shapes {QCPScatterStyle::ssDisc, QCPScatterStyle::ssSquare,
        QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond, QCPScatterStyle::ssCross};
    for (int m = 0; m < std::max(1, models); ++m) {
        QVector<double> x, y, below, above;
        for (std::size_t u = 0; u < units; ++u) {
            const int um = u < s.unitModel.size() ? static_cast<int>(s.unitModel[u]) : 0;
            if (um != m || !std::isfinite(ii[u]) || !std::isfinite(s.unitAccuracy[u]))
                continue;
            const double a = s.unitAccuracy[u];
            const double lo = u < s.unitCiLow.size() && std::isfinite(s.unitCiLow[u]) ? s.unitCiLow[u] : a;
            const double hi = u < s.unitCiHigh.size() && std::isfinite(s.unitCiHigh[u]) ? s.unitCiHigh[u] : a;
            x << ii[u];
            y << a;
            below << std::max(0.0, a - lo);
            above << std::max(0.0, hi - a);
            xlo = std::min(xlo, ii[u]);
            xhi = std::max(xhi, ii[u]);
            ylo = std::min(ylo, lo);
            yhi = std::max(yhi, hi);
        }
        if (x.isEmpty())
            continue;
        QColor c = paletteColor(m);
        auto* g = plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(shapes[m % shapes.size()], c, c, 6));
        g->setData(x, y);
        g->setName(models > 0 ? trPlot("%1 (%2 units)").arg(psychModelName(s, m)).arg(x.size())
                              : trPlot("units (n = %1)").arg(x.size()));
        auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
        errors->setDataPlottable(g);
        errors->setData(below, above);
        c.setAlpha(110);
        errors->setPen(QPen(c, 1));
        errors->setWhiskerWidth(0);
        errors->removeFromLegend();
    }
    if (!std::isfinite(xlo)) {
        xlo = 0;
        xhi = 1;
    }
    const double pad = std::max(1e-3, 0.06 * (xhi - xlo));
    addChanceLine(plot, xlo - pad, xhi + pad);
    const double rho = lpips ? s.spearmanLpips : s.spearmanColor;
    const double low = lpips ? s.spearmanLpipsLow : s.spearmanColorLow;
    const double high = lpips ? s.spearmanLpipsHigh : s.spearmanColorHigh;
    const double p = lpips ? s.spearmanLpipsP : s.spearmanColorP;
    addLegendText(plot, trPlot("Spearman rho = %1 [%2, %3], p = %4").arg(number(rho), number(low), number(high), pText(p)));
    plot->xAxis->setRange(xlo - pad, xhi + pad);
    plot->yAxis->setRange(std::max(-0.02, ylo - 0.03), std::min(1.05, yhi + 0.03));
    plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace repalign::gui
