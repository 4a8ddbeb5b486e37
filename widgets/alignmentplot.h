#pragma once
/// @file alignmentplot.h
/// The layer profile of brain alignment (`repalign-cli align`): one score against depth, one
/// line per model and ROI, drawn on a plain QCustomPlot with no interaction. Exported by
/// `repalign-cli figure --kind layer-profile`.
#include <QString>

class QCustomPlot;

namespace repalign {
struct AlignmentScores;
}

namespace repalign::gui {

/// "ridge r (median)", "ridge r²/ceiling (median)", "RSA (Spearman)", "CKA (linear, unbiased)".
QString alignmentScoreLabel(const QString& score);

/// Draws @p score ("r_median", "normalized_median", "rsa" or "cka") of every model and ROI
/// against layer: colour per ROI, solid line for the first model and dashed for the second;
/// for RSA each ROI's noise ceiling is a dotted line. Throws repalign::Error for an unknown score.
void plotLayerProfile(QCustomPlot* plot, const AlignmentScores& scores, const QString& score);

} // namespace repalign::gui
