// Tuning throughput: images/s of the LwF tuning step (student forward with the layer4 tap,
// readout, MSE, frozen-teacher forward, KL, backward, Adam) against the baseline classifier
// training step (forward, cross-entropy, backward, SGD) on the same model, batch and images,
// both measured through the real jobs (TrainJob, TuneJob) in this run. Target: ratio >= 0.8.
//
// Usage: bench_tune [steps=12] [batch=128] [model=resnet18_cifar10] [threads=0]
// Images/s come from metrics.csv's per-step wall times (the first step, which warms up, is
// excluded), so setup and validation are not counted.
#include "common/fsutil.h"
#include "common/progress.h"
#include "data/virtual_cortex.h"
#include "models/nets.h"
#include "run/checkpoint.h"
#include "run/config.h"
#include "run/rundir.h"
#include "run/tune_config.h"
#include "train/trainer.h"
#include "train/tuner.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace repalign;

namespace {

/// Images/s between the first and last train-loss rows of a run's metrics.csv.
double imagesPerSecond(const std::string& runDir, int batch, std::int64_t* steps)
{
    MetricsReader reader(runDir + "/metrics.csv");
    double first = -1, last = -1;
    std::int64_t firstStep = 0, lastStep = 0;
    for (const auto& row : reader.poll()) {
        if (row.split != "train" || row.name != "loss")
            continue;
        if (first < 0) {
            first = row.wallTime;
            firstStep = row.step;
        }
        last = row.wallTime;
        lastStep = row.step;
    }
    *steps = lastStep - firstStep;
    return (last > first && *steps > 0) ? static_cast<double>(*steps) * batch / (last - first) : 0.0;
}

} // namespace

int main(int argc, char** argv)
{
    const int steps = argc > 1 ? std::atoi(argv[1]) : 12;
    const int batch = argc > 2 ? std::atoi(argv[2]) : 128;
    const std::string model = argc > 3 ? argv[3] : "resnet18_cifar10";
    const int threads = argc > 4 ? std::atoi(argv[4]) : 0;
    const std::int64_t images = static_cast<std::int64_t>(steps + 1) * batch;
    const std::string dir = "/tmp/bench_tune-" + std::to_string(::getpid());
    makeDirs(dir);
    NullSink sink;
    CancelToken cancel;

    // Baseline: the classifier step on shapes images of the same count and size.
    const std::string spec = "shapes:" + std::to_string(images) + ":3";
    const TrainConfig tc = parseTrainConfig("dataset: shapes\ndata: {train: \"" + spec
            + "\", val: \"shapes:16:4\"}\nmodel: " + model + "\nsystem: {threads: " + std::to_string(threads)
            + ", num_workers: 2}\noptimization:\n  epochs: 1\n  batch_size: " + std::to_string(batch)
            + "\n  max_steps_per_epoch: " + std::to_string(steps + 1)
            + "\n  optimizer: sgd\n  optimizer_params: {lr: 0.01, momentum: 0.9, nesterov: true, weight_decay: 0.01}\n"
              "train_transforms:\n  random_crop: {size: 32, padding: 4}\n  horizontal_flip: True\n",
        "bench");
    TrainJob(tc, dir + "/train").run(sink, cancel);
    std::int64_t trainSteps = 0;
    const double trainIps = imagesPerSecond(dir + "/train", batch, &trainSteps);

    // Tuning: the same model (its weights as the base), virtual-cortex V4 responses to the same images.
    const std::string base = dir + "/train/checkpoints/last.pt";
    SynthOptions so;
    so.data = spec;
    so.rois = {"V4"};
    so.voxels = 64;
    so.valFraction = 1.0 / static_cast<double>(steps + 2);
    synthesizeBundleFile(so, dir + "/vc.h5", sink, cancel);
    const TuneConfig cfg = parseTuneConfig("base: {checkpoint: " + base + "}\nbundle: " + dir
            + "/vc.h5\nclassification_val: none\n"
              "system: {threads: "
            + std::to_string(threads)
            + ", num_workers: 2}\noptimization:\n  epochs: 1\n"
              "  batch_size: "
            + std::to_string(batch) + "\n  max_steps_per_epoch: " + std::to_string(steps) + "\n",
        "bench");
    const TuneResult tr = TuneJob(cfg, dir + "/tune").run(sink, cancel);
    std::int64_t tuneSteps = 0;
    const double tuneIps = imagesPerSecond(dir + "/tune", batch, &tuneSteps);

    std::printf("{\n  \"benchmark\": \"tune\",\n  \"model\": \"%s\",\n  \"batch_size\": %d,\n  \"threads\": %d,\n"
                "  \"baseline_train_steps_timed\": %lld,\n  \"baseline_train_images_per_s\": %.2f,\n"
                "  \"tune_steps_timed\": %lld,\n  \"tune_images_per_s\": %.2f,\n  \"tune_state\": \"%s\",\n"
                "  \"ratio_tune_vs_baseline\": %.3f,\n  \"target_ratio\": 0.8\n}\n",
        model.c_str(), batch, threads, static_cast<long long>(trainSteps), trainIps, static_cast<long long>(tuneSteps), tuneIps,
        jobStatusName(tr.status), trainIps > 0 ? tuneIps / trainIps : 0.0);
    std::string cmd = "rm -rf " + dir;
    return std::system(cmd.c_str()) == 0 ? 0 : 1;
}
