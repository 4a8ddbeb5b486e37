#include "interpret/stats.h"

#include "common/error.h"
#include "common/rng.h"
#include "interpret/analysis.h"

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

} // namespace stats

// ---------------------------------------------------------------------------------------
// Comparison of analyses

std::vector<std::string> comparisonMetrics()
{
    return {"lpips", "color", "label"};
}

std::vector<std::string> comparisonFormats()
{
    return {"table", "csv", "markdown", "latex"};
}

namespace {
std::string fileStem(const std::string& path)
{
    std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    const auto dot = name.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string fmt(double v, int digits)
{
    if (std::isnan(v))
        return "nan";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string fmtG(double v, int digits = 4)
{
    if (std::isnan(v))
        return "nan";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

std::string prettyModel(const std::string& model)
{
    auto pos = model.find('_');
    std::string arch = pos == std::string::npos ? model : model.substr(0, pos);
    auto digits = arch.find_first_of("0123456789");
    if (digits == std::string::npos)
        return model.empty() ? "-" : model;
    const std::string family = arch.substr(0, digits), depth = arch.substr(digits);
    if (family == "resnet")
        return "ResNet-" + depth;
    if (family == "vgg")
        return "VGG-" + depth;
    return model;
}

std::string metricTitle(const std::string& metric)
{
    if (metric == "lpips")
        return "II-LPIPS";
    if (metric == "color")
        return "II-color";
    return "II-label";
}

std::string csvQuote(const std::string& s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

std::string latexEscape(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$' || c == '{' || c == '}')
            out += '\\';
        out += c;
    }
    return out;
}
} // namespace

std::string formatPValue(double p)
{
    if (std::isnan(p))
        return "nan";
    if (p < 1e-300)
        return "< 1e-300";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", p);
    return buf;
}

ComparisonResult compareAnalyses(
    const std::vector<std::string>& paths, const std::string& metric, const std::vector<std::string>& labels)
{
    const auto metrics = comparisonMetrics();
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end())
        throw Error("unknown metric '" + metric + "' (valid: " + joinChoices(metrics) + ")");
    if (paths.empty())
        throw Error("compare needs at least one analysis file");
    if (!labels.empty() && labels.size() != paths.size())
        throw Error("--labels gives " + std::to_string(labels.size()) + " labels for " + std::to_string(paths.size())
            + " analysis files (one label per file)");
    ComparisonResult result;
    result.metric = metric;
    std::vector<std::vector<double>> values;
    std::vector<std::int64_t> units;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        AnalysisFile f(paths[i]);
        GroupSummary g;
        g.label = labels.empty() ? fileStem(paths[i]) : labels[i];
        g.path = paths[i];
        g.model = f.model;
        g.layer = f.layer;
        g.tunedArea = f.tunedArea;
        g.data = f.data;
        g.split = f.split;
        g.accuracy = f.accuracy;
        g.calibrated = f.lpipsCalibrated;
        g.lpipsWeights = f.lpipsWeights;
        g.iiDiagonal = f.iiDiagonal;
        const auto& m = f.metric(metric);
        std::vector<double> v(m.begin(), m.end());
        std::vector<std::size_t> bad;
        for (std::size_t u = 0; u < v.size(); ++u)
            if (!std::isfinite(v[u]))
                bad.push_back(u);
        if (!bad.empty()) {
            std::string list;
            for (std::size_t b = 0; b < bad.size() && b < 8; ++b)
                list += (b ? ", " : "") + std::to_string(bad[b]);
            if (bad.size() > 8)
                list += " and " + std::to_string(bad.size() - 8) + " more";
            throw Error(paths[i] + ": /ii/" + metric + " holds " + std::to_string(bad.size()) + " NaN/Inf values of "
                + std::to_string(v.size()) + " (unit" + (bad.size() == 1 ? " " : "s ") + list
                + "); II values must be finite numbers (re-run analyze for this file)");
        }
        g.n = static_cast<std::int64_t>(v.size());
        g.mean = stats::mean(v);
        g.std = stats::sampleStd(v);
        g.median = stats::median(v);
        g.ci95 = stats::bootstrapMeanCI(v, 0.95, 10000, 0);
        if (metric == "lpips" && !g.calibrated)
            result.notes.push_back(g.label + ": LPIPS weights " + g.lpipsWeights
                + " are uncalibrated; II-LPIPS values are not comparable with published ones");
        result.groups.push_back(g);
        values.push_back(std::move(v));
        units.push_back(f.units);
    }
    for (std::size_t i = 1; i < result.groups.size(); ++i)
        if (result.groups[i].iiDiagonal != result.groups[0].iiDiagonal)
            result.notes.push_back("the analyses use different ii_diagonal conventions (" + result.groups[0].iiDiagonal + " vs "
                + result.groups[i].iiDiagonal + "); their values are not comparable");
    if (values.size() >= 2) {
        result.anova = stats::oneWayAnova(values);
        result.anovaDone = true;
    }
    for (std::size_t i = 0; i < values.size(); ++i)
        for (std::size_t j = i + 1; j < values.size(); ++j) {
            PairComparison pc;
            pc.i = static_cast<int>(i);
            pc.j = static_cast<int>(j);
            pc.welch = stats::welchT(values[i], values[j]);
            pc.mannWhitney = stats::mannWhitneyU(values[i], values[j]);
            pc.cohensD = stats::cohensD(values[i], values[j]);
            const auto& gi = result.groups[i];
            const auto& gj = result.groups[j];
            if (gi.layer != gj.layer) {
                pc.pairedSkipReason = "layers differ (" + gi.layer + " vs " + gj.layer + "), units cannot be matched";
            } else if (units[i] != units[j]) {
                pc.pairedSkipReason = "unit counts differ (" + std::to_string(units[i]) + " vs " + std::to_string(units[j])
                    + "), units cannot be matched";
            } else {
                bool allZero = true;
                for (std::size_t u = 0; u < values[i].size(); ++u)
                    allZero = allZero && values[i][u] == values[j][u];
                if (allZero) {
                    pc.pairedSkipReason = "every paired difference is zero";
                } else {
                    pc.wilcoxon = stats::wilcoxonSignedRank(values[i], values[j]);
                    pc.pairedDone = true;
                }
            }
            result.pairs.push_back(pc);
        }
    return result;
}

std::string formatComparison(const ComparisonResult& r, const std::string& format)
{
    const auto formats = comparisonFormats();
    if (std::find(formats.begin(), formats.end(), format) == formats.end())
        throw Error("unknown format '" + format + "' (valid: " + joinChoices(formats) + ")");
    const std::string title = metricTitle(r.metric);
    const int dig = r.metric == "color" ? 2 : 3;
    auto area = [](const GroupSummary& g) { return g.tunedArea.empty() ? std::string("-") : g.tunedArea; };
    auto label = [&](int i) { return r.groups[static_cast<std::size_t>(i)].label; };
    std::ostringstream o;

    if (format == "csv") {
        o << "section,label,model,layer,tuned_area,metric,n,mean,std,median,ci95_low,ci95_high,accuracy,"
             "lpips_calibrated,ii_diagonal\n";
        for (const auto& g : r.groups)
            o << "group," << csvQuote(g.label) << "," << csvQuote(g.model) << "," << csvQuote(g.layer) << "," << csvQuote(area(g))
              << "," << r.metric << "," << g.n << "," << fmtG(g.mean, 10) << "," << fmtG(g.std, 10) << "," << fmtG(g.median, 10)
              << "," << fmtG(g.ci95.low, 10) << "," << fmtG(g.ci95.high, 10) << "," << fmtG(g.accuracy, 10) << ","
              << (g.calibrated ? 1 : 0) << "," << g.iiDiagonal << "\n";
        o << "\nsection,a,b,test,statistic,df,p_value,note\n";
        if (r.anovaDone)
            o << "test,all,all,one-way ANOVA," << fmtG(r.anova.statistic, 10) << "," << fmtG(r.anova.df1, 10) << ";"
              << fmtG(r.anova.df, 10) << "," << fmtG(r.anova.pValue, 10) << ",\n";
        for (const auto& p : r.pairs) {
            const std::string ab = csvQuote(label(p.i)) + "," + csvQuote(label(p.j));
            o << "test," << ab << ",Welch t," << fmtG(p.welch.statistic, 10) << "," << fmtG(p.welch.df, 10) << ","
              << fmtG(p.welch.pValue, 10) << ",\n";
            o << "test," << ab << ",Mann-Whitney U," << fmtG(p.mannWhitney.statistic, 10) << ",,"
              << fmtG(p.mannWhitney.pValue, 10) << "," << p.mannWhitney.method << "\n";
            if (p.pairedDone)
                o << "test," << ab << ",Wilcoxon signed-rank," << fmtG(p.wilcoxon.statistic, 10) << ",,"
                  << fmtG(p.wilcoxon.pValue, 10) << "," << p.wilcoxon.method << "\n";
            else
                o << "test," << ab << ",Wilcoxon signed-rank,,,," << csvQuote("skipped: " + p.pairedSkipReason) << "\n";
            o << "test," << ab << ",Cohen's d," << fmtG(p.cohensD, 10) << ",,,\n";
        }
        return o.str();
    }

    if (format == "markdown") {
        o << "| Model | Condition | Brain Area Tuned | Val Acc | " << title << " mean ± std |\n";
        o << "|---|---|---|---|---|\n";
        for (const auto& g : r.groups)
            o << "| " << prettyModel(g.model) << " | " << g.label << " | " << area(g) << " | " << fmt(g.accuracy, 4) << " | "
              << fmt(g.mean, dig) << " ± " << fmt(g.std, dig) << (g.calibrated || r.metric != "lpips" ? "" : " *") << " |\n";
        o << "\n";
        o << "n, median and 95% bootstrap CI of the mean (10,000 resamples); std is the sample std (ddof 1).\n\n";
        o << "| Condition | n | median | 95% CI |\n|---|---|---|---|\n";
        for (const auto& g : r.groups)
            o << "| " << g.label << " | " << g.n << " | " << fmt(g.median, dig) << " | [" << fmt(g.ci95.low, dig) << ", "
              << fmt(g.ci95.high, dig) << "] |\n";
        o << "\n";
        if (r.anovaDone)
            o << "One-way ANOVA: F(" << fmtG(r.anova.df1) << ", " << fmtG(r.anova.df) << ") = " << fmtG(r.anova.statistic)
              << ", p = " << formatPValue(r.anova.pValue) << "\n\n";
        for (const auto& p : r.pairs) {
            o << "**" << label(p.i) << " vs " << label(p.j) << "**: Welch t(" << fmtG(p.welch.df)
              << ") = " << fmtG(p.welch.statistic) << ", p = " << formatPValue(p.welch.pValue)
              << "; Mann-Whitney U = " << fmtG(p.mannWhitney.statistic, 8) << ", p = " << formatPValue(p.mannWhitney.pValue)
              << "; ";
            if (p.pairedDone)
                o << "Wilcoxon signed-rank W = " << fmtG(p.wilcoxon.statistic, 8) << ", p = " << formatPValue(p.wilcoxon.pValue);
            else
                o << "Wilcoxon signed-rank skipped (" << p.pairedSkipReason << ")";
            o << "; Cohen's d = " << fmt(p.cohensD, 3) << "\n\n";
        }
        for (const auto& n : r.notes)
            o << "\\* " << n << "\n\n";
        return o.str();
    }

    if (format == "latex") {
        o << "\\begin{tabular}{lllrr}\n\\hline\n";
        o << "Model & Condition & Brain Area Tuned & Val Acc & " << title << " mean $\\pm$ std \\\\\n\\hline\n";
        for (const auto& g : r.groups)
            o << latexEscape(prettyModel(g.model)) << " & " << latexEscape(g.label) << " & " << latexEscape(area(g)) << " & "
              << fmt(g.accuracy, 4) << " & " << fmt(g.mean, dig) << " $\\pm$ " << fmt(g.std, dig)
              << (g.calibrated || r.metric != "lpips" ? "" : "$^{*}$") << " \\\\\n";
        o << "\\hline\n\\end{tabular}\n";
        if (r.anovaDone)
            o << "% One-way ANOVA: F(" << fmtG(r.anova.df1) << ", " << fmtG(r.anova.df) << ") = " << fmtG(r.anova.statistic)
              << ", p = " << formatPValue(r.anova.pValue) << "\n";
        for (const auto& p : r.pairs) {
            o << "% " << label(p.i) << " vs " << label(p.j) << ": Welch t = " << fmtG(p.welch.statistic)
              << ", p = " << formatPValue(p.welch.pValue) << "; Mann-Whitney p = " << formatPValue(p.mannWhitney.pValue)
              << "; Wilcoxon "
              << (p.pairedDone ? "p = " + formatPValue(p.wilcoxon.pValue) : "skipped (" + p.pairedSkipReason + ")")
              << "; Cohen's d = " << fmt(p.cohensD, 3) << "\n";
        }
        for (const auto& n : r.notes)
            o << "% * " << n << "\n";
        return o.str();
    }

    // table: aligned plain text
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"label", "model", "layer", "area", "n", "mean", "std", "median", "95% CI (bootstrap)", "accuracy"});
    for (const auto& g : r.groups)
        rows.push_back({g.label + (g.calibrated || r.metric != "lpips" ? "" : " *"), g.model, g.layer, area(g),
            std::to_string(g.n), fmt(g.mean, 4), fmt(g.std, 4), fmt(g.median, 4),
            "[" + fmt(g.ci95.low, 4) + ", " + fmt(g.ci95.high, 4) + "]", fmt(g.accuracy, 4)});
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            width[c] = std::max(width[c], row[c].size());
    o << title << " per analysis (std = sample std, ddof 1)\n";
    for (const auto& row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            o << row[c];
            if (c + 1 < row.size())
                o << std::string(width[c] - row[c].size() + 2, ' ');
        }
        o << "\n";
    }
    o << "\n";
    if (r.anovaDone)
        o << "one-way ANOVA: F(" << fmtG(r.anova.df1) << ", " << fmtG(r.anova.df) << ") = " << fmtG(r.anova.statistic)
          << ", p = " << formatPValue(r.anova.pValue) << "\n";
    for (const auto& p : r.pairs) {
        o << label(p.i) << " vs " << label(p.j) << ":\n";
        o << "  Welch's t        t = " << fmtG(p.welch.statistic) << ", df = " << fmtG(p.welch.df)
          << ", p = " << formatPValue(p.welch.pValue) << "\n";
        o << "  Mann-Whitney U   U = " << fmtG(p.mannWhitney.statistic, 8) << ", p = " << formatPValue(p.mannWhitney.pValue)
          << " (" << p.mannWhitney.method << ")\n";
        if (p.pairedDone)
            o << "  Wilcoxon (paired) W = " << fmtG(p.wilcoxon.statistic, 8) << ", p = " << formatPValue(p.wilcoxon.pValue)
              << " (" << p.wilcoxon.method << ", units matched by index)\n";
        else
            o << "  Wilcoxon (paired) skipped: " << p.pairedSkipReason << "\n";
        o << "  Cohen's d        d = " << fmt(p.cohensD, 3) << "\n";
    }
    for (const auto& n : r.notes)
        o << "* " << n << "\n";
    return o.str();
}

} // namespace repalign
