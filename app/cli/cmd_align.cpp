// repalign-cli align: brain alignment at every layer (ridge predictivity, RSA, CKA) of one
// model, or of a baseline and a tuned model side by side.
#include "cli/job_options.h"
#include "common/error.h"
#include "pipeline/align.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

namespace repalign::cli {
namespace {

struct Args {
    AlignOptions opt;
    bool quiet = false;
};

CommandRegistrar reg(58, [](CLI::App& app) {
    auto* sub = app.add_subcommand("align",
        "Brain alignment at every layer: ridge predictivity, RSA (with a split-half ceiling) and linear CKA per layer and "
        "ROI; two checkpoints give the before/after profile");
    auto a = std::make_shared<Args>();
    AlignOptions& o = a->opt;
    o.layers = {"all"};
    sub->add_option("--checkpoint", o.checkpoints, "Checkpoint(s): one, or baseline then tuned (repeat the option)")
        ->required()
        ->delimiter(',');
    sub->add_option(
           "--labels", o.labels, "Names of the models in the file and figures (default: baseline,tuned or the file stem)")
        ->delimiter(',');
    addCheckpointOptions(sub, o.checkpointKey, o.model);
    sub->add_option("--bundle", o.bundle, "NSD bundle (.h5) with the stimuli and responses")->required();
    sub->add_option("--rois", o.rois, "ROIs, e.g. V1,V4 (default: all in the bundle)")->delimiter(',');
    sub->add_option("--layers", o.layers, "all, or taps such as layer1,layer2,layer3,layer4")
        ->delimiter(',')
        ->capture_default_str();
    sub->add_option("--max-features", o.maxFeatures,
           "Layers with more flattened features are reduced to this many by a seeded sparse random projection")
        ->capture_default_str();
    sub->add_option("--alphas", o.alphas, "Ridge penalty grid (default 1e-2 .. 1e6, one per decade)")->delimiter(',');
    sub->add_option("--folds", o.folds, "Cross-validation folds of the ridge")->capture_default_str();
    sub->add_option("--image-size", o.imageSize, "Bundle images are resized to this side")->capture_default_str();
    sub->add_option("--max-train", o.maxTrain, "Use at most N train images for the ridge (0 = all)");
    sub->add_option("--batch-size", o.batchSize, "Images per forward pass")->capture_default_str();
    sub->add_option("--seed", o.seed, "Seed of the projection and the cross-validation folds")->capture_default_str();
    addDeviceOptions(sub, o.device, o.threads);
    sub->add_flag("--strict", o.strict, "Voxels with NaN/Inf responses are an error instead of dropped with a warning");
    sub->add_option("--out", o.out, "File to write: a new .h5, or an existing .h5 that gains /alignment")->required();
    sub->add_flag("--quiet", a->quiet, "No progress output");
    sub->callback([a] {
        const AlignOptions& o = a->opt;
        AlignmentScores s;
        if (!runCancellable("align", a->quiet, "no file written, an existing file is unchanged",
                [&](ProgressSink& sink, const CancelToken& cancel) { s = runAlignment(o, sink, cancel); }))
            return;
        std::printf(
            "wrote %s: /alignment (%zu models x %zu layers x %zu ROIs; ridge on %lld train, RSA/CKA on %lld val images)\n",
            o.out.c_str(), s.models.size(), s.layers.size(), s.rois.size(), static_cast<long long>(s.trainImages),
            static_cast<long long>(s.valImages));
        std::printf(
            "%-10s %-12s %-6s %9s %9s %8s %8s %9s\n", "model", "layer", "roi", "features", "r_median", "r2/ceil", "rsa", "cka");
        for (std::size_t m = 0; m < s.models.size(); ++m)
            for (std::size_t l = 0; l < s.layers.size(); ++l)
                for (std::size_t r = 0; r < s.rois.size(); ++r) {
                    const std::size_t i = s.index(m, l, r);
                    std::printf("%-10s %-12s %-6s %9lld %9.4f %8.4f %8.4f %9.4f\n", s.models[m].c_str(), s.layers[l].c_str(),
                        s.rois[r].c_str(), static_cast<long long>(s.features[m * s.layers.size() + l]), s.rMedian[i],
                        s.normalizedMedian[i], s.rsa[i], s.cka[i]);
                }
        for (std::size_t r = 0; r < s.rois.size(); ++r)
            if (std::isfinite(s.rsaCeiling[r]))
                std::printf("RSA noise ceiling %s: %.4f (split-half, Spearman-Brown)\n", s.rois[r].c_str(), s.rsaCeiling[r]);
        std::printf("%.1f s\n", s.seconds);
    });
});

} // namespace
} // namespace repalign::cli
