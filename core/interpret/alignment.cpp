#include "interpret/alignment.h"
#include "common/error.h"
#include "common/rng.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace repalign {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

torch::Tensor asDouble(const float* x, std::int64_t n, std::int64_t d)
{
    return torch::from_blob(const_cast<float*>(x), {n, d}, torch::kFloat32).to(torch::kFloat64);
}

std::vector<double> toVector(const torch::Tensor& t)
{
    const torch::Tensor c = t.contiguous().to(torch::kFloat64);
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

std::vector<double> ranks(const std::vector<double>& v)
{
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
            ++j;
        const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t k = i; k <= j; ++k)
            r[order[k]] = avg;
        i = j + 1;
    }
    return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b)
{
    const auto n = static_cast<double>(a.size());
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : kNaN;
}

} // namespace

std::vector<double> correlationRdm(const float* x, std::int64_t n, std::int64_t d)
{
    if (n < 1 || d < 1)
        throw Error("RDM: needs at least one image and one feature (got " + std::to_string(n) + " x " + std::to_string(d) + ")");
    torch::NoGradGuard noGrad;
    torch::Tensor z = asDouble(x, n, d);
    z = z - z.mean(1, true);
    const torch::Tensor norm = z.norm(2, 1, true);
    // rows without variance: zero vector, so r = 0 with every other row
    z = torch::where(norm > 0, z / norm.clamp_min(1e-300), torch::zeros_like(z));
    torch::Tensor r = torch::matmul(z, z.t()).clamp(-1.0, 1.0);
    torch::Tensor rdm = 1.0 - r;
    rdm.fill_diagonal_(0.0);
    return toVector(rdm);
}

std::vector<double> upperTriangle(const std::vector<double>& m, std::int64_t n)
{
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(n * (n - 1) / 2));
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = i + 1; j < n; ++j)
            out.push_back(m[static_cast<std::size_t>(i * n + j)]);
    return out;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size() || a.size() < 2)
        return kNaN;
    return pearson(ranks(a), ranks(b));
}

double rsaScore(const float* x, std::int64_t p, const float* y, std::int64_t q, std::int64_t n)
{
    if (n < 3)
        throw Error("RSA: needs at least 3 images (got " + std::to_string(n) + ")");
    return spearman(upperTriangle(correlationRdm(x, n, p), n), upperTriangle(correlationRdm(y, n, q), n));
}

RsaCeiling rsaSplitHalfCeiling(const float* trials, std::int64_t n, int repeats, std::int64_t v)
{
    RsaCeiling c;
    std::vector<float> even, odd;
    for (std::int64_t i = 0; i < n; ++i) {
        std::vector<double> se(static_cast<std::size_t>(v), 0.0), so(static_cast<std::size_t>(v), 0.0);
        int ne = 0, no = 0, seen = 0;
        for (int r = 0; r < repeats; ++r) {
            const float* t = trials + (i * repeats + r) * v;
            bool finite = true;
            for (std::int64_t k = 0; k < v && finite; ++k)
                finite = std::isfinite(t[k]);
            if (!finite)
                continue;
            // alternate the finite repeats between the halves
            auto& s = seen % 2 == 0 ? se : so;
            (seen % 2 == 0 ? ne : no) += 1;
            for (std::int64_t k = 0; k < v; ++k)
                s[static_cast<std::size_t>(k)] += t[k];
            ++seen;
        }
        if (ne == 0 || no == 0)
            continue;
        for (std::int64_t k = 0; k < v; ++k) {
            even.push_back(static_cast<float>(se[static_cast<std::size_t>(k)] / ne));
            odd.push_back(static_cast<float>(so[static_cast<std::size_t>(k)] / no));
        }
        ++c.images;
    }
    if (c.images < 3) {
        c.splitHalf = c.ceiling = kNaN;
        return c;
    }
    c.splitHalf = rsaScore(even.data(), v, odd.data(), v, c.images);
    c.ceiling = 2.0 * c.splitHalf / (1.0 + c.splitHalf);
    return c;
}

double hsicUnbiased(const std::vector<double>& kIn, const std::vector<double>& lIn, std::int64_t n)
{
    if (n < 4)
        throw Error("CKA: the unbiased HSIC needs at least 4 images (got " + std::to_string(n) + ")");
    torch::NoGradGuard noGrad;
    torch::Tensor k = torch::from_blob(const_cast<double*>(kIn.data()), {n, n}, torch::kFloat64).clone();
    torch::Tensor l = torch::from_blob(const_cast<double*>(lIn.data()), {n, n}, torch::kFloat64).clone();
    k.fill_diagonal_(0.0);
    l.fill_diagonal_(0.0);
    const double nd = static_cast<double>(n);
    const double trKL = (k * l).sum().item<double>(); // tr(K L) for symmetric matrices
    const double sumK = k.sum().item<double>(), sumL = l.sum().item<double>();
    const double oneKLone = torch::matmul(k.sum(0), l.sum(1)).item<double>();
    return (trKL + sumK * sumL / ((nd - 1) * (nd - 2)) - 2.0 / (nd - 2) * oneKLone) / (nd * (nd - 3));
}

double ckaLinearUnbiased(const float* x, std::int64_t p, const float* y, std::int64_t q, std::int64_t n)
{
    torch::NoGradGuard noGrad;
    torch::Tensor xd = asDouble(x, n, p), yd = asDouble(y, n, q);
    xd = xd - xd.mean(0, true);
    yd = yd - yd.mean(0, true);
    const std::vector<double> k = toVector(torch::matmul(xd, xd.t())), l = toVector(torch::matmul(yd, yd.t()));
    const double kl = hsicUnbiased(k, l, n), kk = hsicUnbiased(k, k, n), ll = hsicUnbiased(l, l, n);
    return kk > 0 && ll > 0 ? kl / std::sqrt(kk * ll) : kNaN;
}

SparseProjection makeSparseProjection(std::int64_t in, std::int64_t out, std::uint64_t seed, double density)
{
    if (in < 1 || out < 1)
        throw Error("sparse projection: sizes must be positive (got " + std::to_string(in) + " -> " + std::to_string(out) + ")");
    if (density <= 0)
        density = 1.0 / std::sqrt(static_cast<double>(in));
    density = std::min(density, 1.0);
    SparseProjection r;
    r.in = in;
    r.out = out;
    r.seed = seed;
    r.density = density;
    const float v = static_cast<float>(std::sqrt(1.0 / (density * static_cast<double>(out))));
    r.rowStart.reserve(static_cast<std::size_t>(in + 1));
    r.rowStart.push_back(0);
    for (std::int64_t i = 0; i < in; ++i) {
        // Each entry is non-zero with probability density: jump from one non-zero to the next
        // by geometric gaps (the same law as a draw per entry, at a draw per non-zero).
        Rng rng(mixSeed(seed, 0x5e1ec7, static_cast<std::uint64_t>(i)));
        const double logKeep = std::log1p(-std::min(density, 1.0 - 1e-12));
        for (std::int64_t j = -1;;) {
            const double u = 1.0 - rng.uniform(); // (0, 1]
            const double gap = density >= 1.0 ? 0.0 : std::floor(std::log(u) / logKeep);
            if (gap >= static_cast<double>(out))
                break;
            j += 1 + static_cast<std::int64_t>(gap);
            if (j >= out)
                break;
            r.column.push_back(static_cast<std::int32_t>(j));
            r.value.push_back(rng.uniform() < 0.5 ? -v : v);
        }
        r.rowStart.push_back(static_cast<std::int64_t>(r.column.size()));
    }
    return r;
}

std::vector<float> applyProjection(const SparseProjection& r, const float* x, std::int64_t n)
{
    std::vector<double> acc(static_cast<std::size_t>(n * r.out), 0.0);
    for (std::int64_t s = 0; s < n; ++s) {
        const float* row = x + s * r.in;
        double* o = acc.data() + s * r.out;
        for (std::int64_t i = 0; i < r.in; ++i) {
            const double xi = row[i];
            if (xi == 0)
                continue;
            for (std::int64_t e = r.rowStart[static_cast<std::size_t>(i)]; e < r.rowStart[static_cast<std::size_t>(i + 1)]; ++e)
                o[r.column[static_cast<std::size_t>(e)]] += xi * r.value[static_cast<std::size_t>(e)];
        }
    }
    return std::vector<float>(acc.begin(), acc.end());
}

} // namespace repalign
