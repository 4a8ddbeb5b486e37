// bench_ii: the Interpretability Index pipeline against the naive algorithm, on the same
// weights and data (resnet18_cifar10 layer4, 512 units, centre aggregation, k = 5).
//   fast:  batched activations + streaming top-k + LPIPS features once per distinct MEI and
//          batched pair distances from the cache
//   naive: one image per forward pass, a full sort per unit, and for each unit all k^2
//          ordered pairs through LPIPS, recomputing both images' features every time
// Prints JSON: both times, their ratio, and the largest difference between the II vectors.
// Usage: bench_ii [--images N] [--threads T] [--data SPEC] [--naive-units U]
// --naive-units runs the naive II for the first U units only and scales its time by 512/U
// (reported as such, "naive_ii_extrapolated": true); the default runs all units.
#include "common/device.h"
#include "data/loader.h"
#include "interpret/activations.h"
#include "interpret/lpips_net.h"
#include "interpret/mei.h"
#include "models/nets.h"
#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace repalign;

namespace {
double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}
} // namespace

int main(int argc, char** argv)
{
    std::int64_t images = 2000;
    int threads = 0;
    std::string spec;
    std::int64_t naiveUnits = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--images"))
            images = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--data"))
            spec = argv[i + 1];
        else if (!std::strcmp(argv[i], "--naive-units"))
            naiveUnits = std::atoll(argv[i + 1]);
    }
    if (spec.empty())
        spec = "shapes:" + std::to_string(images) + ":1";
    const int k = 5;
    const int nThreads = configureThreads(threads);
    torch::NoGradGuard noGrad;
    const torch::Device device(torch::kCPU);

    ImageDataset data = loadDataset(spec, Split::Test);
    if (data.count > images) {
        std::vector<std::int64_t> first(static_cast<std::size_t>(images));
        for (std::int64_t i = 0; i < images; ++i)
            first[static_cast<std::size_t>(i)] = i;
        data = data.subset(first);
    }
    torch::manual_seed(0);
    TapNet model = createModel("resnet18_cifar10");
    model->eval();
    const LpipsNet lpips(randomLpipsWeights(0), device);
    const TransformConfig transform = referenceEvalTransform();
    NullSink sink;
    CancelToken cancel;

    // ---------------- fast pipeline
    const auto f0 = std::chrono::steady_clock::now();
    ActivationOptions ao;
    ao.layer = "layer4";
    ao.aggregation = "center";
    ao.batchSize = 256;
    ao.transform = transform;
    std::unique_ptr<StreamingTopK> top;
    const ActivationResult act
        = collectActivations(*model, device, data, ao, sink, cancel, [&](const torch::Tensor& a, std::int64_t first) {
              if (!top)
                  top = std::make_unique<StreamingTopK>(a.size(1), k, true);
              top->add(a.data_ptr<float>(), a.size(0), first);
          });
    const std::int64_t units = act.activations.size(1);
    std::vector<std::int64_t> meiFast;
    std::vector<float> meiFastVal;
    top->result(meiFast, meiFastVal);
    const double fastAct = seconds(f0);
    const auto f1 = std::chrono::steady_clock::now();
    const IIValues ii = computeII(lpips, data, meiFast, units, k, 64, IIDiagonal::Exclude, sink, cancel);
    const double fastII = seconds(f1);
    const double fast = seconds(f0);
    std::fprintf(stderr, "fast: activations+MEIs %.2f s, II %.2f s (%lld distinct MEIs)\n", fastAct, fastII,
        static_cast<long long>(ii.distinctImages));

    // ---------------- naive
    const auto n0 = std::chrono::steady_clock::now();
    const int side = transform.outputSide(data.height);
    std::vector<float> acts(static_cast<std::size_t>(data.count * units));
    std::vector<float> input(static_cast<std::size_t>(3 * side * side));
    for (std::int64_t i = 0; i < data.count; ++i) {
        applyTransform(transform, data.image(i), data.height, data.width, false, 0, input.data());
        std::map<std::string, torch::Tensor> taps;
        model->forwardTaps(torch::from_blob(input.data(), {1, 3, side, side}, torch::kFloat32), {"layer4"}, taps, true);
        const auto t = taps["layer4"];
        const auto c = t.select(2, t.size(2) / 2).select(2, t.size(3) / 2).contiguous();
        std::memcpy(acts.data() + i * units, c.data_ptr<float>(), sizeof(float) * units);
    }
    std::vector<std::int64_t> meiNaive;
    std::vector<float> meiNaiveVal;
    topKBySort(acts.data(), data.count, units, k, true, meiNaive, meiNaiveVal);
    const double naiveAct = seconds(n0);
    std::fprintf(stderr, "naive: activations+sort %.2f s\n", naiveAct);
    const auto n1 = std::chrono::steady_clock::now();
    std::vector<double> iiNaive(static_cast<std::size_t>(units));
    const std::int64_t naiveCount = naiveUnits > 0 ? std::min(naiveUnits, units) : units;
    for (std::int64_t u = 0; u < naiveCount; ++u) {
        if (u % 32 == 0)
            std::fprintf(stderr, "naive II: unit %lld/%lld, %.1f s\n", static_cast<long long>(u),
                static_cast<long long>(naiveCount), seconds(n1));
        std::vector<double> m(static_cast<std::size_t>(k * k));
        for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
                const auto xi = lpipsPrepare(data.image(meiNaive[u * k + i]), 1, data.height, data.width, 64);
                const auto xj = lpipsPrepare(data.image(meiNaive[u * k + j]), 1, data.height, data.width, 64);
                m[i * k + j] = lpips.forward(xi, xj).sum().item<float>();
            }
        double s = 0;
        for (int i = 0; i < k; ++i)
            for (int j = i + 1; j < k; ++j)
                s += m[i * k + j];
        iiNaive[u] = s / (k * (k - 1) / 2);
    }
    const double naiveII = seconds(n1) * static_cast<double>(units) / static_cast<double>(naiveCount);
    const double naive = naiveAct + naiveII;

    double maxDiff = 0;
    for (std::int64_t u = 0; u < naiveCount; ++u)
        maxDiff = std::max(maxDiff, std::fabs(iiNaive[u] - ii.lpips[u]));
    const bool sameMeis = meiFast == meiNaive;
    double actDiff = 0;
    const float* fa = act.activations.data_ptr<float>();
    for (std::size_t i = 0; i < acts.size(); ++i)
        actDiff = std::max(actDiff, static_cast<double>(std::fabs(acts[i] - fa[i])));

    std::printf("{\n  \"benchmark\": \"ii\",\n  \"model\": \"resnet18_cifar10\",\n  \"layer\": \"layer4\",\n"
                "  \"aggregation\": \"center\",\n  \"data\": \"%s\",\n  \"images\": %lld,\n  \"units\": %lld,\n"
                "  \"k\": %d,\n  \"threads\": %d,\n  \"lpips_weights\": \"random:0\",\n"
                "  \"distinct_meis\": %lld,\n"
                "  \"fast_seconds\": %.3f,\n  \"fast_activations_seconds\": %.3f,\n  \"fast_ii_seconds\": %.3f,\n"
                "  \"naive_seconds\": %.3f,\n  \"naive_activations_seconds\": %.3f,\n  \"naive_ii_seconds\": %.3f,\n"
                "  \"speedup\": %.2f,\n  \"speedup_ii\": %.2f,\n  \"max_abs_ii_difference\": %.3g,\n"
                "  \"max_abs_activation_difference\": %.3g,\n  \"identical_meis\": %s,\n"
                "  \"targets\": {\"speedup_at_least\": 20, \"ii_difference_at_most\": 1e-6},\n"
                "  \"naive_units_computed\": %lld,\n  \"naive_ii_extrapolated\": %s,\n"
                "  \"ii_within_target\": %s\n}\n",
        spec.c_str(), static_cast<long long>(data.count), static_cast<long long>(units), k, nThreads,
        static_cast<long long>(ii.distinctImages), fast, fastAct, fastII, naive, naiveAct, naiveII, naive / fast,
        naiveII / fastII, maxDiff, actDiff, sameMeis ? "true" : "false", static_cast<long long>(naiveCount),
        naiveCount < units ? "true" : "false", maxDiff <= 1e-6 ? "true" : "false");
    return 0;
}
