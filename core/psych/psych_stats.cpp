#include "psych/psych_stats.h"

#include "common/rng.h"
#include "interpret/stats.h"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>

namespace repalign::psych {

Interval wilsonInterval(std::int64_t successes, std::int64_t trials, double z)
{
    if (trials <= 0)
        return {NAN, NAN};
    const double n = static_cast<double>(trials);
    const double p = static_cast<double>(successes) / n;
    const double z2 = z * z;
    const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double sortedQuantile(const std::vector<double>& v, double q)
{
    if (v.empty())
        return NAN;
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

namespace {

double pearson(const std::vector<double>& a, const std::vector<double>& b)
{
    const std::size_t n = a.size();
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= static_cast<double>(n);
    mb /= static_cast<double>(n);
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (saa <= 0 || sbb <= 0)
        return NAN;
    return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

double spearmanRho(const std::vector<double>& x, const std::vector<double>& y)
{
    return pearson(stats::rankAverage(x), stats::rankAverage(y));
}

} // namespace

Correlation spearman(
    const std::vector<double>& xIn, const std::vector<double>& yIn, int resamples, std::uint64_t seed, double level)
{
    std::vector<double> x, y;
    for (std::size_t i = 0; i < std::min(xIn.size(), yIn.size()); ++i)
        if (std::isfinite(xIn[i]) && std::isfinite(yIn[i])) {
            x.push_back(xIn[i]);
            y.push_back(yIn[i]);
        }
    Correlation c;
    c.n = static_cast<std::int64_t>(x.size());
    c.rho = c.low = c.high = c.p = NAN;
    if (x.size() < 3)
        return c;
    c.rho = spearmanRho(x, y);
    if (std::isnan(c.rho))
        return c;
    const double df = static_cast<double>(x.size()) - 2;
    if (std::fabs(c.rho) >= 1.0)
        c.p = 0;
    else {
        const double t = c.rho * std::sqrt(df / ((1 - c.rho) * (1 + c.rho)));
        const boost::math::students_t dist(df);
        c.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t))));
    }
    std::vector<double> boots;
    boots.reserve(static_cast<std::size_t>(std::max(0, resamples)));
    Rng rng(mixSeed(seed, 0x5EA5, x.size()));
    std::vector<double> bx(x.size()), by(y.size());
    for (int r = 0; r < resamples; ++r) {
        for (std::size_t i = 0; i < x.size(); ++i) {
            const std::size_t j = rng.below(x.size());
            bx[i] = x[j];
            by[i] = y[j];
        }
        const double rho = spearmanRho(bx, by);
        if (std::isfinite(rho))
            boots.push_back(rho);
    }
    std::sort(boots.begin(), boots.end());
    c.low = sortedQuantile(boots, (1 - level) / 2);
    c.high = sortedQuantile(boots, (1 + level) / 2);
    return c;
}

double signFlipP(const std::vector<double>& d, int resamples, std::uint64_t seed, bool* exact)
{
    const std::size_t n = d.size();
    if (n == 0)
        return NAN;
    double observed = 0;
    for (const double v : d)
        observed += v;
    observed = std::fabs(observed);
    const double eps = 1e-12 * (1 + observed);
    if (n <= 16) {
        if (exact)
            *exact = true;
        std::int64_t count = 0;
        const std::uint32_t patterns = 1u << n;
        for (std::uint32_t m = 0; m < patterns; ++m) {
            double s = 0;
            for (std::size_t i = 0; i < n; ++i)
                s += (m >> i) & 1u ? -d[i] : d[i];
            count += std::fabs(s) >= observed - eps;
        }
        return static_cast<double>(count) / patterns;
    }
    if (exact)
        *exact = false;
    Rng rng(mixSeed(seed, 0xF11F, n));
    std::int64_t count = 0;
    for (int r = 0; r < resamples; ++r) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i)
            s += rng.below(2) ? -d[i] : d[i];
        count += std::fabs(s) >= observed - eps;
    }
    return static_cast<double>(1 + count) / (1 + resamples);
}

} // namespace repalign::psych
