// repalign-cli visualize: synthesised MEIs (feature visualisation) for units, channels or voxels.
#include "cli/job_options.h"
#include "common/error.h"
#include "interpret/visualize.h"
#include "run/checkpoint_info.h"
#include "train/predictivity.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

namespace repalign::cli {
namespace {

struct Args {
    VisualizeOptions opt;
    std::string units, voxels, bundle, readout = "auto";
    bool noDecorrelate = false, noTransforms = false, quiet = false;
};

/// A baseline has no readout: fit the ridge probe on the bundle's train split at the layer and
/// hand its weights over as the voxel readout (features are centred inside the probe: the
/// centring folds into the bias).
void ridgeReadout(Args& a, ProgressSink& sink, const CancelToken& cancel)
{
    ProbeOptions p;
    p.checkpoint = a.opt.checkpoint;
    p.checkpointKey = a.opt.checkpointKey;
    p.model = a.opt.model;
    p.bundle = a.bundle;
    p.layer = a.opt.layer;
    if (a.opt.roi.empty())
        throw Error("visualize: --bundle needs --roi (the ROI whose voxels are visualised)");
    p.rois = {a.opt.roi};
    p.pooling = a.opt.pooling.empty() ? "flatten" : a.opt.pooling;
    p.device = a.opt.device;
    p.threads = a.opt.threads;
    p.imageSize = 0; // the model's input size: the optimised images are shown to the model at that size too
    p.seed = a.opt.seed;
    const ProbeResult r = predictivityProbe(p, sink, cancel);
    const RidgeFit& fit = r.rois.front().fit;
    const std::int64_t f = fit.features, v = fit.voxels;
    a.opt.readoutWeight.assign(static_cast<std::size_t>(f * v), 0.0f);
    a.opt.readoutBias.assign(static_cast<std::size_t>(v), 0.0f);
    for (std::int64_t j = 0; j < v; ++j) {
        double b = fit.bias[static_cast<std::size_t>(j)];
        for (std::int64_t i = 0; i < f; ++i) {
            const float w = fit.weights[static_cast<std::size_t>(i * v + j)];
            a.opt.readoutWeight[static_cast<std::size_t>(j * f + i)] = w;
            b -= static_cast<double>(w) * fit.featureMean[static_cast<std::size_t>(i)];
        }
        a.opt.readoutBias[static_cast<std::size_t>(j)] = static_cast<float>(b);
    }
    a.opt.pooling = p.pooling;
    a.opt.readoutActivation = "none";
    a.opt.readoutSource = "ridge:" + a.bundle + " (alpha " + std::to_string(fit.alpha) + ", val r median "
        + std::to_string(r.rois.front().val.rMedian) + ")";
    std::fprintf(stderr, "ridge readout for %s on %s: alpha %g, val r median %.3f\n", a.opt.roi.c_str(), a.bundle.c_str(),
        fit.alpha, r.rois.front().val.rMedian);
}

CommandRegistrar reg(57, [](CLI::App& app) {
    auto a = std::make_shared<Args>();
    VisualizeOptions& o = a->opt;
    auto* sub = app.add_subcommand("visualize",
        "Synthesise maximally exciting images by gradient ascent on the input (feature visualisation) for units, channels "
        "or brain voxels; writes /synth into a new or an existing analysis .h5");
    sub->add_option("--checkpoint", o.checkpoint, "Checkpoint (repalign .pt or a PyTorch .pth)")->required();
    addCheckpointOptions(sub, o.checkpointKey, o.model);
    sub->add_option("--layer", o.layer,
           "Tap whose units are maximised (voxel objective: the readout's tap; a tuned checkpoint's own tap wins)")
        ->capture_default_str();
    sub->add_option("--objective", o.objective,
           "unit (centre element of a channel) | channel (spatial mean) | voxel (predicted response through a readout)")
        ->capture_default_str();
    sub->add_option("--units", a->units, "Units or channels, e.g. 0-63 or 3,7,10-12");
    sub->add_option("--voxels", a->voxels, "Voxel indices for --objective voxel, e.g. 0-9");
    sub->add_option("--roi", o.roi, "ROI of the readout (voxel objective; default: the checkpoint's only readout)");
    sub->add_option("--bundle", a->bundle,
        "NSD bundle: for a checkpoint without a readout (a baseline), fit a ridge readout on its train split first");
    sub->add_option("--readout", a->readout,
           "Voxel objective: auto (the checkpoint's own readout when it has one, else a ridge fit on --bundle) | ridge "
           "(fit the ridge probe on --bundle's train split at --layer, also for a tuned model) | checkpoint (the tuned "
           "checkpoint's readout.<ROI>), as predictivity --readout")
        ->check(CLI::IsMember({"auto", "ridge", "checkpoint"}))
        ->capture_default_str();
    sub->add_option("--pooling", o.pooling, "Readout pooling flatten|mean (default: the tuning config's, else flatten)");
    sub->add_option("--size", o.size, "Image side in pixels")->capture_default_str();
    sub->add_option("--steps", o.steps, "Optimisation steps")->capture_default_str();
    sub->add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
    sub->add_option("--starts", o.starts, "Random starts per unit (all kept, each with its final activation)")
        ->capture_default_str();
    sub->add_option("--param", o.parameterization, "Image parameterisation: fft (1/f-scaled Fourier) | pixel")
        ->capture_default_str();
    sub->add_option("--decay-power", o.decayPower, "fft: amplitude ~ 1/f^p")->capture_default_str();
    sub->add_flag("--no-decorrelate", a->noDecorrelate, "Plain RGB instead of Lucid's decorrelated colour space");
    sub->add_flag("--no-transforms", a->noTransforms, "No random jitter, scale and rotation per step");
    sub->add_option("--jitter", o.jitter, "Random shift per step, pixels")->capture_default_str();
    sub->add_option("--scale-min", o.scaleMin, "Smallest random scale")->capture_default_str();
    sub->add_option("--scale-max", o.scaleMax, "Largest random scale")->capture_default_str();
    sub->add_option("--rotate", o.rotateDegrees, "Random rotation range, degrees")->capture_default_str();
    sub->add_option("--tv", o.tv, "Total-variation penalty weight")->capture_default_str();
    sub->add_option("--blur", o.blur, "Blur penalty weight")->capture_default_str();
    sub->add_option("--trace-every", o.traceEvery, "Record the objective every N steps (0 = never)")->capture_default_str();
    sub->add_option("--seed", o.seed, "Seed of every random choice (same seed, same images)")->capture_default_str();
    sub->add_option("--batch-size", o.batchSize, "Images optimised at once (one unit x start per batch element)")
        ->capture_default_str();
    sub->add_option("--precision", o.precision, "fp32 | bf16 (autocast; cpu or cuda) | fp16 (cuda)")->capture_default_str();
    addDeviceOptions(sub, o.device, o.threads);
    sub->add_option("--out", o.out, "File to write: a new .h5, or an existing analysis .h5 that gains /synth")->required();
    sub->add_flag("--quiet", a->quiet, "No progress output");
    sub->callback([a] {
        VisualizeOptions& o = a->opt;
        o.decorrelate = !a->noDecorrelate;
        o.transforms = !a->noTransforms;
        if (o.objective == "voxel") {
            if (a->voxels.empty())
                throw Error("visualize: --objective voxel needs --voxels (e.g. 0-9)");
            o.units = parseIndexList(a->voxels, "--voxels");
            if (a->readout == "auto")
                a->readout = inspectCheckpoint(o.checkpoint, o.checkpointKey).readouts.empty() ? "ridge" : "checkpoint";
            if (a->readout == "ridge" && a->bundle.empty())
                throw Error("visualize: " + o.checkpoint
                    + " has no readout (or --readout ridge was asked for): give --bundle B to fit a ridge readout on it");
            if (a->readout == "checkpoint" && !a->bundle.empty())
                throw Error("visualize: --bundle fits a ridge readout, which --readout checkpoint does not use (drop one)");
        } else {
            if (!a->voxels.empty() || !a->bundle.empty() || a->readout != "auto")
                throw Error("visualize: --voxels, --bundle and --readout go with --objective voxel");
            if (a->units.empty())
                throw Error("visualize: --units is required (e.g. 0-63)");
            o.units = parseIndexList(a->units, "--units");
        }
        VisualizeResult r;
        if (!runCancellable("visualize", a->quiet, "no file written, an existing file is unchanged",
                [&](ProgressSink& sink, const CancelToken& cancel) {
                    if (o.objective == "voxel" && a->readout == "ridge")
                        ridgeReadout(*a, sink, cancel);
                    r = VisualizeJob(o).run(sink, cancel);
                }))
            return;
        std::printf("%s %s: /synth (%lld %ss x %d starts, %dx%d) in %s\n", r.appended ? "added to" : "wrote", r.out.c_str(),
            static_cast<long long>(r.units), o.objective.c_str(), r.starts, r.size, r.size, r.model.c_str());
        double sum = 0;
        float lo = 0, hi = 0;
        for (std::int64_t u = 0; u < r.units; ++u) {
            const float v = r.activations[static_cast<std::size_t>(u * r.starts + r.best[static_cast<std::size_t>(u)])];
            sum += v;
            lo = u == 0 ? v : std::min(lo, v);
            hi = u == 0 ? v : std::max(hi, v);
        }
        std::printf("best activation per %s: mean %.4f, min %.4f, max %.4f\n", o.objective.c_str(),
            r.units > 0 ? sum / static_cast<double>(r.units) : 0.0, lo, hi);
        std::printf("%d steps, %.2f images/s, %.1f s\n", r.steps, r.imagesPerSecond, r.seconds);
    });
});

} // namespace
} // namespace repalign::cli
