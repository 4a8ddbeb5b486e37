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
    std::string metric; ///< lpips | color | label
    std::vector<GroupSummary> groups;
    bool anovaDone = false;
    stats::TestResult anova;
    std::vector<PairComparison> pairs; ///< every pair i<j
    std::vector<std::string> notes; ///< e.g. uncalibrated LPIPS, mixed ii_diagonal
};

std::vector<std::string> comparisonMetrics(); ///< lpips, color, label
std::vector<std::string> comparisonFormats(); ///< table, csv, markdown, latex

/// Reads the analyses and computes the comparison. @p labels (may be empty) names the
/// groups in order; throws Error for a wrong label count, an unknown metric or a file that
/// is not an analysis.
ComparisonResult compareAnalyses(
    const std::vector<std::string>& paths, const std::string& metric, const std::vector<std::string>& labels = {});

/// Renders a comparison as "table" (aligned text), "csv", "markdown" (the reference's results
/// table: Model | Condition | Brain Area Tuned | Val Acc | II-<METRIC> mean ± std, then the
/// tests) or "latex". Throws Error listing the formats.
std::string formatComparison(const ComparisonResult& result, const std::string& format);

/// A p-value as text: 3 significant digits, "< 1e-300" below the double range.
std::string formatPValue(double p);

} // namespace repalign
