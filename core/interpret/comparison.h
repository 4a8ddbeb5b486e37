#pragma once
/// @file comparison.h
/// Comparing analysis files: the II distributions of several models side by side, the tests
/// between them (interpret/stats.h) and the table `repalign-cli compare` and the GUI print.
#include "interpret/stats.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {

/// One analysis' summary in a comparison.
struct GroupSummary {
    std::string label; ///< from --labels, else the file's stem
    std::string path;
    std::string model, layer, tunedArea, data, split;
    std::int64_t n = 0;
    double mean = 0, std = 0, median = 0;
    stats::Interval ci95; ///< bootstrap CI of the mean
    double accuracy = 0;
    bool calibrated = true; ///< LPIPS weights calibrated (false for random:SEED)
    std::string lpipsWeights;
    std::string iiDiagonal;
};

/// A comparison between two analyses (i, j index into ComparisonResult::groups).
struct PairComparison {
    int i = 0, j = 1;
    stats::TestResult welch;
    stats::TestResult mannWhitney;
    bool pairedDone = false;
    std::string pairedSkipReason; ///< why the paired test was skipped
    stats::TestResult wilcoxon;
    double cohensD = 0;
};

struct ComparisonResult {
    std::string metric; ///< one of comparisonMetrics()
    std::vector<GroupSummary> groups;
    bool anovaDone = false;
    stats::TestResult anova;
    std::vector<PairComparison> pairs; ///< every pair i<j
    std::vector<std::string> notes; ///< e.g. uncalibrated LPIPS, mixed ii_diagonal
};

/// lpips, color, label (the dataset II in /ii) and lpips_synth, color_synth (the II over each
/// unit's synthesised images in /ii_synth, written by `analyze --ii-on synth`).
std::vector<std::string> comparisonMetrics();
bool isSynthMetric(const std::string& metric);
/// One value per unit of @p metric in the analysis file @p path, with the units' indices in
/// @p unitIds (0..U-1 for the dataset II; /ii_synth/units for the synthesised II). Throws Error
/// naming the file, and for a synthesised metric saying how to add /ii_synth when it is missing.
std::vector<float> comparisonValues(
    const std::string& path, const std::string& metric, std::vector<std::int64_t>* unitIds = nullptr);
std::vector<std::string> comparisonFormats(); ///< text, csv, tsv, markdown, latex (common/table.h; "table" = text)

/// Reads the analyses and computes the comparison. @p labels (may be empty) names the
/// groups in order; throws Error for a wrong label count, an unknown metric or a file that
/// is not an analysis.
ComparisonResult compareAnalyses(
    const std::vector<std::string>& paths, const std::string& metric, const std::vector<std::string>& labels = {});

/// Renders a comparison as "text" (aligned; "table" is the older name), "csv" or "tsv" (groups,
/// an empty line, the tests), "markdown" (the reference's results table: Model | Condition |
/// Brain Area Tuned | Val Acc | II-<METRIC> mean ± std, then the tests) or "latex"; the tables
/// through common/table.h. Throws Error listing the formats.
std::string formatComparison(const ComparisonResult& result, const std::string& format);

/// A p-value as text: 3 significant digits, "< 1e-300" below the double range.
std::string formatPValue(double p);

} // namespace repalign
