#include "alignmentplot.h"

#include "plotstyle.h"
#include "qcp.h"

#include "pipeline/align.h"

#include <QCoreApplication>

#include <cmath>
#include <limits>

namespace repalign::gui {

QString alignmentScoreLabel(const QString& score)
{
    if (score == QLatin1String("r_median"))
        return QCoreApplication::translate("repalign::gui::AlignmentPlot", "ridge r (median over voxels)");
    if (score == QLatin1String("normalized_median"))
        return QCoreApplication::translate("repalign::gui::AlignmentPlot", "ridge r²/ceiling (median)");
    if (score == QLatin1String("rsa"))
        return QCoreApplication::translate("repalign::gui::AlignmentPlot", "RSA (Spearman)");
    if (score == QLatin1String("cka"))
        return QCoreApplication::translate("repalign::gui::AlignmentPlot", "CKA (linear, unbiased)");
    return score;
}

void plotLayerProfile(QCustomPlot* plot, const AlignmentScores& s, const QString& score)
{
    const std::vector<double>& values = s.score(score.toStdString());
    plot->clearPlottables();
    plot->clearItems();
    const QString title = QCoreApplication::translate("repalign::gui::AlignmentPlot", "Brain alignment by layer");
    if (plot->plotLayout()->rowCount() < 2 || !qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) {
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title));
    } else {
        static_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))->setText(title);
    }
    plot->legend->setVisible(true);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    stylePlot(plot, plot->xAxis->tickLabelFont().pointSizeF() > 0 ? plot->xAxis->tickLabelFont().pointSizeF() : 9);

    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (std::size_t l = 0; l < s.layers.size(); ++l)
        ticker->addTick(static_cast<double>(l), QString::fromStdString(s.layers[l]));
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(s.layers.size() > 6 ? 45 : 0);
    plot->xAxis->setLabel(QCoreApplication::translate("repalign::gui::AlignmentPlot", "layer"));
    plot->yAxis->setLabel(alignmentScoreLabel(score));

    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const QVector<QCPScatterStyle::ScatterShape> shapes {QCPScatterStyle::ssDisc, QCPScatterStyle::ssSquare};
    for (std::size_t m = 0; m < s.models.size(); ++m)
        for (std::size_t r = 0; r < s.rois.size(); ++r) {
            QVector<double> x, y;
            for (std::size_t l = 0; l < s.layers.size(); ++l) {
                const double v = values[s.index(m, l, r)];
                if (!std::isfinite(v))
                    continue;
                x << static_cast<double>(l);
                y << v;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
            auto* g = plot->addGraph();
            const QColor c = paletteColor(static_cast<int>(r));
            g->setPen(QPen(c, 2, m == 0 ? Qt::SolidLine : Qt::DashLine));
            g->setScatterStyle(QCPScatterStyle(shapes[static_cast<int>(m % 2)], c, m == 0 ? c : QColor(Qt::white), 6));
            g->setData(x, y);
            g->setName(s.models.size() > 1
                    ? QStringLiteral("%1 %2").arg(QString::fromStdString(s.models[m]), QString::fromStdString(s.rois[r]))
                    : QString::fromStdString(s.rois[r]));
        }
    if (score == QLatin1String("rsa"))
        for (std::size_t r = 0; r < s.rois.size() && r < s.rsaCeiling.size(); ++r) {
            const double c = s.rsaCeiling[r];
            if (!std::isfinite(c))
                continue;
            auto* g = plot->addGraph();
            g->setPen(QPen(paletteColor(static_cast<int>(r)), 1, Qt::DotLine));
            g->setData(QVector<double> {-0.25, static_cast<double>(s.layers.size()) - 0.75}, QVector<double> {c, c});
            g->setName(QCoreApplication::translate("repalign::gui::AlignmentPlot", "%1 noise ceiling")
                           .arg(QString::fromStdString(s.rois[r])));
            lo = std::min(lo, c);
            hi = std::max(hi, c);
        }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    const double pad = std::max(1e-3, 0.08 * (hi - lo));
    plot->yAxis->setRange(std::min(0.0, lo - pad), hi + pad);
    plot->xAxis->setRange(-0.25, static_cast<double>(s.layers.size()) - 0.75);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace repalign::gui
