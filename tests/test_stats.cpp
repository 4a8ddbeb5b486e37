// Statistics behind `compare`: against SciPy 1.10 values (tests/data/interpret/stats_reference.txt,
// from gen_reference.py) and against small cases worked by hand.
#include "common/error.h"
#include "interpret/comparison.h"
#include "testutil.h"

#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

using namespace repalign;

namespace {
struct Reference {
    std::map<std::string, std::vector<double>> arrays;
    std::map<std::string, double> values;
};

Reference loadReference()
{
    Reference r;
    std::ifstream in(std::string(REPALIGN_TEST_DATA) + "/interpret/stats_reference.txt");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string kind, name;
        ls >> kind >> name;
        if (kind == "array") {
            double v;
            while (ls >> v)
                r.arrays[name].push_back(v);
        } else if (kind == "value") {
            ls >> r.values[name];
        }
    }
    return r;
}

bool closeRel(double a, double b, double rel)
{
    if (a == b)
        return true;
    return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}
} // namespace

#define CHECK_REL(actual, expected, rel)                                                                                         \
    QVERIFY2(closeRel((actual), (expected), (rel)),                                                                              \
        qPrintable(QStringLiteral("%1 = %2, expected %3")                                                                        \
                       .arg(QLatin1String(#actual))                                                                              \
                       .arg((actual), 0, 'g', 17)                                                                                \
                       .arg((expected), 0, 'g', 17)))

class TestStats : public QObject {
    Q_OBJECT
    Reference ref;

private Q_SLOTS:
    void initTestCase()
    {
        ref = loadReference();
        QVERIFY(ref.arrays.size() >= 10);
        QVERIFY(ref.values.size() >= 20);
    }

    void descriptive()
    {
        const auto& g1 = ref.arrays["g1"];
        CHECK_REL(stats::mean(g1), ref.values["g1.mean"], 1e-12);
        CHECK_REL(stats::sampleStd(g1), ref.values["g1.std"], 1e-12);
        CHECK_REL(stats::median(g1), ref.values["g1.median"], 1e-12);
        CHECK_REL(stats::median(ref.arrays["g2"]), ref.values["g2.median"], 1e-12);
        // by hand
        QCOMPARE(stats::median({3, 1, 2, 10}), 2.5);
        QCOMPARE(stats::sampleStd({2, 4, 4, 4, 5, 5, 7, 9}), std::sqrt(32.0 / 7.0));
        const auto r = stats::rankAverage({10, 20, 10, 30, 20, 20});
        const std::vector<double> want {1.5, 4, 1.5, 6, 4, 4};
        QCOMPARE(r, want);
    }

    void quantilesAndKde()
    {
        // numpy.quantile's default (linear) by hand on the sorted sample
        // 0.05 0.12 0.33 0.47 0.5 0.62 0.91: q = 0.25 sits at position 1.5, and so on.
        const std::vector<double> x {0.12, 0.5, 0.33, 0.91, 0.05, 0.47, 0.62};
        CHECK_REL(stats::quantile(x, 0.0), 0.05, 1e-12);
        CHECK_REL(stats::quantile(x, 0.1), 0.092, 1e-12);
        CHECK_REL(stats::quantile(x, 0.25), 0.225, 1e-12);
        CHECK_REL(stats::quantile(x, 0.5), 0.47, 1e-12);
        CHECK_REL(stats::quantile(x, 0.9), 0.736, 1e-12);
        CHECK_REL(stats::quantile(x, 1.0), 0.91, 1e-12);
        QCOMPARE(stats::quantile({}, 0.5), 0.0);
        // scipy.stats.gaussian_kde(x)(grid): kernel variance = sample variance * n^(-2/5),
        // density = mean over samples of the normal pdf (computed in Python's math module).
        const std::vector<double> kde = stats::gaussianKde(x, {0.0, 0.25, 0.5, 1.0});
        const double want[] = {0.6200424835781538, 1.0052744029012926, 1.1073662700010052, 0.3265140535115326};
        QCOMPARE(kde.size(), std::size_t(4));
        for (int i = 0; i < 4; ++i)
            CHECK_REL(kde[static_cast<std::size_t>(i)], want[i], 1e-12);
    }

    void anovaAgainstScipy()
    {
        auto r3 = stats::oneWayAnova({ref.arrays["g1"], ref.arrays["g2"], ref.arrays["g3"]});
        CHECK_REL(r3.statistic, ref.values["anova3.F"], 1e-9);
        CHECK_REL(r3.pValue, ref.values["anova3.p"], 1e-6);
        QCOMPARE(r3.df1, 2.0);
        QCOMPARE(r3.df, 112.0);
        auto r2 = stats::oneWayAnova({ref.arrays["g1"], ref.arrays["g2"]});
        CHECK_REL(r2.statistic, ref.values["anova2.F"], 1e-9);
        CHECK_REL(r2.pValue, ref.values["anova2.p"], 1e-6);
        auto ru = stats::oneWayAnova({ref.arrays["u1"], ref.arrays["u2"]});
        CHECK_REL(ru.statistic, ref.values["anova_u.F"], 1e-9);
        CHECK_REL(ru.pValue, ref.values["anova_u.p"], 1e-6);
    }

    void anovaByHand()
    {
        // groups {1,2,3} {4,5,6}: SSB = 2*3*1.5^2 = 13.5, SSW = 2 + 2 = 4, F = 13.5 / (4/4)
        auto r = stats::oneWayAnova({{1, 2, 3}, {4, 5, 6}});
        QCOMPARE(r.statistic, 13.5);
        // with two groups of equal size and variance, F = t^2 and Welch's df = n1+n2-2, so the
        // two p-values must agree: an identity between Boost's F and t distributions
        auto w = stats::welchT({1, 2, 3}, {4, 5, 6});
        QCOMPARE(w.df, 4.0);
        CHECK_REL(w.statistic * w.statistic, 13.5, 1e-12);
        CHECK_REL(r.pValue, w.pValue, 1e-12);
        // t with 4 df has a closed form: sf(t) = 1/2 - (3/4) x (1 - x^2/3) / 2 with x = t/sqrt(t^2+4)
        const double t = std::sqrt(13.5), x = t / std::sqrt(t * t + 4);
        const double sf = 0.5 - 0.5 * (1.5 * x - 0.5 * x * x * x);
        CHECK_REL(w.pValue, 2 * sf, 1e-12);
    }

    void welchAgainstScipy()
    {
        auto r = stats::welchT(ref.arrays["g1"], ref.arrays["g2"]);
        CHECK_REL(r.statistic, ref.values["welch.t"], 1e-9);
        CHECK_REL(r.pValue, ref.values["welch.p"], 1e-6);
        auto u = stats::welchT(ref.arrays["u1"], ref.arrays["u2"]);
        CHECK_REL(u.statistic, ref.values["welch_u.t"], 1e-9);
        CHECK_REL(u.pValue, ref.values["welch_u.p"], 1e-6);
    }

    void mannWhitneyAgainstScipy()
    {
        auto r = stats::mannWhitneyU(ref.arrays["g1"], ref.arrays["g2"]);
        QCOMPARE(r.method, std::string("asymptotic"));
        CHECK_REL(r.statistic, ref.values["mwu.U"], 1e-12);
        CHECK_REL(r.pValue, ref.values["mwu.p"], 1e-6);
        auto s = stats::mannWhitneyU(ref.arrays["s1"], ref.arrays["s2"]);
        QCOMPARE(s.method, std::string("exact"));
        CHECK_REL(s.statistic, ref.values["mwu_small.U"], 1e-12);
        CHECK_REL(s.pValue, ref.values["mwu_small.p"], 1e-9);
        auto u = stats::mannWhitneyU(ref.arrays["u1"], ref.arrays["u2"]);
        CHECK_REL(u.statistic, ref.values["mwu_u.U"], 1e-12);
        CHECK_REL(u.pValue, ref.values["mwu_u.p"], 1e-6);
    }

    void mannWhitneyByHand()
    {
        // x = {1,2}, y = {3,4}: U1 = 0, the 6 equally likely arrangements have U = 0,1,2,2,3,4;
        // P(U >= 4) = 1/6, two-sided p = 1/3
        auto r = stats::mannWhitneyU({1, 2}, {3, 4});
        QCOMPARE(r.statistic, 0.0);
        CHECK_REL(r.pValue, 1.0 / 3.0, 1e-15);
        // x = {1,2,3}, y = {4,5,6}: 1 of C(6,3) = 20 arrangements is this extreme: p = 2/20
        CHECK_REL(stats::mannWhitneyU({1, 2, 3}, {4, 5, 6}).pValue, 0.1, 1e-15);
        // identical distributions in the middle: p clipped to 1
        QCOMPARE(stats::mannWhitneyU({1, 4}, {2, 3}).pValue, 1.0);
    }

    void wilcoxonAgainstScipy()
    {
        auto e = stats::wilcoxonSignedRank(ref.arrays["p1"], ref.arrays["p2"]);
        QCOMPARE(e.method, std::string("exact"));
        CHECK_REL(e.statistic, ref.values["wil_exact.T"], 1e-12);
        CHECK_REL(e.pValue, ref.values["wil_exact.p"], 1e-9);
        auto t = stats::wilcoxonSignedRank(ref.arrays["q1"], ref.arrays["q2"]);
        QCOMPARE(t.method, std::string("approx"));
        CHECK_REL(t.statistic, ref.values["wil_ties.T"], 1e-12);
        CHECK_REL(t.pValue, ref.values["wil_ties.p"], 1e-6);
        auto u = stats::wilcoxonSignedRank(ref.arrays["u1"], ref.arrays["u2"]);
        CHECK_REL(u.statistic, ref.values["wil_u.T"], 1e-12);
        CHECK_REL(u.pValue, ref.values["wil_u.p"], 1e-6);
    }

    void wilcoxonByHand()
    {
        // d = {1,2,3}: R+ = 6 of the 8 equally likely sign patterns' sums {0,1,2,3,3,4,5,6};
        // P(R+ >= 6) = 1/8, two-sided p = 1/4, T = min(R+, R-) = 0
        auto r = stats::wilcoxonSignedRank({2, 4, 6}, {1, 2, 3});
        QCOMPARE(r.statistic, 0.0);
        CHECK_REL(r.pValue, 0.25, 1e-15);
        // d = {1,-2,3,4}: R+ = 8, R- = 2; P(R+ >= 8) = #{8,9,10}/16 = 3/16 -> p = 3/8
        auto s = stats::wilcoxonSignedRank({1, -2, 3, 4}, {0, 0, 0, 0});
        QCOMPARE(s.statistic, 2.0);
        CHECK_REL(s.pValue, 0.375, 1e-15);
        QVERIFY_THROWS_EXCEPTION(Error, stats::wilcoxonSignedRank({1, 2}, {1}));
    }

    void cohensD()
    {
        CHECK_REL(stats::cohensD(ref.arrays["g1"], ref.arrays["g2"]), ref.values["cohen.d"], 1e-10);
        CHECK_REL(stats::cohensD(ref.arrays["u1"], ref.arrays["u2"]), ref.values["cohen_u.d"], 1e-10);
        // {1,2,3} vs {4,5,6}: pooled sd 1, d = -3
        CHECK_REL(stats::cohensD({1, 2, 3}, {4, 5, 6}), -3.0, 1e-15);
    }

    void bootstrap()
    {
        const auto& g = ref.arrays["u1"];
        const auto ci = stats::bootstrapMeanCI(g, 0.95, 10000, 0);
        const double m = stats::mean(g), se = stats::sampleStd(g) / std::sqrt(double(g.size()));
        QVERIFY(ci.low < m && m < ci.high);
        // the percentile interval of a mean of 512 values is close to the normal one
        QVERIFY(std::fabs((ci.high - ci.low) - 2 * 1.959964 * se) < 0.1 * 2 * 1.959964 * se);
        const auto again = stats::bootstrapMeanCI(g, 0.95, 10000, 0);
        QCOMPARE(again.low, ci.low);
        QCOMPARE(again.high, ci.high);
        const auto flat = stats::bootstrapMeanCI({0.5, 0.5, 0.5}, 0.95, 1000, 3);
        QCOMPARE(flat.low, 0.5);
        QCOMPARE(flat.high, 0.5);
    }

    void formatting()
    {
        QCOMPARE(formatPValue(0.000123456), std::string("0.000123"));
        QCOMPARE(formatPValue(0.0), std::string("< 1e-300"));
        QVERIFY_THROWS_EXCEPTION(Error, formatComparison(ComparisonResult {}, "html"));
        QVERIFY_THROWS_EXCEPTION(Error, compareAnalyses({"/nonexistent.h5"}, "colour"));
        QVERIFY_THROWS_EXCEPTION(Error, compareAnalyses({"/a.h5", "/b.h5"}, "lpips", {"one"}));
    }
};

QTEST_GUILESS_MAIN(TestStats)
#include "test_stats.moc"
