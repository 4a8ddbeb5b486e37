#pragma once
/// @file behaviourplots.h
/// Figures of a model's behavioural profile (`repalign-cli behave`, the group /behaviour):
/// robustness curves (PGD accuracy against ε, one panel per norm, and the mean CIFAR-10-C
/// accuracy against severity), the corruption × severity heat map of tuned − baseline accuracy,
/// the reliability diagram and the agreement with human labels (CIFAR-10H) with 95% CIs. Drawn on
/// a plain QCustomPlot with no interaction, shared by the Distributions tab's Behaviour view and
/// `repalign-cli figure --kind robustness|corruption-heatmap|reliability|human-agreement`.
#include "behaviour/behaviour_file.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

class QCustomPlot;

namespace repalign::gui {

/// One model's behaviour file and the name the figures give it.
struct BehaviourModel {
    QString label;
    behaviour::BehaviourData data;
};

/// The figure kinds, as `figure --kind` names them.
QStringList behaviourFigureKinds();
bool isBehaviourFigureKind(const QString& kind);

/// The name of a behaviour file in figures: its run for RUN/analysis/FILE.h5, else the file's stem.
QString behaviourLabel(const QString& path);
/// Reads @p path (readBehaviour) and labels it (@p label, else behaviourLabel). Throws repalign::Error.
BehaviourModel loadBehaviourModel(const QString& path, const QString& label = {});

/// Which panels the robustness figure shows: every one the files hold, or only PGD or corruptions.
enum class RobustnessPanels { All, Pgd, Corruption };
/// "all" (or empty), "pgd", "corruption"; throws repalign::Error naming the valid values.
RobustnessPanels parseRobustnessPanels(const QString& key);

/// Accuracy against ε for each PGD norm the models hold (L∞ ε shown in 1/255 steps), one line per
/// model; a curve without ε = 0 starts at the model's clean accuracy on the attacked images. With
/// corruption results, a last panel shows the mean accuracy over corruptions against severity
/// (0 = clean). Throws repalign::Error when no model holds the panels asked for.
void plotRobustness(QCustomPlot* plot, const QList<BehaviourModel>& models, RobustnessPanels panels = RobustnessPanels::All);

/// tuned − baseline accuracy for the corruptions both files hold (in the baseline's order).
struct CorruptionDifference {
    std::vector<std::string> names; ///< C
    std::vector<double> difference; ///< C x 5 row-major (tuned − baseline)
    double meanDifference = 0;
    QStringList notes; ///< corruptions only one file holds
};
/// Throws repalign::Error naming the file that has no corruption results, or when none are shared.
CorruptionDifference corruptionDifference(const BehaviourModel& base, const BehaviourModel& tuned);
/// The heat map of corruptionDifference: corruptions along x, severity 1..5 along y, a diverging
/// colour scale symmetric around 0 with its colour bar. The map is the plottable named "difference".
void plotCorruptionHeatmap(QCustomPlot* plot, const BehaviourModel& base, const BehaviourModel& tuned);

/// Accuracy against mean confidence per confidence bin (non-empty bins), one line per model, with
/// the diagonal of perfect calibration; each model's ECE is in its legend entry.
void plotReliability(QCustomPlot* plot, const QList<BehaviourModel>& models);

/// Three panels of bars, one bar per model with its 95% CI: cross-entropy against the human label
/// distribution, agreement with the human majority and Cohen's κ (median over annotators, or
/// against the expected observer when the file has no per-annotator κ). Throws repalign::Error
/// when no model has human results.
void plotHumanAgreement(QCustomPlot* plot, const QList<BehaviourModel>& models);

/// Draws figure @p kind (behaviourFigureKinds()) of @p models; @p option is the robustness panels
/// ("all", "pgd", "corruption"). corruption-heatmap takes the first model as the baseline and the
/// second as tuned. The one path of the Behaviour view and `repalign-cli figure`.
void plotBehaviourFigure(QCustomPlot* plot, const QString& kind, const QList<BehaviourModel>& models, const QString& option = {});

/// One line per difference that makes the files' numbers not comparable: data, split, image
/// count, PGD settings or ε grid, corruption sets, calibration bins, human results in only one file.
QStringList behaviourMismatchNotes(const QList<BehaviourModel>& models);

} // namespace repalign::gui
