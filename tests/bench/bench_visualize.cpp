// bench_visualize: synthesised MEIs per second, batched against one unit at a time, on the
// same model (resnet18_cifar10, random weights from a fixed seed, layer4 centre units) and
// the same recipe (fft + decorrelated colour + transforms, Adam).
//   batched: all units in one batch, one unit per batch element
//   single:  one optimisation per unit (batch size 1)
// The figure is 64 units x 256 steps; on a small CPU the single side takes long, so
// --steps scales both sides equally (images/s does not depend on the step count's meaning,
// only on the work per image). Prints JSON: both rates, their ratio and the largest pixel
// difference between the two sides' images (a unit's random choices do not depend on its batch).
// --precision fp32|bf16 applies to both sides (bf16: the model's weights resident in bf16).
// The ceiling: the model alone (forward to the tap and the input-gradient backward, as a
// visualize step runs it, nothing else) at batch U against batch 1, same threads and
// precision. No batching of the optimisation can gain more than the model does, so the
// printed model_ceiling bounds the speedup on this machine.
// Usage: bench_visualize [--units U] [--steps S] [--threads T] [--precision P]
#include "common/allocator.h"
#include "common/autocast.h"
#include "common/device.h"
#include "common/fsutil.h"
#include "interpret/visualize.h"
#include "models/nets.h"
#include "run/checkpoint.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>

using namespace repalign;

namespace {
/// Image-steps per second of the model alone: forward to layer4, the centre units' sum
/// backward to the input, as many steps as @p seconds allow (at least 2), the best of 2 rounds.
double modelImageStepsPerSecond(
    TapNetImpl& model, std::int64_t batch, const std::string& precision, bool resident, double seconds)
{
    auto step = [&] {
        torch::Tensor x = torch::randn({batch, 3, 32, 32});
        if (resident)
            x = residentInput(x, precision);
        x.requires_grad_(true);
        std::map<std::string, torch::Tensor> taps;
        model.forwardTaps(x, {"layer4"}, taps, /*fullForward=*/false);
        const torch::Tensor& a = taps.at("layer4");
        a.select(2, a.size(2) / 2).select(2, a.size(3) / 2).sum().backward();
    };
    step(); // warm-up
    double best = 0;
    for (int round = 0; round < 2; ++round) {
        const auto t0 = std::chrono::steady_clock::now();
        int n = 0;
        double el = 0;
        while (n < 2 || el < seconds) {
            step();
            ++n;
            el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
        best = std::max(best, static_cast<double>(n * batch) / el);
    }
    return best;
}
} // namespace

int main(int argc, char** argv)
{
    configureAllocator(); // as repalign-cli's main() does
    int units = 64, steps = 256, threads = 0;
    std::string precision = "fp32";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--units"))
            units = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--steps"))
            steps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--precision"))
            precision = argv[i + 1];
    }
    const std::string dir = (std::filesystem::temp_directory_path() / ("bench_visualize-" + std::to_string(::getpid()))).string();
    makeDirs(dir);
    torch::manual_seed(1);
    TapNet m = createModel("resnet18_cifar10");
    Checkpoint ck;
    ck.model = "resnet18_cifar10";
    for (auto& [k, v] : m->stateDict())
        ck.stateDict[k] = v.detach().clone();
    const std::string path = dir + "/model.pt";
    saveCheckpoint(path, ck);

    VisualizeOptions o;
    o.checkpoint = path;
    o.layer = "layer4";
    o.steps = steps;
    o.threads = threads;
    o.traceEvery = 0;
    o.precision = precision;
    for (int u = 0; u < units; ++u)
        o.units.push_back(u);
    NullSink none;
    CancelToken cancel;

    o.batchSize = units;
    const VisualizeResult batched = VisualizeJob(o).run(none, cancel);
    o.batchSize = 1;
    const VisualizeResult single = VisualizeJob(o).run(none, cancel);

    int maxDiff = 0;
    for (std::size_t i = 0; i < batched.images.size(); ++i)
        maxDiff = std::max(maxDiff, std::abs(int(batched.images[i]) - int(single.images[i])));
    std::filesystem::remove_all(dir);

    // the model alone, the ceiling of any batching gain
    configureThreads(threads);
    m->eval();
    for (auto& p : m->parameters())
        p.requires_grad_(false);
    const bool resident = useResidentCpuWeights(*m, precision, torch::Device(torch::kCPU));
    const double modelBatched = modelImageStepsPerSecond(*m, units, precision, resident, 2.0);
    const double modelSingle = modelImageStepsPerSecond(*m, 1, precision, resident, 2.0);
    const double speedup = single.imagesPerSecond > 0 ? batched.imagesPerSecond / single.imagesPerSecond : 0.0;
    const double ceiling = modelBatched / modelSingle;
    std::printf("{\"units\": %d, \"steps\": %d, \"threads\": %d, \"precision\": \"%s\", \"batched_images_per_s\": %.4f, "
                "\"single_images_per_s\": %.4f, "
                "\"batched_s\": %.2f, \"single_s\": %.2f, \"speedup\": %.2f, \"max_pixel_difference\": %d, "
                "\"model_batched_image_steps_per_s\": %.1f, \"model_single_image_steps_per_s\": %.1f, \"model_ceiling\": %.2f, "
                "\"speedup_over_ceiling\": %.2f, \"target_speedup\": 8}\n",
        units, steps, threads, precision.c_str(), batched.imagesPerSecond, single.imagesPerSecond, batched.seconds,
        single.seconds, speedup, maxDiff, modelBatched, modelSingle, ceiling, speedup / ceiling);
    return 0;
}
