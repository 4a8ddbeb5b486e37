#pragma once
/// @file psychplots.h
/// The psychophysics figures of an import's output (/psych, core/psych/psych.h), drawn on a
/// plain QCustomPlot with no interaction: human (or simulated-observer) accuracy per model as
/// bars with their 95% CIs, the chance line and the comparison's p, and per-unit accuracy against the unit's II
/// with the Spearman correlation in the legend. The Distributions tab's "Human psychophysics"
/// view shows them; `repalign-cli figure --kind psych-accuracy|psych-ii` exports them headless.
#include <QString>

class QCustomPlot;

namespace repalign::psych {
struct PsychSummary;
}

namespace repalign::gui {

/// "Human observers" or "Simulated observer (noise 0.3)": who answered, for titles and banners.
QString psychObserverLabel(const psych::PsychSummary& summary);
/// A model's name on the figures: "baseline (A)" (the real name, then the blinded label).
QString psychModelName(const psych::PsychSummary& summary, int model);

/// The model comparison's name for a legend: comparisonMethod up to its details ("paired
/// sign-flip permutation test" of "paired sign-flip permutation test of ... (exact, ...)").
QString psychComparisonName(const psych::PsychSummary& summary);

/// Accuracy per model: one bar each with its CI as an error bar, the chance line at 0.5 and the
/// model comparison (method, p) in the legend. The title names a simulated observer.
void plotPsychAccuracy(QCustomPlot* plot, const psych::PsychSummary& summary);

/// Per-unit accuracy (y, with its CI) against the unit's II (x) for @p metric "lpips" or
/// "color", one colour per model, the chance line, and Spearman rho [CI], p in the legend.
/// Throws repalign::Error for another metric.
void plotPsychIi(QCustomPlot* plot, const psych::PsychSummary& summary, const QString& metric);

} // namespace repalign::gui
