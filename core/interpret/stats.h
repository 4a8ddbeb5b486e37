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
/// McNemar's test on paired binary outcomes from the discordant counts: @p b (first right,
/// second wrong) and @p c (first wrong, second right); two-sided. With b + c below
/// @p exactBelow the exact binomial test (statsmodels mcnemar(exact=True): statistic min(b, c),
/// p = min(1, 2 * Binomial(b + c, 1/2).cdf(min(b, c)))), otherwise the chi-square test with
/// continuity correction (exact=False, correction=True: statistic (|b - c| - 1)^2 / (b + c),
/// 1 df). p = 1 when there are no discordant pairs. method "exact" or "chi-square".
TestResult mcNemar(std::int64_t b, std::int64_t c, std::int64_t exactBelow = 25);
/// Cohen's d with the pooled sample standard deviation: (mean(a)-mean(b))/s_pooled.
double cohensD(const std::vector<double>& a, const std::vector<double>& b);

/// Holm-Bonferroni step-down adjusted p-values, in the input order (monotone, capped at 1;
/// ties keep their input order).
std::vector<double> holmAdjust(const std::vector<double>& p);
/// Linear-interpolation quantile (numpy's default "linear", R type 7) of @p x at @p q in [0, 1];
/// 0 for an empty sample.
double quantile(std::vector<double> x, double q);
/// Gaussian kernel density with Scott's bandwidth n^(-1/5) times the sample std (as
/// scipy.stats.gaussian_kde), evaluated at each point of @p grid.
std::vector<double> gaussianKde(const std::vector<double>& x, const std::vector<double>& grid);

} // namespace stats

} // namespace repalign
