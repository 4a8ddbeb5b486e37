#pragma once
/// @file distributionplots.h
/// The II distribution figures, drawn on a plain QCustomPlot with no interaction: overlaid
/// histograms / violins / box plots and the paired scatter. The Distributions tab shows them;
/// `repalign-cli figure --kind ii-distribution|ii-scatter` exports them headless.
#include <QList>
#include <QString>

#include <vector>

class QCustomPlot;

namespace repalign::gui {

/// Values of one analysis for the distribution plots.
struct DistributionGroup {
    QString label;
    std::vector<double> values;
};

enum class DistributionKind { Histogram, Violin, Box };

/// Draws the groups on @p plot (also used headless by `repalign-cli figure`).
void plotDistributions(
    QCustomPlot* plot, const QList<DistributionGroup>& groups, DistributionKind kind, const QString& metricLabel);
/// Paired scatter of @p a against @p b (same units), with the y = x diagonal.
void plotPairedScatter(QCustomPlot* plot, const DistributionGroup& a, const DistributionGroup& b, const QString& metricLabel);
/// "II-LPIPS", "II-color", "II-label".
QString metricLabel(const QString& metric);
/// Reads one analysis' metric values; label defaults to the run folder name.
DistributionGroup loadDistributionGroup(const QString& analysisPath, const QString& metric, const QString& label = {});

} // namespace repalign::gui
