// bench_models: inference throughput of every model at its own input size (32 px for the CIFAR
// models and resnet50_madry, 224 px for the torchvision alexnet and resnet50): eval mode, no
// grad, a batch of a few random images, as `eval` and `analyze` run them. Prints JSON: per
// model its input size, batch, seconds per batch and images/s, and its cost relative to
// resnet18_cifar10, the reference study's model, measured in the same run.
// Usage: bench_models [--batch B] [--repeats R] [--threads T] [--models a,b,...]
// Defaults: batch 4, 3 timed batches after one warm-up, all cores, every model.
#include "common/device.h"
#include "models/nets.h"
#include "models/registry.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

using namespace repalign;

namespace {

struct Figure {
    std::string name;
    int side = 0;
    double secondsPerBatch = 0;
    double imagesPerSecond = 0;
};

Figure measure(const std::string& name, int batch, int repeats)
{
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    TapNet net = createModel(name);
    net->eval();
    Figure f;
    f.name = name;
    f.side = modelInputSize(name);
    const torch::Tensor x = torch::randn({batch, 3, f.side, f.side});
    net->forward(x); // warm-up: first-call allocations and kernel selection
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < repeats; ++r)
        net->forward(x);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    f.secondsPerBatch = s / repeats;
    f.imagesPerSecond = batch * repeats / s;
    return f;
}

} // namespace

int main(int argc, char** argv)
{
    int batch = 4, repeats = 3, threads = 0;
    std::vector<std::string> models = modelNames();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--batch"))
            batch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--repeats"))
            repeats = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--models")) {
            models.clear();
            std::stringstream ss(argv[i + 1]);
            for (std::string m; std::getline(ss, m, ',');)
                models.push_back(m);
        } else {
            std::fprintf(stderr, "usage: bench_models [--batch B] [--repeats R] [--threads T] [--models a,b,...]\n");
            return 2;
        }
    }
    if (batch < 1 || repeats < 1) {
        std::fprintf(stderr, "bench_models: --batch and --repeats must be positive\n");
        return 2;
    }
    configureThreads(threads);
    for (const auto& m : models)
        if (!isModelName(m)) {
            std::fprintf(stderr, "bench_models: unknown model %s\n", m.c_str());
            return 2;
        }
    const Figure reference = measure("resnet18_cifar10", batch, repeats);
    std::printf(
        "{\n  \"batch\": %d, \"repeats\": %d, \"threads\": %d,\n  \"reference\": \"resnet18_cifar10\",\n  \"models\": [\n", batch,
        repeats, torch::get_num_threads());
    for (std::size_t i = 0; i < models.size(); ++i) {
        const Figure f = models[i] == reference.name ? reference : measure(models[i], batch, repeats);
        std::printf("    {\"model\": \"%s\", \"input\": %d, \"seconds_per_batch\": %.4f, \"images_per_second\": %.2f, "
                    "\"time_vs_resnet18_cifar10\": %.2f}%s\n",
            f.name.c_str(), f.side, f.secondsPerBatch, f.imagesPerSecond, reference.imagesPerSecond / f.imagesPerSecond,
            i + 1 < models.size() ? "," : "");
        std::fflush(stdout);
    }
    std::printf("  ]\n}\n");
    return 0;
}
