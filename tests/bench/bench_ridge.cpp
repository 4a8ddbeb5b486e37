// bench_ridge: the ridge probe (`repalign-cli predictivity`'s readout fit) at the demo's size,
// against the textbook algorithm, in one run.
//   fast:  ridgeFitCV: one factorisation per cross-validation fold (an eigendecomposition of
//          the n x n Gram matrix when features outnumber images), every penalty from it
//   naive: a fresh solve per fold and penalty, (X X^T + alpha I) A = Y in the n x n kernel form
//          (Cholesky), then W = X^T A
// Both go through LibTorch's BLAS/LAPACK (libblas.so.3 / liblapack.so.3), so run it once with
// the reference BLAS and once with OpenBLAS to see what the BLAS is worth; the JSON names the
// BLAS that was loaded. Prints JSON: both times, their ratio, the chosen penalties and the
// largest differences between the CV scores and between the weights of the two.
// Usage: bench_ridge [--train N] [--features D] [--voxels V] [--folds F] [--threads T]
// Defaults are the demo's V4 probe: 960 train images, layer4 flattened at 32 px (8192
// features), 64 voxels, 5 folds, the 9 default penalties.
#include "common/device.h"
#include "common/rng.h"
#include "common/version.h"
#include "train/predictivity.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

using namespace repalign;

namespace {

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double meanColumnPearson(const torch::Tensor& pred, const torch::Tensor& target)
{
    const torch::Tensor a = pred - pred.mean(0, true), b = target - target.mean(0, true);
    const torch::Tensor den = torch::sqrt((a * a).sum(0) * (b * b).sum(0));
    const torch::Tensor r = (a * b).sum(0) / den;
    const torch::Tensor ok = torch::isfinite(r);
    const auto k = ok.sum().item<std::int64_t>();
    return k ? torch::where(ok, r, torch::zeros_like(r)).sum().item<double>() / static_cast<double>(k) : 0.0;
}

struct NaiveFit {
    double alpha = 0;
    std::vector<double> cvScores;
    torch::Tensor weights; // [d, v] double
};

/// Ridge with CV, one Cholesky solve per fold and penalty (the same folds as ridgeFitCV).
NaiveFit naiveRidgeCV(
    const torch::Tensor& x, const torch::Tensor& y, const std::vector<double>& alphas, int folds, std::uint64_t seed)
{
    const std::int64_t n = x.size(0);
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    Rng rng(mixSeed(seed, 0xC0DE));
    for (std::int64_t i = n - 1; i > 0; --i)
        std::swap(order[static_cast<std::size_t>(i)], order[rng.below(static_cast<std::uint64_t>(i + 1))]);
    const torch::Tensor perm = torch::from_blob(order.data(), {n}, torch::kInt64).clone();
    auto solve
        = [](const torch::Tensor& xtr, const torch::Tensor& ytr, double alpha, torch::Tensor& xMean, torch::Tensor& yMean) {
              xMean = xtr.mean(0, true);
              yMean = ytr.mean(0, true);
              const torch::Tensor xc = xtr - xMean;
              const torch::Tensor k = torch::matmul(xc, xc.t()) + alpha * torch::eye(xtr.size(0), xtr.options());
              const torch::Tensor l = torch::linalg_cholesky(k);
              const torch::Tensor a = torch::cholesky_solve(ytr - yMean, l);
              return torch::matmul(xc.t(), a);
          };
    NaiveFit fit;
    fit.cvScores.assign(alphas.size(), 0.0);
    for (int f = 0; f < folds; ++f) {
        const std::int64_t lo = n * f / folds, hi = n * (f + 1) / folds;
        const torch::Tensor test = perm.slice(0, lo, hi);
        const torch::Tensor train = torch::cat({perm.slice(0, 0, lo), perm.slice(0, hi, n)});
        const torch::Tensor xtr = x.index_select(0, train), ytr = y.index_select(0, train);
        const torch::Tensor xte = x.index_select(0, test), yte = y.index_select(0, test);
        for (std::size_t a = 0; a < alphas.size(); ++a) {
            torch::Tensor xm, ym;
            const torch::Tensor w = solve(xtr, ytr, alphas[a], xm, ym);
            fit.cvScores[a] += meanColumnPearson(torch::matmul(xte - xm, w) + ym, yte) / folds;
        }
    }
    fit.alpha
        = alphas[static_cast<std::size_t>(std::max_element(fit.cvScores.begin(), fit.cvScores.end()) - fit.cvScores.begin())];
    torch::Tensor xm, ym;
    fit.weights = solve(x, y, fit.alpha, xm, ym);
    return fit;
}

} // namespace

int main(int argc, char** argv)
{
    std::int64_t n = 960, d = 8192, v = 64;
    int folds = 5, threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--train"))
            n = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--features"))
            d = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--voxels"))
            v = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--folds"))
            folds = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
    }
    const int nThreads = configureThreads(threads);
    torch::NoGradGuard noGrad;

    // Features like a ReLU layer's (non-negative, correlated through a low-rank part) and
    // responses that are a noisy linear readout of them.
    torch::manual_seed(0);
    const torch::Tensor latent = torch::randn({n, 64}, torch::kFloat64);
    const torch::Tensor x64 = torch::relu(
        torch::matmul(latent, torch::randn({64, d}, torch::kFloat64)) / 8.0 + 0.5 * torch::randn({n, d}, torch::kFloat64));
    const torch::Tensor y64 = torch::matmul(x64, torch::randn({d, v}, torch::kFloat64) / std::sqrt(static_cast<double>(d)))
        + torch::randn({n, v}, torch::kFloat64);
    const torch::Tensor x32 = x64.to(torch::kFloat32).contiguous(), y32 = y64.to(torch::kFloat32).contiguous();
    const std::vector<float> xv(x32.data_ptr<float>(), x32.data_ptr<float>() + x32.numel());
    const std::vector<float> yv(y32.data_ptr<float>(), y32.data_ptr<float>() + y32.numel());
    const std::vector<double> alphas = defaultRidgeAlphas();

    const auto f0 = std::chrono::steady_clock::now();
    const RidgeFit fast = ridgeFitCV(xv, n, d, yv, v, alphas, folds, 0);
    const double fastSeconds = seconds(f0);

    // The naive fit sees the same float32 data, widened to double as ridgeFitCV does.
    const torch::Tensor xd = x32.to(torch::kFloat64), yd = y32.to(torch::kFloat64);
    const auto n0 = std::chrono::steady_clock::now();
    const NaiveFit naive = naiveRidgeCV(xd, yd, alphas, folds, 0);
    const double naiveSeconds = seconds(n0);

    double cvDiff = 0;
    for (std::size_t a = 0; a < alphas.size(); ++a)
        cvDiff = std::max(cvDiff, std::fabs(fast.cvScores[a] - naive.cvScores[a]));
    const torch::Tensor fw
        = torch::from_blob(const_cast<float*>(fast.weights.data()), {d, v}, torch::kFloat32).to(torch::kFloat64);
    const double wScale = naive.weights.abs().max().item<double>();
    const double wDiff = (fw - naive.weights).abs().max().item<double>() / std::max(wScale, 1e-300);

    std::printf("{\n  \"bench\": \"ridge\",\n  \"blas\": \"%s\",\n  \"threads\": %d,\n", blasLibrary().c_str(), nThreads);
    std::printf("  \"train_images\": %lld,\n  \"features\": %lld,\n  \"voxels\": %lld,\n  \"folds\": %d,\n  \"alphas\": %zu,\n",
        static_cast<long long>(n), static_cast<long long>(d), static_cast<long long>(v), folds, alphas.size());
    std::printf("  \"ridge_cv_s\": %.3f,\n  \"naive_cholesky_per_alpha_s\": %.3f,\n  \"speedup\": %.2f,\n", fastSeconds,
        naiveSeconds, naiveSeconds / fastSeconds);
    std::printf("  \"alpha_fast\": %g,\n  \"alpha_naive\": %g,\n  \"max_cv_score_diff\": %.3g,\n"
                "  \"max_weight_diff_relative\": %.3g\n}\n",
        fast.alpha, naive.alpha, cvDiff, wDiff);
    return fast.alpha == naive.alpha ? 0 : 1;
}
