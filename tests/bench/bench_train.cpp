// Training throughput: resnet18_cifar10, batch 128, through the full data path (loader +
// augmentation + normalisation, as TrainJob runs it) against forward/backward on a resident
// tensor (the ceiling). Prints JSON. Target: full path >= 0.95 of the ceiling.
#include "common/device.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "models/nets.h"
#include "train/optim.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace repalign;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv)
{
    const int steps = argc > 1 ? std::atoi(argv[1]) : 8;
    const int batch = 128;
    const int threads = configureThreads(0);
    ImageDataset data = makeShapes(batch * (steps + 2), 3, Split::Train);
    TransformConfig t;
    t.cropSize = 32;
    t.padding = 4;
    t.horizontalFlip = true;
    t.mean = {{0.4914, 0.4822, 0.4465}};
    t.std = {{0.2470, 0.2435, 0.2616}};

    torch::manual_seed(0);
    TapNet model = createModel("resnet18_cifar10");
    model->train();
    OptimizerConfig oc;
    oc.momentum = 0.9;
    oc.nesterov = true;
    oc.weightDecay = 0.01;
    Optimizer::NamedParams params;
    for (const auto& p : model->named_parameters())
        params.emplace_back(p.key(), p.value());
    Optimizer opt(oc, params);
    auto trainStep = [&](const torch::Tensor& x, const torch::Tensor& y) {
        opt.zeroGrad();
        auto loss = torch::nn::functional::cross_entropy(model->forward(x), y);
        loss.backward();
        opt.step(0.01);
        return loss.item<double>();
    };

    // Ceiling: one resident batch, no data work at all.
    torch::Tensor x = torch::randn({batch, 3, 32, 32});
    torch::Tensor y = torch::randint(0, 10, {batch}, torch::kInt64);
    trainStep(x, y);
    auto t0 = Clock::now();
    for (int i = 0; i < steps; ++i)
        trainStep(x, y);
    const double ceilingSec = std::chrono::duration<double>(Clock::now() - t0).count();

    // Full path: the loader with 2 workers preparing augmented batches ahead.
    LoaderOptions lo;
    lo.batchSize = batch;
    lo.workers = 2;
    lo.seed = 1;
    BatchLoader loader(data, t, lo);
    loader.start(0, 0, steps + 1);
    Batch b;
    loader.next(b);
    trainStep(b.images, b.labels);
    t0 = Clock::now();
    int done = 0;
    while (loader.next(b)) {
        trainStep(b.images, b.labels);
        ++done;
    }
    const double fullSec = std::chrono::duration<double>(Clock::now() - t0).count();

    // Data path alone, for reference.
    loader.start(1, 0, steps);
    t0 = Clock::now();
    while (loader.next(b)) { }
    const double dataSec = std::chrono::duration<double>(Clock::now() - t0).count();

    const double ceiling = steps * batch / ceilingSec;
    const double full = done * batch / fullSec;
    std::printf("{\n  \"benchmark\": \"train_throughput\",\n  \"model\": \"resnet18_cifar10\",\n  \"batch\": %d,\n"
                "  \"threads\": %d,\n  \"steps\": %d,\n  \"ceiling_images_per_s\": %.2f,\n  \"full_path_images_per_s\": %.2f,\n"
                "  \"data_path_alone_images_per_s\": %.1f,\n  \"ratio_full_over_ceiling\": %.3f,\n  \"target_ratio\": 0.95\n}\n",
        batch, threads, steps, ceiling, full, steps * batch / dataSec, full / ceiling);
    return 0;
}
