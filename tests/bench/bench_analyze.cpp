// bench_analyze: the whole `analyze` job (AnalyzeJob: checkpoint and data load, activations,
// streaming top-k MEIs, LPIPS features and pair distances, II-color/label, the HDF5 write)
// against the compute floor, the bare LibTorch forward pass of the same images, and against
// the reference's evaluate_interp_index recipe, all measured in this run on the same weights
// and images (random-init resnet18_cifar10, layer4, centre aggregation, k = 5, 512 units).
//   forward:   model->forward over the images already normalised into one tensor, in batches
//              of --batch-size; measured before and after the analysis (the mean is the floor)
//   analyze:   AnalyzeJob::run on the same images (a CIFAR-10 binary test_batch.bin written
//              here), LPIPS random:0 weights, --lpips-resize 64, as `repalign-cli analyze`
//   reference: the reference recipe done as its code does it: batched activations, a full
//              sort per unit, then per unit every one of the k x k ordered pairs through LPIPS
//              one pair at a time (both images' features recomputed per call), the full matrix
//              averaged; --naive-units U runs the II part for U units and scales it by 512/U
// Prints JSON: the times, analyze/forward (target <= 1.3) and reference/analyze (goal 50).
// Usage: bench_analyze [--images N] [--threads T] [--batch-size B] [--naive-units U]
#include "common/allocator.h"
#include "common/device.h"
#include "common/fsutil.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "interpret/activations.h"
#include "interpret/analysis.h"
#include "interpret/lpips_net.h"
#include "interpret/mei.h"
#include "models/nets.h"
#include "run/checkpoint.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace repalign;

namespace {
double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

/// Keeps the job's timing lines ("activations and MEIs (...): 1.23 s").
class LapSink : public ProgressSink {
public:
    void progress(const ProgressEvent&) override { }
    void log(LogLevel, const std::string& message) override { lines.push_back(message); }
    std::vector<std::string> lines;
};

std::string jsonEscape(const std::string& s)
{
    std::string o;
    for (char c : s)
        o += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    return o;
}
} // namespace

int main(int argc, char** argv)
{
    const std::string allocator = configureAllocator(); // as repalign-cli's main() does
    std::int64_t images = 2000;
    int threads = 0;
    int batch = 256;
    std::int64_t naiveUnits = 32;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--images"))
            images = std::atoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch-size"))
            batch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--naive-units"))
            naiveUnits = std::atoll(argv[i + 1]);
    }
    const int k = 5;
    const int nThreads = configureThreads(threads);
    const torch::Device device(torch::kCPU);
    const std::string dir = (std::filesystem::temp_directory_path() / ("bench_analyze." + std::to_string(getpid()))).string();
    makeDirs(dir);

    // ---------------- the images (a CIFAR-10 binary file, so the job reads them as it would) and the weights
    const ImageDataset shapes = loadDataset("shapes:" + std::to_string(images) + ":1", Split::Test);
    {
        std::ofstream out(dir + "/test_batch.bin", std::ios::binary);
        std::vector<char> rec(1 + 3 * 32 * 32);
        for (std::int64_t i = 0; i < shapes.count; ++i) {
            rec[0] = static_cast<char>(shapes.labels[static_cast<std::size_t>(i)]);
            const std::uint8_t* img = shapes.image(i);
            for (int c = 0; c < 3; ++c)
                for (int p = 0; p < 32 * 32; ++p)
                    rec[static_cast<std::size_t>(1 + c * 1024 + p)] = static_cast<char>(img[p * 3 + c]);
            out.write(rec.data(), static_cast<std::streamsize>(rec.size()));
        }
    }
    const std::string spec = "cifar10:" + dir;
    const ImageDataset data = loadDataset(spec, Split::Test);
    torch::manual_seed(0);
    TapNet model = createModel("resnet18_cifar10");
    model->eval();
    {
        Checkpoint ck;
        ck.model = "resnet18_cifar10";
        for (auto& [n, t] : model->stateDict())
            ck.stateDict[n] = t.clone();
        saveCheckpoint(dir + "/model.pt", ck);
    }

    // ---------------- the floor: the bare forward pass over ready tensors
    const TransformConfig transform = referenceEvalTransform();
    torch::Tensor all = torch::empty({data.count, 3, 32, 32}, torch::kFloat32);
    for (std::int64_t i = 0; i < data.count; ++i)
        applyTransform(transform, data.image(i), 32, 32, false, 0, all.data_ptr<float>() + i * 3 * 32 * 32);
    auto forwardOnly = [&] {
        torch::NoGradGuard noGrad;
        const auto t0 = std::chrono::steady_clock::now();
        for (std::int64_t lo = 0; lo < data.count; lo += batch)
            model->forward(all.slice(0, lo, std::min<std::int64_t>(data.count, lo + batch)));
        return seconds(t0);
    };
    {
        torch::NoGradGuard noGrad;
        model->forward(all.slice(0, 0, std::min<std::int64_t>(data.count, batch))); // warm-up, not timed
    }
    const double forwardA = forwardOnly();
    std::fprintf(stderr, "forward only: %.2f s\n", forwardA);

    // ---------------- analyze, as the CLI runs it
    AnalyzeOptions o;
    o.checkpoint = dir + "/model.pt";
    o.data = spec;
    o.split = "test";
    o.layer = "layer4";
    o.aggregation = "center";
    o.k = k;
    o.lpipsWeights = "random:0";
    o.lpipsResize = 64;
    o.threads = threads;
    o.batchSize = batch;
    o.out = dir + "/analysis.h5";
    LapSink laps;
    CancelToken cancel;
    const auto a0 = std::chrono::steady_clock::now();
    AnalyzeJob(o).run(laps, cancel);
    const double analyzeSeconds = seconds(a0);
    std::fprintf(stderr, "analyze: %.2f s\n", analyzeSeconds);
    for (const auto& l : laps.lines)
        std::fprintf(stderr, "  %s\n", l.c_str());
    const double forwardB = forwardOnly();
    std::fprintf(stderr, "forward only (again): %.2f s\n", forwardB);
    const double forward = 0.5 * (forwardA + forwardB);

    // ---------------- the reference recipe
    const LpipsNet lpips(randomLpipsWeights(0), device);
    NullSink none;
    const auto r0 = std::chrono::steady_clock::now();
    ActivationOptions ao;
    ao.layer = "layer4";
    ao.aggregation = "center";
    ao.batchSize = batch;
    ao.transform = transform;
    const ActivationResult act = collectActivations(*model, device, data, ao, none, cancel);
    const std::int64_t units = act.activations.size(1);
    std::vector<std::int64_t> mei;
    std::vector<float> meiVal;
    topKBySort(act.activations.data_ptr<float>(), data.count, units, k, true, mei, meiVal);
    const double refAct = seconds(r0);
    const std::int64_t naiveCount = naiveUnits > 0 ? std::min(naiveUnits, units) : units;
    const auto r1 = std::chrono::steady_clock::now();
    std::vector<double> refII(static_cast<std::size_t>(naiveCount));
    {
        torch::NoGradGuard noGrad;
        for (std::int64_t u = 0; u < naiveCount; ++u) {
            double s = 0;
            for (int i = 0; i < k; ++i)
                for (int j = 0; j < k; ++j) {
                    const auto xi = lpipsPrepare(data.image(mei[static_cast<std::size_t>(u * k + i)]), 1, 32, 32, 64);
                    const auto xj = lpipsPrepare(data.image(mei[static_cast<std::size_t>(u * k + j)]), 1, 32, 32, 64);
                    s += lpips.forward(xi, xj).sum().item<float>();
                }
            refII[static_cast<std::size_t>(u)] = s / (k * k);
        }
    }
    const double refII_s = seconds(r1) * static_cast<double>(units) / static_cast<double>(naiveCount);
    const double reference = refAct + refII_s;

    // the analysis's II over the same units, with the reference's full-matrix average
    const AnalysisFile af(o.out);
    double maxDiff = 0;
    for (std::int64_t u = 0; u < naiveCount; ++u) {
        const std::vector<float> m = af.lpipsPairs(u);
        double s = 0;
        for (float v : m)
            s += v;
        maxDiff = std::max(maxDiff, std::fabs(s / (k * k) - refII[static_cast<std::size_t>(u)]));
    }
    const bool sameMeis = std::equal(mei.begin(), mei.end(), af.meiIndices.begin()) && mei.size() == af.meiIndices.size();

    std::string lapJson;
    for (const auto& l : laps.lines)
        lapJson += std::string(lapJson.empty() ? "" : ", ") + "\"" + jsonEscape(l) + "\"";
    const double ratio = analyzeSeconds / forward;
    std::printf("{\n  \"benchmark\": \"analyze\",\n  \"model\": \"resnet18_cifar10 (random init)\",\n  \"layer\": \"layer4\",\n"
                "  \"aggregation\": \"center\",\n  \"k\": %d,\n  \"units\": %lld,\n  \"images\": %lld,\n  \"threads\": %d,\n"
                "  \"batch_size\": %d,\n  \"allocator\": \"%s\",\n  \"lpips_weights\": \"random:0\",\n"
                "  \"forward_only_seconds\": %.3f,\n  \"forward_only_runs\": [%.3f, %.3f],\n"
                "  \"analyze_seconds\": %.3f,\n  \"analyze_laps\": [%s],\n"
                "  \"analyze_over_forward\": %.3f,\n"
                "  \"reference_seconds\": %.3f,\n  \"reference_activations_seconds\": %.3f,\n  \"reference_ii_seconds\": %.3f,\n"
                "  \"reference_ii_units_computed\": %lld,\n  \"reference_ii_extrapolated\": %s,\n"
                "  \"reference_over_analyze\": %.2f,\n  \"max_abs_ii_difference_full_matrix\": %.3g,\n"
                "  \"identical_meis\": %s,\n"
                "  \"targets\": {\"analyze_over_forward_at_most\": 1.3, \"reference_over_analyze_goal\": 50},\n"
                "  \"analyze_within_target\": %s\n}\n",
        k, static_cast<long long>(units), static_cast<long long>(data.count), nThreads, batch, allocator.c_str(), forward,
        forwardA, forwardB, analyzeSeconds, lapJson.c_str(), ratio, reference, refAct, refII_s,
        static_cast<long long>(naiveCount), naiveCount < units ? "true" : "false", reference / analyzeSeconds, maxDiff,
        sameMeis ? "true" : "false", ratio <= 1.3 ? "true" : "false");
    std::filesystem::remove_all(dir);
    return 0;
}
