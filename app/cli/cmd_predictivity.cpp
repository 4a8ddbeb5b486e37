// repalign-cli predictivity: ridge probe on frozen features (Brain-Score style).
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "common/error.h"
#include "io/h5.h"
#include "train/predictivity.h"

#include <cstdio>

namespace repalign::cli {
namespace {

struct ProbeArgs {
    ProbeOptions opt;
    std::string out;
    bool quiet = false;
};

/// Per-voxel r (and r^2/ceiling) on the val split, with the chosen ridge penalty per ROI.
void writeProbe(const std::string& path, const ProbeOptions& o, const ProbeResult& r)
{
    H5File f(path, H5File::Mode::CreateAtomic);
    for (const auto& p : r.rois) {
        const auto v = static_cast<std::uint64_t>(p.fit.voxels);
        f.writeF32("/r/" + p.roi, {v}, p.val.r);
        if (p.val.hasCeiling)
            f.writeF32("/normalized/" + p.roi, {v}, p.val.normalized);
        f.writeF32("/cv_scores/" + p.roi, {static_cast<std::uint64_t>(p.fit.cvScores.size())},
            std::vector<float>(p.fit.cvScores.begin(), p.fit.cvScores.end()));
        f.setAttr("/r/" + p.roi, "ridge_alpha", p.fit.alpha);
        f.setAttr("/r/" + p.roi, "readout", std::string(p.fromCheckpoint ? "checkpoint" : "ridge"));
        f.setAttr("/r/" + p.roi, "train_images", p.trainCount);
        f.setAttr("/r/" + p.roi, "val_images", p.valCount);
    }
    std::vector<float> alphas(r.rois.empty() ? 0 : r.rois.front().fit.alphas.size());
    for (std::size_t i = 0; i < alphas.size(); ++i)
        alphas[i] = static_cast<float>(r.rois.front().fit.alphas[i]);
    f.writeF32("/alphas", {static_cast<std::uint64_t>(alphas.size())}, alphas);
    f.setAttr("/", "checkpoint", o.checkpoint);
    f.setAttr("/", "bundle", o.bundle);
    f.setAttr("/", "model", r.model);
    f.setAttr("/", "layer", r.layer);
    f.setAttr("/", "pooling", o.pooling);
    f.setAttr("/", "split", std::string("val"));
    f.commit();
}

CommandRegistrar reg(32, [](CLI::App& app) {
    auto args = std::make_shared<ProbeArgs>();
    auto* sub = app.add_subcommand(
        "predictivity", "Fit a ridge readout on frozen features (train split) and report per-voxel r (val split)");
    sub->add_option("--checkpoint", args->opt.checkpoint, "Checkpoint (own or PyTorch)")->required();
    sub->add_option("--bundle", args->opt.bundle, "NSD bundle (.h5)")->required();
    sub->add_option("--layer", args->opt.layer, "Tap to read features from (default layer4)");
    sub->add_option("--roi", args->opt.rois, "ROI (repeatable; default all in the bundle)");
    sub->add_option("--model", args->opt.model, "Architecture when the checkpoint does not record it");
    sub->add_option("--key", args->opt.checkpointKey, "State-dict key inside a PyTorch checkpoint dict");
    sub->add_option("--pooling", args->opt.pooling, "flatten | mean")->check(CLI::IsMember({"flatten", "mean"}));
    sub->add_option("--alphas", args->opt.alphas, "Ridge penalty grid (default 1e-2 .. 1e6, one per decade)");
    sub->add_option("--folds", args->opt.folds, "Cross-validation folds (default 5)");
    sub->add_option("--readout", args->opt.readout,
           "auto: the checkpoint's own Linear readout when it has one (the reference notebook's neural_predict), else "
           "ridge; ridge: always fit one; checkpoint: require it")
        ->check(CLI::IsMember({"auto", "ridge", "checkpoint"}));
    sub->add_option("--image-size", args->opt.imageSize,
        "Side the bundle images are resized to (default 0: the model's input size, 32 or 224)");
    sub->add_option("--max-train", args->opt.maxTrain, "Use at most this many train images (0 = all)");
    sub->add_option("--device", args->opt.device, "cpu, cuda, cuda:N");
    sub->add_option("--threads", args->opt.threads, "CPU threads (0 = all cores)");
    sub->add_option("--seed", args->opt.seed, "Seed of the CV folds");
    sub->add_option(
        "--out", args->out, "Also write per-voxel r to this HDF5 file (/r/<ROI>, /normalized/<ROI>, /cv_scores/<ROI>)");
    sub->add_flag("--strict", args->opt.strict, "Fail on voxels with NaN/Inf responses instead of dropping them with a warning");
    sub->add_flag("-q,--quiet", args->quiet, "Only print the result");
    sub->callback([args] {
        CancelToken cancel;
        TerminalSink sink(args->quiet);
        const ProbeResult r = predictivityProbe(args->opt, sink, cancel);
        sink.finish();
        std::printf("model %s, layer %s (%lld features)\n", r.model.c_str(), r.layer.c_str(), static_cast<long long>(r.features));
        for (const auto& p : r.rois) {
            if (p.fromCheckpoint)
                std::printf("%s: %lld voxels, val %lld, the checkpoint's readout (neural_predict)\n", p.roi.c_str(),
                    static_cast<long long>(p.fit.voxels), static_cast<long long>(p.valCount));
            else
                std::printf("%s: %lld voxels, train %lld, val %lld, ridge alpha %g (CV r %.4f)\n", p.roi.c_str(),
                    static_cast<long long>(p.fit.voxels), static_cast<long long>(p.trainCount),
                    static_cast<long long>(p.valCount), p.fit.alpha,
                    *std::max_element(p.fit.cvScores.begin(), p.fit.cvScores.end()));
            std::printf("  val r median %.4f, mean %.4f", p.val.rMedian, p.val.rMean);
            if (p.val.hasCeiling)
                std::printf(", r^2/noise ceiling median %.4f, mean %.4f", p.val.normalizedMedian, p.val.normalizedMean);
            std::printf("\n");
        }
        if (!args->out.empty()) {
            writeProbe(args->out, args->opt, r);
            std::printf("per-voxel r written to %s\n", args->out.c_str());
        }
    });
});

} // namespace
} // namespace repalign::cli
