#pragma once
/// @file stats.h
/// Statistics that compare models' Interpretability Index distributions. p-values use
/// Boost.Math distributions and follow SciPy 1.10's conventions (stated per function), so
/// they match scipy.stats to 1e-6 relative.
#include <cstdint>
#include <string>
#include <vector>

namespace repalign {
namespace stats {

double mean(const std::vector<double>& x);
/// Sample standard deviation (ddof = 1); 0 for fewer than two values.
double sampleStd(const std::vector<double>& x);
/// Median (mean of the two middle values for an even count).
double median(std::vector<double> x);
/// Average ranks (1-based) with ties sharing their mean rank, as scipy.stats.rankdata.
std::vector<double> rankAverage(const std::vector<double>& x);

struct Interval {
    double low = 0, high = 0;
};
/// Percentile bootstrap confidence interval of the mean: @p resamples resamples drawn from
/// a counter-based generator seeded with @p seed (deterministic), quantiles at
/// (1-level)/2 and (1+level)/2 with linear interpolation (numpy's default).
Interval bootstrapMeanCI(const std::vector<double>& x, double level = 0.95, int resamples = 10000, std::uint64_t seed = 0);

struct TestResult {
    double statistic = 0;
    double pValue = 1;
    double df = 0; ///< degrees of freedom where the test has one (Welch: df; ANOVA: df2)
    double df1 = 0; ///< ANOVA numerator df
    std::string method; ///< "exact", "asymptotic", ...
};

/// One-way ANOVA (scipy.stats.f_oneway): F and its upper-tail p.
TestResult oneWayAnova(const std::vector<std::vector<double>>& groups);
/// Welch's t-test, two-sided (scipy.stats.ttest_ind(equal_var=False)).
TestResult welchT(const std::vector<double>& a, const std::vector<double>& b);
/// Mann-Whitney U, two-sided (scipy.stats.mannwhitneyu defaults): statistic is U of @p a;
/// exact when either sample has at most 8 values and there are no ties, otherwise the
/// normal approximation with tie correction and continuity correction.
TestResult mannWhitneyU(const std::vector<double>& a, const std::vector<double>& b);
/// Wilcoxon signed-rank on paired differences a-b, two-sided (scipy.stats.wilcoxon
/// defaults: zeros dropped, no continuity correction); statistic min(R+, R-); exact when at
/// most 50 pairs and no zero differences, otherwise normal with tie correction.
TestResult wilcoxonSignedRank(const std::vector<double>& a, const std::vector<double>& b);
/// Cohen's d with the pooled sample standard deviation: (mean(a)-mean(b))/s_pooled.
double cohensD(const std::vector<double>& a, const std::vector<double>& b);

} // namespace stats

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
