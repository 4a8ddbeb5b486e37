// bench_precision: images per second in bf16 (autocast on the CPU, common/autocast.h) against
// fp32, measured in the same run on the same weights and inputs (random-init resnet18_cifar10):
//   train:     forward + cross-entropy + backward + SGD step, batch --batch (the trainer's step)
//   analysis:  collectActivations over --images images (layer4, centre; analyze's forward)
//   visualize: VisualizeJob, --units units x --vis-steps steps (gradient ascent on the input; bf16
//              keeps the model's weights resident in bf16, common/autocast.h)
// Whether the CPU has native bf16 (avx512_bf16/amx_bf16) is printed next to the ratios: without
// it bf16 arithmetic is converted to and from fp32 and is not expected to be faster.
// Usage: bench_precision [--threads T] [--batch B] [--steps S] [--images N] [--units U] [--vis-steps V]
#include "common/autocast.h"
#include "common/device.h"
#include "common/precision.h"
#include "data/loader.h"
#include "interpret/activations.h"
#include "interpret/visualize.h"
#include "models/nets.h"
#include "run/checkpoint.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>

using namespace repalign;

namespace {
double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}
} // namespace

int main(int argc, char** argv)
{
    int threads = 0, batch = 64, steps = 4, units = 32, visSteps = 8;
    std::int64_t images = 512;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch"))
            batch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--steps"))
            steps = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--images"))
            images = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--units"))
            units = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--vis-steps"))
            visSteps = std::atoi(argv[i + 1]);
    }
    const int nThreads = configureThreads(threads);
    const torch::Device cpu(torch::kCPU);
    torch::manual_seed(0);
    TapNet model = createModel("resnet18_cifar10");
    const std::string dir = (std::filesystem::temp_directory_path() / ("bench_precision." + std::to_string(getpid()))).string();
    std::filesystem::create_directories(dir);
    {
        Checkpoint ck;
        ck.model = "resnet18_cifar10";
        for (auto& [n, t] : model->stateDict())
            ck.stateDict[n] = t.clone();
        saveCheckpoint(dir + "/model.pt", ck);
    }

    // ---------------- training steps
    const torch::Tensor x = torch::randn({batch, 3, 32, 32});
    const torch::Tensor y = torch::randint(0, 10, {batch}, torch::kLong);
    auto trainRate = [&](const std::string& precision) {
        model->train();
        torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
        auto step = [&] {
            sgd.zero_grad();
            torch::Tensor logits;
            {
                AutocastScope autocast(precision, cpu);
                logits = model->forward(x);
            }
            torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), y).backward();
            sgd.step();
        };
        step(); // warm-up
        const auto t0 = std::chrono::steady_clock::now();
        for (int s = 0; s < steps; ++s)
            step();
        return static_cast<double>(batch) * steps / seconds(t0);
    };
    const double trainF = trainRate("fp32"), trainB = trainRate("bf16");
    std::fprintf(stderr, "train: fp32 %.1f img/s, bf16 %.1f img/s\n", trainF, trainB);

    // ---------------- analysis forward
    const ImageDataset data = loadDataset("shapes:" + std::to_string(images) + ":1", Split::Test);
    model->eval();
    auto analysisRate = [&](const std::string& precision) {
        ActivationOptions ao;
        ao.layer = "layer4";
        ao.aggregation = "center";
        ao.batchSize = 128;
        ao.transform = referenceEvalTransform();
        ao.precision = precision;
        NullSink none;
        CancelToken cancel;
        const auto t0 = std::chrono::steady_clock::now();
        collectActivations(*model, cpu, data, ao, none, cancel);
        return static_cast<double>(data.count) / seconds(t0);
    };
    analysisRate("fp32"); // warm-up
    const double anaF = analysisRate("fp32"), anaB = analysisRate("bf16");
    std::fprintf(stderr, "analysis: fp32 %.1f img/s, bf16 %.1f img/s\n", anaF, anaB);

    // ---------------- visualize
    auto visRate = [&](const std::string& precision) {
        VisualizeOptions o;
        o.checkpoint = dir + "/model.pt";
        for (int u = 0; u < units; ++u)
            o.units.push_back(u);
        o.steps = visSteps;
        o.traceEvery = 0;
        o.threads = threads;
        o.batchSize = units;
        o.precision = precision;
        NullSink none;
        CancelToken cancel;
        const VisualizeResult r = VisualizeJob(o).run(none, cancel);
        return r.imagesPerSecond * visSteps; // image-steps per second
    };
    visRate("fp32"); // warm-up (oneDNN's first primitives)
    const double visF = visRate("fp32"), visB = visRate("bf16");
    std::fprintf(stderr, "visualize: fp32 %.1f image-steps/s, bf16 %.1f image-steps/s\n", visF, visB);
    std::filesystem::remove_all(dir);

    std::printf("{\n  \"benchmark\": \"precision\",\n  \"model\": \"resnet18_cifar10 (random init)\",\n  \"threads\": %d,\n"
                "  \"cpu_native_bf16\": %s,\n  \"cpu_bf16\": \"%s\",\n"
                "  \"train_batch\": %d,\n  \"train_fp32_img_per_s\": %.2f,\n  \"train_bf16_img_per_s\": %.2f,\n"
                "  \"train_bf16_over_fp32\": %.3f,\n"
                "  \"analysis_images\": %lld,\n  \"analysis_fp32_img_per_s\": %.2f,\n  \"analysis_bf16_img_per_s\": %.2f,\n"
                "  \"analysis_bf16_over_fp32\": %.3f,\n"
                "  \"visualize_units\": %d,\n  \"visualize_fp32_image_steps_per_s\": %.2f,\n"
                "  \"visualize_bf16_image_steps_per_s\": %.2f,\n  \"visualize_bf16_over_fp32\": %.3f,\n"
                "  \"targets\": {\"bf16_over_fp32_goal_on_native_bf16\": 1.5}\n}\n",
        nThreads, cpuHasNativeBf16() ? "true" : "false", cpuBf16Description().c_str(), batch, trainF, trainB, trainB / trainF,
        static_cast<long long>(data.count), anaF, anaB, anaB / anaF, units, visF, visB, visB / visF);
    return 0;
}
