#include "interpret/stats.h"

#include "common/error.h"
#include "common/rng.h"
#include "interpret/analysis.h"

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <sstream>

namespace repalign {
namespace stats {

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();

double normalSf(double z)
{
    if (std::isnan(z))
        return kNaN;
    if (std::isinf(z))
        return z > 0 ? 0.0 : 1.0;
    return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(0.0, 1.0), z));
}

double studentSf(double t, double df)
{
    if (std::isnan(t) || !(df > 0))
        return kNaN;
    if (std::isinf(t))
        return t > 0 ? 0.0 : 1.0;
    return boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(df), t));
}

double variance(const std::vector<double>& x)
{
    if (x.size() < 2)
        return 0.0;
    const double m = mean(x);
    double s = 0;
    for (double v : x)
        s += (v - m) * (v - m);
    return s / static_cast<double>(x.size() - 1);
}

// Coefficients of the Gaussian binomial [m+n choose m]_q: the number of arrangements with
// Mann-Whitney U = j, for j = 0..m*n.
std::vector<long double> mannWhitneyCounts(int m, int n)
{
    std::vector<long double> p(1, 1.0L);
    for (int i = 1; i <= m; ++i) {
        // multiply by (1 - q^(n+i))
        std::vector<long double> r(p.size() + n + i, 0.0L);
        for (std::size_t k = 0; k < p.size(); ++k) {
            r[k] += p[k];
            r[k + n + i] -= p[k];
        }
        // divide by (1 - q^i): exact, the quotient has degree deg(r) - i
        std::vector<long double> q(r.size() - i, 0.0L);
        for (std::size_t k = 0; k < q.size(); ++k)
            q[k] = r[k] + (k >= static_cast<std::size_t>(i) ? q[k - i] : 0.0L);
        p.swap(q);
    }
    return p;
}

// Number of subsets of {1..n} with rank sum s, s = 0..n(n+1)/2.
std::vector<long double> signedRankCounts(int n)
{
    const int maxSum = n * (n + 1) / 2;
    std::vector<long double> c(static_cast<std::size_t>(maxSum) + 1, 0.0L);
    c[0] = 1.0L;
    for (int r = 1; r <= n; ++r)
        for (int s = maxSum; s >= r; --s)
            c[s] += c[s - r];
    return c;
}
} // namespace

double mean(const std::vector<double>& x)
{
    if (x.empty())
        return kNaN;
    long double s = 0;
    for (double v : x)
        s += v;
    return static_cast<double>(s / x.size());
}

double sampleStd(const std::vector<double>& x)
{
    return std::sqrt(variance(x));
}

double median(std::vector<double> x)
{
    if (x.empty())
        return kNaN;
    std::sort(x.begin(), x.end());
    const std::size_t n = x.size();
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

std::vector<double> rankAverage(const std::vector<double>& x)
{
    const std::size_t n = x.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::vector<double> ranks(n);
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i;
        while (j + 1 < n && x[order[j + 1]] == x[order[i]])
            ++j;
        const double r = 0.5 * (static_cast<double>(i + 1) + static_cast<double>(j + 1));
        for (std::size_t t = i; t <= j; ++t)
            ranks[order[t]] = r;
        i = j + 1;
    }
    return ranks;
}

TestResult mcNemar(std::int64_t b, std::int64_t c, std::int64_t exactBelow)
{
    if (b < 0 || c < 0)
        throw Error("McNemar: discordant counts must not be negative (got " + std::to_string(b) + ", " + std::to_string(c) + ")");
    TestResult r;
    const std::int64_t n = b + c;
    if (n < exactBelow) {
        r.method = "exact";
        r.statistic = static_cast<double>(std::min(b, c));
        if (n == 0) {
            r.pValue = 1;
            return r;
        }
        const boost::math::binomial_distribution<double> dist(static_cast<double>(n), 0.5);
        r.pValue = std::min(1.0, 2.0 * boost::math::cdf(dist, static_cast<double>(std::min(b, c))));
        return r;
    }
    r.method = "chi-square";
    const double d = std::fabs(static_cast<double>(b - c)) - 1.0;
    r.statistic = d * d / static_cast<double>(n);
    r.df = 1;
    const boost::math::chi_squared_distribution<double> dist(1.0);
    r.pValue = boost::math::cdf(boost::math::complement(dist, r.statistic));
    return r;
}

Interval bootstrapMeanCI(const std::vector<double>& x, double level, int resamples, std::uint64_t seed)
{
    Interval ci;
    if (x.empty() || resamples < 2) {
        ci.low = ci.high = kNaN;
        return ci;
    }
    if (!(level > 0 && level < 1))
        throw Error("bootstrap confidence level must be in (0, 1) (got " + std::to_string(level) + ")");
    const std::size_t n = x.size();
    std::vector<double> means(static_cast<std::size_t>(resamples));
    Rng rng(mixSeed(seed, 0xB007, n));
    for (int r = 0; r < resamples; ++r) {
        long double s = 0;
        for (std::size_t i = 0; i < n; ++i)
            s += x[rng.below(n)];
        means[r] = static_cast<double>(s / n);
    }
    std::sort(means.begin(), means.end());
    auto quantile = [&](double q) {
        const double pos = q * (resamples - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const std::size_t hi = std::min(lo + 1, means.size() - 1);
        const double frac = pos - lo;
        return means[lo] + (means[hi] - means[lo]) * frac;
    };
    ci.low = quantile((1 - level) / 2);
    ci.high = quantile((1 + level) / 2);
    return ci;
}

TestResult oneWayAnova(const std::vector<std::vector<double>>& groups)
{
    TestResult r;
    r.method = "one-way ANOVA";
    const std::size_t k = groups.size();
    std::size_t n = 0;
    long double grand = 0;
    for (const auto& g : groups) {
        n += g.size();
        for (double v : g)
            grand += v;
    }
    if (k < 2 || n <= k) {
        r.statistic = r.pValue = kNaN;
        return r;
    }
    const double gm = static_cast<double>(grand / n);
    long double ssb = 0, ssw = 0;
    for (const auto& g : groups) {
        if (g.empty())
            throw Error("one-way ANOVA: a group is empty");
        const double m = mean(g);
        ssb += static_cast<long double>(g.size()) * (m - gm) * (m - gm);
        for (double v : g)
            ssw += (v - m) * (v - m);
    }
    r.df1 = static_cast<double>(k - 1);
    r.df = static_cast<double>(n - k);
    const double msb = static_cast<double>(ssb) / r.df1;
    const double msw = static_cast<double>(ssw) / r.df;
    if (msw == 0) {
        r.statistic = msb == 0 ? kNaN : std::numeric_limits<double>::infinity();
        r.pValue = msb == 0 ? kNaN : 0.0;
        return r;
    }
    r.statistic = msb / msw;
    if (!std::isfinite(r.statistic)) { // NaN input: Boost would throw its own text
        r.pValue = std::isinf(r.statistic) ? 0.0 : kNaN;
        return r;
    }
    r.pValue = boost::math::cdf(boost::math::complement(boost::math::fisher_f_distribution<double>(r.df1, r.df), r.statistic));
    return r;
}

TestResult welchT(const std::vector<double>& a, const std::vector<double>& b)
{
    TestResult r;
    r.method = "Welch's t-test";
    const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size());
    if (a.size() < 2 || b.size() < 2) {
        r.statistic = r.pValue = r.df = kNaN;
        return r;
    }
    const double vn1 = variance(a) / n1, vn2 = variance(b) / n2;
    const double se2 = vn1 + vn2;
    r.df = se2 * se2 / (vn1 * vn1 / (n1 - 1) + vn2 * vn2 / (n2 - 1));
    const double diff = mean(a) - mean(b);
    if (se2 == 0) {
        r.statistic = diff == 0 ? kNaN : std::copysign(std::numeric_limits<double>::infinity(), diff);
        r.pValue = diff == 0 ? kNaN : 0.0;
        return r;
    }
    r.statistic = diff / std::sqrt(se2);
    r.pValue = std::min(1.0, 2.0 * studentSf(std::fabs(r.statistic), r.df));
    return r;
}

TestResult mannWhitneyU(const std::vector<double>& a, const std::vector<double>& b)
{
    TestResult r;
    const std::size_t n1 = a.size(), n2 = b.size();
    if (n1 == 0 || n2 == 0) {
        r.statistic = r.pValue = kNaN;
        r.method = "Mann-Whitney U";
        return r;
    }
    std::vector<double> xy(a);
    xy.insert(xy.end(), b.begin(), b.end());
    const auto ranks = rankAverage(xy);
    long double r1 = 0;
    for (std::size_t i = 0; i < n1; ++i)
        r1 += ranks[i];
    const double u1 = static_cast<double>(r1 - 0.5L * n1 * (n1 + 1));
    const double u2 = static_cast<double>(n1) * n2 - u1;
    const double u = std::max(u1, u2);
    r.statistic = u1;
    // ties: counts of equal values
    std::vector<double> sorted(xy);
    std::sort(sorted.begin(), sorted.end());
    long double tieTerm = 0;
    bool ties = false;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        while (j < sorted.size() && sorted[j] == sorted[i])
            ++j;
        const long double t = static_cast<long double>(j - i);
        if (j - i > 1)
            ties = true;
        tieTerm += t * t * t - t;
        i = j;
    }
    const bool exact = (n1 <= 8 || n2 <= 8) && !ties;
    if (exact) {
        r.method = "exact";
        const int m = static_cast<int>(std::min(n1, n2)), n = static_cast<int>(std::max(n1, n2));
        const auto counts = mannWhitneyCounts(m, n);
        long double total = 0;
        for (auto c : counts)
            total += c;
        // P(U >= u) = P(U <= m*n - u) by symmetry, as scipy sums from the left
        const auto kmax = static_cast<long long>(static_cast<double>(m) * n - u);
        long double s = 0;
        for (long long j = 0; j <= kmax && j < static_cast<long long>(counts.size()); ++j)
            s += counts[static_cast<std::size_t>(j)];
        r.pValue = std::min(1.0, std::max(0.0, static_cast<double>(2.0L * s / total)));
        return r;
    }
    r.method = "asymptotic";
    const double nn = static_cast<double>(n1 + n2);
    const double s = std::sqrt(static_cast<double>(n1) * n2 / 12.0 * ((nn + 1) - static_cast<double>(tieTerm) / (nn * (nn - 1))));
    const double z = (u - static_cast<double>(n1) * n2 / 2.0 - 0.5) / s;
    r.pValue = std::min(1.0, std::max(0.0, 2.0 * normalSf(z)));
    return r;
}

TestResult wilcoxonSignedRank(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size())
        throw Error("Wilcoxon signed-rank test needs paired samples of equal size (got " + std::to_string(a.size()) + " and "
            + std::to_string(b.size()) + ")");
    TestResult r;
    std::vector<double> d(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        d[i] = a[i] - b[i];
    std::size_t zeros = 0;
    for (double v : d)
        zeros += v == 0;
    bool exact = d.size() <= 50 && zeros == 0;
    std::vector<double> nz;
    for (double v : d)
        if (v != 0)
            nz.push_back(v);
    if (nz.empty()) {
        r.method = exact ? "exact" : "approx";
        r.statistic = r.pValue = kNaN;
        return r;
    }
    const std::size_t count = nz.size();
    std::vector<double> absd(count);
    for (std::size_t i = 0; i < count; ++i)
        absd[i] = std::fabs(nz[i]);
    const auto rk = rankAverage(absd);
    double rplus = 0, rminus = 0;
    for (std::size_t i = 0; i < count; ++i)
        (nz[i] > 0 ? rplus : rminus) += rk[i];
    r.statistic = std::min(rplus, rminus);
    if (exact) {
        r.method = "exact";
        const auto c = signedRankCounts(static_cast<int>(count));
        const long double total = std::ldexp(1.0L, static_cast<int>(count));
        const auto rp = static_cast<long long>(rplus); // scipy truncates (ties without zeros)
        if (rp == static_cast<long long>((c.size() - 1) / 2)) {
            r.pValue = 1.0;
        } else {
            long double less = 0, greater = 0;
            for (long long s = 0; s < static_cast<long long>(c.size()); ++s) {
                if (s <= rp)
                    less += c[static_cast<std::size_t>(s)];
                if (s >= rp)
                    greater += c[static_cast<std::size_t>(s)];
            }
            r.pValue = std::min(1.0, static_cast<double>(2.0L * std::min(less, greater) / total));
        }
        return r;
    }
    r.method = "approx";
    const double n = static_cast<double>(count);
    const double mn = n * (n + 1) * 0.25;
    double se = n * (n + 1) * (2 * n + 1);
    std::vector<double> sortedRanks(rk);
    std::sort(sortedRanks.begin(), sortedRanks.end());
    for (std::size_t i = 0; i < sortedRanks.size();) {
        std::size_t j = i;
        while (j < sortedRanks.size() && sortedRanks[j] == sortedRanks[i])
            ++j;
        const double t = static_cast<double>(j - i);
        if (t > 1)
            se -= 0.5 * t * (t * t - 1);
        i = j;
    }
    se = std::sqrt(se / 24);
    const double z = (r.statistic - mn) / se;
    r.pValue = std::min(1.0, 2.0 * normalSf(std::fabs(z)));
    return r;
}

double cohensD(const std::vector<double>& a, const std::vector<double>& b)
{
    const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size());
    if (a.size() < 2 || b.size() < 2)
        return kNaN;
    const double pooled = std::sqrt(((n1 - 1) * variance(a) + (n2 - 1) * variance(b)) / (n1 + n2 - 2));
    return (mean(a) - mean(b)) / pooled;
}

std::vector<double> holmAdjust(const std::vector<double>& p)
{
    const std::size_t m = p.size();
    std::vector<std::size_t> order(m);
    for (std::size_t i = 0; i < m; ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    std::vector<double> out(m, 1.0);
    double running = 0;
    for (std::size_t k = 0; k < m; ++k) {
        const double adj = std::min(1.0, double(m - k) * p[order[k]]);
        running = std::max(running, adj);
        out[order[k]] = running;
    }
    return out;
}

double quantile(std::vector<double> x, double q)
{
    if (x.empty())
        return 0;
    std::sort(x.begin(), x.end());
    const double pos = q * static_cast<double>(x.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(x.size() - 1, lo + 1);
    return x[lo] + (pos - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

std::vector<double> gaussianKde(const std::vector<double>& x, const std::vector<double>& grid)
{
    std::vector<double> out(grid.size(), 0.0);
    if (x.empty())
        return out;
    const double n = static_cast<double>(x.size());
    const double bw = std::max(1e-9, sampleStd(x) * std::pow(n, -1.0 / 5.0));
    const double norm = 1.0 / (n * bw * std::sqrt(2 * M_PI));
    for (std::size_t g = 0; g < grid.size(); ++g) {
        double sum = 0;
        for (double v : x) {
            const double z = (grid[g] - v) / bw;
            sum += std::exp(-0.5 * z * z);
        }
        out[g] = sum * norm;
    }
    return out;
}

} // namespace stats

} // namespace repalign
