// bench_behaviour: PGD robust accuracy per second, the behave job's batched attack
// (behaviour/pgd.h: one forward+backward per step for a whole batch, gradients to the input
// only) against a plain LibTorch loop over one image at a time (loss.backward() through the
// model, as a first attempt would write it), on the same model (resnet18_cifar10, random weights
// from a fixed seed, the reference normalisation inside), images and attack (L-inf, eps 8/255,
// step eps/4, no random start). Prints JSON: both rates, their ratio and how many images the two
// sides judge alike (the same attack, so all of them up to float summation order).
// Usage: bench_behaviour [--images N] [--steps S] [--batch B] [--threads T]
#include "behaviour/pgd.h"
#include "common/device.h"
#include "models/nets.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace repalign;

int main(int argc, char** argv)
{
    int images = 64, steps = 10, batch = 64, threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--images"))
            images = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--steps"))
            steps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch"))
            batch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
    }
    configureThreads(threads);
    torch::manual_seed(1);
    TapNet model = createModel("resnet18_cifar10");
    model->eval();
    const torch::Tensor mean = torch::tensor({0.4914f, 0.4822f, 0.4465f}).view({1, 3, 1, 1});
    const torch::Tensor std = torch::tensor({0.2470f, 0.2435f, 0.2616f}).view({1, 3, 1, 1});
    const torch::Tensor x = torch::rand({images, 3, 32, 32});
    torch::Tensor y;
    {
        torch::NoGradGuard g;
        y = model->forward((x - mean) / std).argmax(1);
    }
    const double eps = 8.0 / 255.0, alpha = eps / 4;
    using Clock = std::chrono::steady_clock;
    CancelToken cancel;

    // Naive: one image at a time, backward through the whole model (parameters keep requires_grad).
    auto t0 = Clock::now();
    std::vector<int> naiveOk(static_cast<std::size_t>(images));
    for (int i = 0; i < images; ++i) {
        const torch::Tensor xi = x.slice(0, i, i + 1), yi = y.slice(0, i, i + 1);
        torch::Tensor adv = xi.clone();
        for (int s = 0; s < steps; ++s) {
            torch::Tensor a = adv.detach().requires_grad_(true);
            model->zero_grad();
            torch::nn::functional::cross_entropy(
                model->forward((a - mean) / std), yi, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .backward();
            torch::NoGradGuard g;
            adv = (xi + (a + a.grad().sign() * alpha - xi).clamp(-eps, eps)).clamp(0, 1);
        }
        torch::NoGradGuard g;
        naiveOk[static_cast<std::size_t>(i)]
            = model->forward((adv - mean) / std).argmax(1).item<std::int64_t>() == yi.item<std::int64_t>();
    }
    const double naiveSec = std::chrono::duration<double>(Clock::now() - t0).count();

    // Batched: the behave job's attack.
    for (auto& p : model->parameters())
        p.set_requires_grad(false);
    const behaviour::PixelForward forward = [&](const torch::Tensor& in) { return model->forward((in - mean) / std); };
    behaviour::PgdStep o;
    o.norm = "linf";
    o.eps = eps;
    o.steps = steps;
    o.stepSize = alpha;
    t0 = Clock::now();
    int agree = 0, batchedCorrect = 0, naiveCorrect = 0;
    for (int b = 0; b < images; b += batch) {
        const int e = std::min(images, b + batch);
        std::vector<std::int64_t> ids;
        for (int i = b; i < e; ++i)
            ids.push_back(i);
        const torch::Tensor adv = behaviour::pgdAttack(forward, x.slice(0, b, e), y.slice(0, b, e), o, ids, cancel);
        torch::NoGradGuard g;
        const torch::Tensor ok = forward(adv).argmax(1).eq(y.slice(0, b, e));
        for (int i = b; i < e; ++i) {
            const int v = ok[i - b].item<bool>() ? 1 : 0;
            batchedCorrect += v;
            naiveCorrect += naiveOk[static_cast<std::size_t>(i)];
            agree += v == naiveOk[static_cast<std::size_t>(i)];
        }
    }
    const double batchedSec = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("{\"bench\": \"behaviour_pgd\", \"model\": \"resnet18_cifar10\", \"images\": %d, \"steps\": %d, \"batch\": %d, "
                "\"threads\": %d,\n \"naive_images_per_s\": %.3f, \"batched_images_per_s\": %.3f, \"ratio\": %.2f,\n"
                " \"naive_robust_accuracy\": %.4f, \"batched_robust_accuracy\": %.4f, \"images_alike\": %d}\n",
        images, steps, batch, torch::get_num_threads(), images / naiveSec, images / batchedSec, naiveSec / batchedSec,
        double(naiveCorrect) / images, double(batchedCorrect) / images, agree);
    return 0;
}
