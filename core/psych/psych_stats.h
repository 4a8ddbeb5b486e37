#pragma once
/// @file psych_stats.h
/// The statistics of a psychophysics import (pure maths; tests hold them to hand values and
/// scipy's formulas).
#include <cstdint>
#include <vector>

namespace repalign::psych {

struct Interval {
    double low = 0, high = 0;
};
/// Wilson score interval for @p successes of @p trials at normal quantile @p z (1.96: 95%);
/// NAN bounds for no trials.
Interval wilsonInterval(std::int64_t successes, std::int64_t trials, double z = 1.959963984540054);

struct Correlation {
    double rho = 0, low = 0, high = 0, p = 1;
    std::int64_t n = 0;
};
/// Spearman's rho (Pearson on average ranks, as scipy.stats.spearmanr) with the two-sided p
/// from Student's t with n-2 df (scipy's), and a percentile bootstrap CI over pairs
/// (@p resamples, counter-based RNG from @p seed). NANs where undefined (n < 3 or a constant side).
Correlation spearman(
    const std::vector<double>& x, const std::vector<double>& y, int resamples, std::uint64_t seed, double level = 0.95);

/// Paired sign-flip permutation test of the mean of @p d (per-participant differences), two-sided:
/// exact over all 2^n sign patterns for n <= 16, else @p resamples Monte-Carlo patterns
/// (p = (1 + count) / (1 + resamples)). @p exact reports which was used.
double signFlipP(const std::vector<double>& d, int resamples, std::uint64_t seed, bool* exact = nullptr);

/// Linear-interpolation (numpy default) quantile of a sorted sample.
double sortedQuantile(const std::vector<double>& sorted, double q);

} // namespace repalign::psych
