#include "behaviourplots.h"

#include "neuronmodel.h"
#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>
#include <cmath>
#include <limits>

namespace repalign::gui {

namespace {

using behaviour::BehaviourData;
using behaviour::PgdCurve;

const char* const kMarginGroup = "behaviourMargins";

/// The look of stylePlot for every panel (stylePlot styles the first axis rect only).
void styleRect(QCustomPlot* plot, QCPAxisRect* rect)
{
    QFont tick = plot->font();
    tick.setPointSizeF(9.0);
    QFont label = tick;
    label.setPointSizeF(10.0);
    const QColor axisColor(60, 60, 60);
    for (QCPAxis* axis : rect->axes()) {
        axis->setTickLabelFont(tick);
        axis->setLabelFont(label);
        axis->setBasePen(QPen(axisColor, 1));
        axis->setTickPen(QPen(axisColor, 1));
        axis->setSubTickPen(QPen(axisColor, 1));
        axis->setTickLabelColor(axisColor);
        axis->setLabelColor(axisColor);
        axis->grid()->setPen(QPen(QColor(225, 225, 225), 1, Qt::SolidLine));
        axis->grid()->setSubGridVisible(false);
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
}

enum class LegendPlace { None, Row, Inset };

/// Empties @p plot and lays it out anew: a title row, @p panels axis rects side by side (left and
/// right margins aligned) and the legend in a row under them or inside the first panel. The
/// plot's xAxis/yAxis point at the first panel afterwards.
QList<QCPAxisRect*> resetLayout(QCustomPlot* plot, const QString& title, int panels, LegendPlace place)
{
    plot->clearPlottables();
    plot->clearItems();
    QCPLegend* legend = plot->legend;
    if (legend->layout())
        legend->layout()->take(legend);
    qDeleteAll(plot->findChildren<QCPMarginGroup*>(QLatin1String(kMarginGroup), Qt::FindDirectChildrenOnly));
    QCPLayoutGrid* root = plot->plotLayout();
    root->clear();
    auto* heading = new QCPTextElement(plot, title);
    QFont font = plot->font();
    font.setPointSizeF(10.0);
    font.setBold(true);
    heading->setFont(font);
    root->addElement(0, 0, heading);
    auto* grid = new QCPLayoutGrid;
    root->addElement(1, 0, grid);
    auto* group = new QCPMarginGroup(plot);
    group->setObjectName(QLatin1String(kMarginGroup));
    QList<QCPAxisRect*> rects;
    for (int i = 0; i < panels; ++i) {
        auto* rect = new QCPAxisRect(plot);
        grid->addElement(0, i, rect);
        rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
        styleRect(plot, rect);
        rects << rect;
    }
    legend->setFont(rects.front()->axis(QCPAxis::atBottom)->tickLabelFont());
    legend->setVisible(place != LegendPlace::None);
    if (place == LegendPlace::Row) {
        // Centred under the panels, as wide as its entries: the spacers either side take the rest.
        auto* row = new QCPLayoutGrid;
        root->addElement(2, 0, row);
        root->setRowStretchFactor(2, 0.001);
        row->addElement(0, 0, new QCPLayoutElement(plot)); // an empty grid could not grow: plain elements
        row->addElement(0, 1, legend);
        row->addElement(0, 2, new QCPLayoutElement(plot));
        row->setColumnStretchFactors({1.0, 0.001, 1.0});
        legend->setBorderPen(Qt::NoPen);
        legend->setBrush(Qt::NoBrush);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, false);
        legend->setWrap(3);
    } else {
        rects.front()->insetLayout()->addElement(legend, Qt::AlignTop | Qt::AlignLeft);
        legend->setBorderPen(QPen(QColor(200, 200, 200)));
        legend->setBrush(QColor(255, 255, 255, 220));
        legend->setWrap(0);
    }
    root->setRowStretchFactor(0, 0.001);
    plot->xAxis = rects.front()->axis(QCPAxis::atBottom);
    plot->yAxis = rects.front()->axis(QCPAxis::atLeft);
    plot->xAxis2 = rects.front()->axis(QCPAxis::atTop);
    plot->yAxis2 = rects.front()->axis(QCPAxis::atRight);
    plot->setBackground(Qt::white);
    return rects;
}

/// Gapless legend rows after the plottables were added (removed entries leave holes).
void settleLegend(QCustomPlot* plot)
{
    if (plot->legend->layout() != plot->axisRect()->insetLayout())
        plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    plot->legend->setVisible(plot->legend->visible() && plot->legend->itemCount() > 0);
}

QPen modelPen(int model)
{
    return QPen(paletteColor(model), 2, model % 2 == 0 ? Qt::SolidLine : Qt::DashLine);
}

QCPScatterStyle modelMarker(int model)
{
    const QColor c = paletteColor(model);
    return QCPScatterStyle(
        model % 2 == 0 ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssSquare, c, model % 2 == 0 ? c : QColor(Qt::white), 6);
}

QString fileName(const BehaviourModel& m)
{
    return QFileInfo(QString::fromStdString(m.data.path)).fileName();
}

QString normLabel(const std::string& norm)
{
    if (norm == "linf")
        return QCoreApplication::translate("repalign::gui::BehaviourPlots", "L∞ ε (×1/255)");
    if (norm == "l2")
        return QCoreApplication::translate("repalign::gui::BehaviourPlots", "L2 ε");
    return QString::fromStdString(norm);
}

/// Accuracy of the clean model on the images PGD attacked (ε = 0 of the curve).
double cleanOnAttacked(const BehaviourData& d, const PgdCurve& c)
{
    if (c.imageIndices.empty())
        return d.accuracy;
    double sum = 0;
    for (std::int64_t i : c.imageIndices) {
        if (i < 0 || static_cast<std::size_t>(i) >= d.correct.size())
            return NAN;
        sum += d.correct[static_cast<std::size_t>(i)];
    }
    return sum / static_cast<double>(c.imageIndices.size());
}

void setPaddedRange(QCPAxis* axis, double lo, double hi, double fraction = 0.04)
{
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    const double pad = std::max(1e-6, (hi - lo) * fraction);
    axis->setRange(lo - pad, hi + pad);
}

void accuracyAxis(QCPAxis* axis, bool labelled)
{
    axis->setRange(-0.02, 1.02);
    axis->ticker()->setTickCount(5);
    axis->setTickLabels(labelled);
    if (labelled)
        axis->setLabel(QCoreApplication::translate("repalign::gui::BehaviourPlots", "accuracy"));
}

} // namespace

QStringList behaviourFigureKinds()
{
    return {QStringLiteral("robustness"), QStringLiteral("corruption-heatmap"), QStringLiteral("reliability"),
        QStringLiteral("human-agreement")};
}

bool isBehaviourFigureKind(const QString& kind)
{
    return behaviourFigureKinds().contains(kind);
}

QString behaviourLabel(const QString& path)
{
    return analysisLabel(path, false);
}

BehaviourModel loadBehaviourModel(const QString& path, const QString& label)
{
    BehaviourModel m;
    m.data = behaviour::readBehaviour(path.toStdString());
    m.label = label.isEmpty() ? behaviourLabel(path) : label;
    return m;
}

RobustnessPanels parseRobustnessPanels(const QString& key)
{
    if (key.isEmpty() || key == QLatin1String("all"))
        return RobustnessPanels::All;
    if (key == QLatin1String("pgd"))
        return RobustnessPanels::Pgd;
    if (key == QLatin1String("corruption"))
        return RobustnessPanels::Corruption;
    throw Error("robustness panels '" + key.toStdString() + "' are not known (valid: all, pgd, corruption)");
}

void plotRobustness(QCustomPlot* plot, const QList<BehaviourModel>& models, RobustnessPanels panels)
{
    std::vector<std::string> norms;
    if (panels != RobustnessPanels::Corruption)
        for (const char* norm : {"linf", "l2"})
            for (const BehaviourModel& m : models)
                for (const PgdCurve& c : m.data.pgd)
                    if (c.norm == norm && !c.eps.empty() && std::find(norms.begin(), norms.end(), norm) == norms.end())
                        norms.push_back(norm);
    bool corruption = false;
    if (panels != RobustnessPanels::Pgd)
        for (const BehaviourModel& m : models)
            corruption = corruption || (m.data.corruption.present && !m.data.corruption.names.empty());
    if (panels == RobustnessPanels::Pgd && norms.empty())
        throw Error("no behaviour file holds PGD results (add them with repalign-cli behave --pgd linf:1,2,4,8)");
    if (panels == RobustnessPanels::Corruption && !corruption)
        throw Error("no behaviour file holds corruption results (add them with repalign-cli behave --corruptions DIR)");
    if (norms.empty() && !corruption)
        throw Error(
            "no behaviour file holds PGD or corruption results (repalign-cli behave --pgd linf:1,2,4,8 / --corruptions DIR)");

    const int count = static_cast<int>(norms.size()) + (corruption ? 1 : 0);
    const QString title = norms.empty() ? QCoreApplication::translate("repalign::gui::BehaviourPlots", "Corruption robustness")
                                        : QCoreApplication::translate("repalign::gui::BehaviourPlots", "Robust accuracy");
    const QList<QCPAxisRect*> rects = resetLayout(plot, title, count, LegendPlace::Row);
    QList<int> named; // models with a legend entry already
    auto addLine = [&](QCPAxisRect* rect, int model, const QVector<double>& x, const QVector<double>& y) {
        auto* g = plot->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        g->setPen(modelPen(model));
        g->setScatterStyle(modelMarker(model));
        g->setData(x, y, true);
        g->setName(models[model].label);
        if (named.contains(model))
            g->removeFromLegend();
        else
            named << model;
    };
    for (int p = 0; p < count; ++p) {
        QCPAxisRect* rect = rects[p];
        QCPAxis* xAxis = rect->axis(QCPAxis::atBottom);
        accuracyAxis(rect->axis(QCPAxis::atLeft), p == 0);
        // Narrow panels on a one-column page: few ticks, so their labels never touch.
        xAxis->ticker()->setTickCount(count > 2 ? 2 : 3);
        xAxis->ticker()->setTickStepStrategy(QCPAxisTicker::tssMeetTickCount);
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        if (p < static_cast<int>(norms.size())) {
            const std::string& norm = norms[static_cast<std::size_t>(p)];
            const double scale = norm == "linf" ? 255.0 : 1.0;
            xAxis->setLabel(normLabel(norm));
            for (int m = 0; m < models.size(); ++m)
                for (const PgdCurve& c : models[m].data.pgd) {
                    if (c.norm != norm || c.eps.empty())
                        continue;
                    QVector<double> x, y;
                    const double clean = cleanOnAttacked(models[m].data, c);
                    if (c.eps.front() > 0 && std::isfinite(clean)) {
                        x << 0.0;
                        y << clean;
                    }
                    for (std::size_t e = 0; e < c.eps.size() && e < c.accuracy.size(); ++e) {
                        x << c.eps[e] * scale;
                        y << c.accuracy[e];
                    }
                    for (double v : x) {
                        lo = std::min(lo, v);
                        hi = std::max(hi, v);
                    }
                    addLine(rect, m, x, y);
                }
        } else {
            xAxis->setLabel(QCoreApplication::translate("repalign::gui::BehaviourPlots", "severity"));
            QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
            ticker->setTickStep(1.0);
            ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
            xAxis->setTicker(ticker);
            for (int m = 0; m < models.size(); ++m) {
                const behaviour::CorruptionResult& r = models[m].data.corruption;
                if (!r.present || r.names.empty())
                    continue;
                QVector<double> x {0.0}, y {models[m].data.accuracy};
                for (int s = 0; s < 5; ++s) {
                    double sum = 0;
                    for (std::size_t c = 0; c < r.names.size(); ++c)
                        sum += r.accuracy[c * 5 + static_cast<std::size_t>(s)];
                    x << s + 1.0;
                    y << sum / static_cast<double>(r.names.size());
                }
                addLine(rect, m, x, y);
            }
            lo = 0;
            hi = 5;
        }
        setPaddedRange(xAxis, lo, hi, 0.06);
    }
    settleLegend(plot);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

CorruptionDifference corruptionDifference(const BehaviourModel& base, const BehaviourModel& tuned)
{
    for (const BehaviourModel* m : {&base, &tuned})
        if (!m->data.corruption.present || m->data.corruption.names.empty())
            throw Error(m->data.path + " has no corruption results (add them with repalign-cli behave --corruptions DIR)");
    const auto& b = base.data.corruption;
    const auto& t = tuned.data.corruption;
    CorruptionDifference out;
    double sum = 0;
    for (std::size_t i = 0; i < b.names.size(); ++i) {
        const auto it = std::find(t.names.begin(), t.names.end(), b.names[i]);
        if (it == t.names.end()) {
            out.notes << QCoreApplication::translate("repalign::gui::BehaviourPlots", "%1 is only in %2")
                             .arg(QString::fromStdString(b.names[i]), fileName(base));
            continue;
        }
        const std::size_t j = static_cast<std::size_t>(it - t.names.begin());
        out.names.push_back(b.names[i]);
        for (std::size_t s = 0; s < 5; ++s) {
            const double d = t.accuracy[j * 5 + s] - b.accuracy[i * 5 + s];
            out.difference.push_back(d);
            sum += d;
        }
    }
    for (const std::string& n : t.names)
        if (std::find(b.names.begin(), b.names.end(), n) == b.names.end())
            out.notes << QCoreApplication::translate("repalign::gui::BehaviourPlots", "%1 is only in %2")
                             .arg(QString::fromStdString(n), fileName(tuned));
    if (out.names.empty())
        throw Error(base.data.path + " and " + tuned.data.path + " share no corruption (" + b.names.front() + ", ... vs "
            + t.names.front() + ", ...)");
    out.meanDifference = sum / static_cast<double>(out.difference.size());
    return out;
}

void plotCorruptionHeatmap(QCustomPlot* plot, const BehaviourModel& base, const BehaviourModel& tuned)
{
    const CorruptionDifference d = corruptionDifference(base, tuned);
    const int count = static_cast<int>(d.names.size());
    const QString title
        = QCoreApplication::translate("repalign::gui::BehaviourPlots", "Corruptions: %1 − %2").arg(tuned.label, base.label);
    QList<QCPAxisRect*> rects = resetLayout(plot, title, 1, LegendPlace::None);
    QCPAxisRect* rect = rects.front();
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    double extent = 0.01;
    for (double v : d.difference)
        if (std::isfinite(v))
            extent = std::max(extent, std::abs(v));

    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, QColor(213, 94, 0)); // worse: vermillion (Okabe-Ito)
    gradient.setColorStopAt(0.5, QColor(Qt::white));
    gradient.setColorStopAt(1.0, QColor(0, 114, 178)); // better: blue
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(QColor(200, 200, 200));

    auto* map = new QCPColorMap(x, y);
    map->setName(QStringLiteral("difference"));
    map->removeFromLegend();
    map->data()->setSize(count, 5);
    map->data()->setRange(QCPRange(0, std::max(1, count - 1)), QCPRange(1, 5));
    for (int c = 0; c < count; ++c)
        for (int s = 0; s < 5; ++s)
            map->data()->setCell(c, s, d.difference[static_cast<std::size_t>(c) * 5 + static_cast<std::size_t>(s)]);
    map->setInterpolate(false);
    map->setGradient(gradient);
    map->setDataRange(QCPRange(-extent, extent));

    QSharedPointer<QCPAxisTickerText> names(new QCPAxisTickerText);
    for (int c = 0; c < count; ++c)
        names->addTick(
            c, QString::fromStdString(d.names[static_cast<std::size_t>(c)]).replace(QLatin1Char('_'), QLatin1Char(' ')));
    x->setTicker(names);
    x->setTickLabelRotation(count > 3 ? -90 : 0);
    x->setRange(-0.5, count - 0.5);
    x->grid()->setVisible(false);
    x->setLabel(QString());
    // Severities 1, 3 and 5 named (five rows of labels do not fit a one-column page under 19 names).
    QSharedPointer<QCPAxisTickerText> severities(new QCPAxisTickerText);
    for (int s : {1, 3, 5})
        severities->addTick(s, QString::number(s));
    y->setTicker(severities);
    y->setRange(0.5, 5.5);
    y->grid()->setVisible(false);
    y->setLabel(QCoreApplication::translate("repalign::gui::BehaviourPlots", "severity"));

    // The colour bar: its own axis rect, so its axis takes the figure's fonts.
    // In the panels' grid under the map, so the map stays the plot's first axis rect.
    auto* bar = new QCPAxisRect(plot);
    auto* grid = qobject_cast<QCPLayoutGrid*>(rect->layout());
    grid->addElement(1, 0, bar);
    grid->setRowStretchFactor(1, 0.001);
    styleRect(plot, bar);
    bar->setMinimumSize(0, 10);
    bar->setMaximumSize(QWIDGETSIZE_MAX, 10);
    auto* group = plot->findChild<QCPMarginGroup*>(QLatin1String(kMarginGroup), Qt::FindDirectChildrenOnly);
    rect->setMarginGroup(QCP::msTop | QCP::msBottom, nullptr); // one panel: only the sides align, with the bar
    rect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    bar->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    QCPAxis* bx = bar->axis(QCPAxis::atBottom);
    QCPAxis* by = bar->axis(QCPAxis::atLeft);
    by->setVisible(false);
    by->setRange(0, 1);
    bx->grid()->setVisible(false);
    by->grid()->setVisible(false);
    bx->setRange(-extent, extent);
    bx->ticker()->setTickCount(4);
    bx->setLabel(QCoreApplication::translate("repalign::gui::BehaviourPlots", "Δ accuracy (mean %1)")
                     .arg(QString::number(d.meanDifference, 'f', 3)));
    auto* scale = new QCPColorMap(bx, by);
    scale->setName(QStringLiteral("colour bar"));
    scale->removeFromLegend();
    const int steps = 101;
    scale->data()->setSize(steps, 2); // two equal rows: a map of one row has no height
    scale->data()->setRange(QCPRange(-extent, extent), QCPRange(0, 1));
    for (int i = 0; i < steps; ++i)
        for (int row = 0; row < 2; ++row)
            scale->data()->setCell(i, row, -extent + 2 * extent * i / (steps - 1));
    scale->setInterpolate(true);
    scale->setGradient(gradient);
    scale->setDataRange(QCPRange(-extent, extent));
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void plotReliability(QCustomPlot* plot, const QList<BehaviourModel>& models)
{
    bool any = false;
    for (const BehaviourModel& m : models)
        any = any || !m.data.calibration.binConfidence.empty();
    if (!any)
        throw Error("no behaviour file holds calibration bins (/behaviour/calibration)");
    const QList<QCPAxisRect*> rects
        = resetLayout(plot, QCoreApplication::translate("repalign::gui::BehaviourPlots", "Reliability"), 1, LegendPlace::Inset);
    QCPAxisRect* rect = rects.front();
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    x->setLabel(QCoreApplication::translate("repalign::gui::BehaviourPlots", "confidence"));
    accuracyAxis(y, true);
    x->setRange(-0.02, 1.02);
    x->ticker()->setTickCount(5);
    auto* diagonal = plot->addGraph(x, y);
    diagonal->setPen(QPen(QColor(120, 120, 120), 1.5, Qt::DotLine));
    diagonal->setData(QVector<double> {0.0, 1.0}, QVector<double> {0.0, 1.0});
    diagonal->setName(QStringLiteral("diagonal"));
    diagonal->removeFromLegend();
    for (int m = 0; m < models.size(); ++m) {
        const behaviour::CalibrationResult& c = models[m].data.calibration;
        QVector<double> cx, cy;
        for (std::size_t b = 0; b < c.binConfidence.size() && b < c.binAccuracy.size(); ++b) {
            if (!std::isfinite(c.binConfidence[b]) || !std::isfinite(c.binAccuracy[b])
                || (b < c.binCount.size() && c.binCount[b] <= 0))
                continue;
            cx << c.binConfidence[b];
            cy << c.binAccuracy[b];
        }
        if (cx.isEmpty())
            continue;
        auto* g = plot->addGraph(x, y);
        g->setPen(modelPen(m));
        g->setScatterStyle(modelMarker(m));
        g->setData(cx, cy, true);
        g->setName(std::isfinite(c.ece) ? QCoreApplication::translate("repalign::gui::BehaviourPlots", "%1 (ECE %2)")
                                              .arg(models[m].label, QString::number(c.ece, 'f', 3))
                                        : models[m].label);
    }
    settleLegend(plot);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void plotHumanAgreement(QCustomPlot* plot, const QList<BehaviourModel>& models)
{
    bool any = false;
    for (const BehaviourModel& m : models)
        any = any || m.data.human.present;
    if (!any)
        throw Error("no behaviour file holds human results (add them with repalign-cli behave --human FILE)");
    const QList<QCPAxisRect*> rects = resetLayout(
        plot, QCoreApplication::translate("repalign::gui::BehaviourPlots", "Human agreement (95% CI)"), 3, LegendPlace::Row);
    const QString labels[3] = {QCoreApplication::translate("repalign::gui::BehaviourPlots", "cross-entropy"),
        QCoreApplication::translate("repalign::gui::BehaviourPlots", "agreement"),
        QCoreApplication::translate("repalign::gui::BehaviourPlots", "Cohen's κ")};
    for (int p = 0; p < 3; ++p) {
        QCPAxisRect* rect = rects[p];
        QCPAxis* x = rect->axis(QCPAxis::atBottom);
        QCPAxis* y = rect->axis(QCPAxis::atLeft);
        x->setTicks(false);
        x->setTickLabels(false);
        x->grid()->setVisible(false);
        y->setLabel(labels[p]);
        x->setRange(-0.6, models.size() - 0.4);
        y->ticker()->setTickCount(4);
        double hi = 0;
        for (int m = 0; m < models.size(); ++m) {
            const behaviour::HumanResult& h = models[m].data.human;
            if (!h.present)
                continue;
            double value = NAN;
            behaviour::Interval2 ci;
            if (p == 0) {
                value = h.crossEntropy;
                ci = h.crossEntropyCI;
            } else if (p == 1) {
                value = h.agreement;
                ci = h.agreementCI;
            } else if (std::isfinite(h.kappaMedian)) {
                value = h.kappaMedian;
                ci = h.kappaCI;
            } else {
                value = h.kappaExpected;
            }
            if (!std::isfinite(value))
                continue;
            auto* bars = new QCPBars(x, y);
            const QColor c = paletteColor(m);
            bars->setPen(QPen(c.darker(130), 1));
            bars->setBrush(c);
            bars->setWidth(0.7);
            bars->setData(QVector<double> {static_cast<double>(m)}, QVector<double> {value}, true);
            bars->setName(models[m].label);
            if (p > 0)
                bars->removeFromLegend();
            hi = std::max(hi, value);
            if (std::isfinite(ci.low) && std::isfinite(ci.high)) {
                auto* err = new QCPErrorBars(x, y);
                err->setDataPlottable(bars);
                err->setData(QVector<double> {value - ci.low}, QVector<double> {ci.high - value});
                err->setPen(QPen(QColor(40, 40, 40), 1.5));
                err->setName(models[m].label + QStringLiteral(" CI"));
                err->removeFromLegend();
                hi = std::max(hi, ci.high);
            }
        }
        y->setRange(0, hi > 0 ? hi * 1.12 : 1.0);
    }
    settleLegend(plot);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void plotBehaviourFigure(QCustomPlot* plot, const QString& kind, const QList<BehaviourModel>& models, const QString& option)
{
    if (models.isEmpty())
        throw Error("the " + kind.toStdString() + " figure needs at least one behaviour file");
    if (kind == QLatin1String("robustness")) {
        plotRobustness(plot, models, parseRobustnessPanels(option));
    } else if (kind == QLatin1String("corruption-heatmap")) {
        if (models.size() != 2)
            throw Error("the corruption heat map needs two behaviour files, the baseline then the tuned model (got "
                + std::to_string(models.size()) + ")");
        plotCorruptionHeatmap(plot, models[0], models[1]);
    } else if (kind == QLatin1String("reliability")) {
        plotReliability(plot, models);
    } else if (kind == QLatin1String("human-agreement")) {
        plotHumanAgreement(plot, models);
    } else {
        throw Error("behaviour figure '" + kind.toStdString()
            + "' is not known (valid: " + behaviourFigureKinds().join(QStringLiteral(", ")).toStdString() + ")");
    }
}

QStringList behaviourMismatchNotes(const QList<BehaviourModel>& models)
{
    QStringList notes;
    if (models.size() < 2)
        return notes;
    const BehaviourModel& a = models[0];
    for (int i = 1; i < models.size(); ++i) {
        const BehaviourModel& b = models[i];
        const QString pair = QStringLiteral("%1 / %2").arg(a.label, b.label);
        const BehaviourData& x = a.data;
        const BehaviourData& y = b.data;
        if (x.data != y.data || x.split != y.split)
            notes << QCoreApplication::translate(
                "repalign::gui::BehaviourPlots", "%1: evaluated on different data (%2 %3 vs %4 %5)")
                         .arg(pair, QString::fromStdString(x.data), QString::fromStdString(x.split),
                             QString::fromStdString(y.data), QString::fromStdString(y.split));
        else if (x.images != y.images)
            notes << QCoreApplication::translate("repalign::gui::BehaviourPlots", "%1: different numbers of images (%2 vs %3)")
                         .arg(pair)
                         .arg(x.images)
                         .arg(y.images);
        if (x.calibration.bins != y.calibration.bins && !x.calibration.binCount.empty() && !y.calibration.binCount.empty())
            notes << QCoreApplication::translate(
                "repalign::gui::BehaviourPlots", "%1: different calibration bins (%2 vs %3); ECE values differ with the bins")
                         .arg(pair)
                         .arg(x.calibration.bins)
                         .arg(y.calibration.bins);
        if (x.human.present != y.human.present)
            notes << QCoreApplication::translate(
                "repalign::gui::BehaviourPlots", "%1: only %2 has human results (repalign-cli behave --human FILE)")
                         .arg(pair, x.human.present ? a.label : b.label);
        if (x.corruption.present != y.corruption.present)
            notes << QCoreApplication::translate(
                "repalign::gui::BehaviourPlots", "%1: only %2 has corruption results (repalign-cli behave --corruptions DIR)")
                         .arg(pair, x.corruption.present ? a.label : b.label);
        else if (x.corruption.present && x.corruption.names != y.corruption.names) {
            int shared = 0;
            for (const std::string& n : x.corruption.names)
                shared += std::find(y.corruption.names.begin(), y.corruption.names.end(), n) != y.corruption.names.end();
            notes << QCoreApplication::translate("repalign::gui::BehaviourPlots",
                "%1: different corruption sets (%2 and %3 corruptions, %4 in both); the heat map shows those in both")
                         .arg(pair)
                         .arg(x.corruption.names.size())
                         .arg(y.corruption.names.size())
                         .arg(shared);
        }
        for (const char* norm : {"linf", "l2"}) {
            const PgdCurve* cx = nullptr;
            const PgdCurve* cy = nullptr;
            for (const PgdCurve& c : x.pgd)
                if (c.norm == norm)
                    cx = &c;
            for (const PgdCurve& c : y.pgd)
                if (c.norm == norm)
                    cy = &c;
            const QString n = normLabel(norm).section(QLatin1Char(' '), 0, 0);
            if (!cx != !cy) {
                notes << QCoreApplication::translate("repalign::gui::BehaviourPlots", "%1: only %2 has %3 PGD results")
                             .arg(pair, cx ? a.label : b.label, n);
            } else if (cx && cy) {
                if (cx->eps != cy->eps)
                    notes
                        << QCoreApplication::translate("repalign::gui::BehaviourPlots", "%1: different %2 ε grids").arg(pair, n);
                if (cx->steps != cy->steps || cx->stepFraction != cy->stepFraction || cx->randomStart != cy->randomStart)
                    notes << QCoreApplication::translate("repalign::gui::BehaviourPlots",
                        "%1: %2 PGD with different settings (%3 vs %4 steps, random start %5 vs %6)")
                                 .arg(pair, n)
                                 .arg(cx->steps)
                                 .arg(cy->steps)
                                 .arg(cx->randomStart ? QStringLiteral("on") : QStringLiteral("off"),
                                     cy->randomStart ? QStringLiteral("on") : QStringLiteral("off"));
                else if (cx->imageIndices != cy->imageIndices)
                    notes << QCoreApplication::translate("repalign::gui::BehaviourPlots", "%1: %2 PGD attacked different images")
                                 .arg(pair, n);
            }
        }
    }
    return notes;
}

} // namespace repalign::gui
