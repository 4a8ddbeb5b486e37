#include "behaviour/pgd.h"

#include "common/error.h"
#include "common/rng.h"

#include <cmath>

namespace repalign::behaviour {

namespace {

/// Per-image start noise: uniform [-1, 1) (linf) or standard normal (l2, Box-Muller).
torch::Tensor startNoise(const torch::Tensor& like, const PgdStep& o, const std::vector<std::int64_t>& ids)
{
    const std::int64_t b = like.size(0), per = like[0].numel();
    torch::Tensor noise = torch::empty({b, per}, torch::kFloat32);
    float* p = noise.data_ptr<float>();
    for (std::int64_t i = 0; i < b; ++i) {
        Rng rng(mixSeed(
            o.seed, 0x9D6A11ull + (o.norm == "l2" ? 1u : 0u), static_cast<std::uint64_t>(ids[static_cast<std::size_t>(i)])));
        float* row = p + i * per;
        if (o.norm == "linf") {
            for (std::int64_t j = 0; j < per; ++j)
                row[j] = static_cast<float>(2.0 * rng.uniform() - 1.0);
        } else {
            for (std::int64_t j = 0; j < per; j += 2) {
                const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
                const double r = std::sqrt(-2.0 * std::log(u1));
                row[j] = static_cast<float>(r * std::cos(2 * M_PI * u2));
                if (j + 1 < per)
                    row[j + 1] = static_cast<float>(r * std::sin(2 * M_PI * u2));
            }
        }
    }
    return noise.view(like.sizes()).to(like.device());
}

torch::Tensor flatNorm(const torch::Tensor& t)
{
    std::vector<std::int64_t> shape(static_cast<std::size_t>(t.dim()), 1);
    shape[0] = t.size(0);
    return t.reshape({t.size(0), -1}).norm(2, 1).view(shape);
}

} // namespace

torch::Tensor pgdAttack(const PixelForward& model, const torch::Tensor& x, const torch::Tensor& y, const PgdStep& o,
    const std::vector<std::int64_t>& imageIds, const CancelToken& cancel)
{
    if (o.norm != "linf" && o.norm != "l2")
        throw Error("PGD norm '" + o.norm + "' is not valid (valid: linf, l2)");
    if (!(o.eps >= 0) || !std::isfinite(o.eps))
        throw Error("PGD eps must be a non-negative number (got " + std::to_string(o.eps) + ")");
    if (o.eps == 0 || o.steps <= 0)
        return x;
    const torch::Tensor orig = x.detach();
    torch::Tensor adv = orig.clone();
    if (o.randomStart) {
        torch::Tensor n = startNoise(orig, o, imageIds);
        if (o.norm == "linf")
            adv = orig + n * o.eps;
        else
            adv = orig + n * o.eps / (flatNorm(n) + 1e-10);
        adv = adv.clamp(0, 1);
    }
    for (int s = 0; s < o.steps; ++s) {
        cancel.check();
        torch::Tensor a = adv.detach().requires_grad_(true);
        torch::Tensor loss = torch::nn::functional::cross_entropy(
            model(a), y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
        torch::Tensor g = torch::autograd::grad({loss}, {a})[0];
        torch::NoGradGuard noGrad;
        if (o.norm == "linf") {
            adv = a.detach() + g.sign() * o.stepSize;
            adv = orig + (adv - orig).clamp(-o.eps, o.eps);
        } else {
            adv = a.detach() + g / (flatNorm(g) + 1e-10) * o.stepSize;
            adv = orig + (adv - orig).renorm(2, 0, o.eps);
        }
        adv = adv.clamp(0, 1);
    }
    return adv.detach();
}

} // namespace repalign::behaviour
