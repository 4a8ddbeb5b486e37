// repalign-cli nsd import | synth | info: brain-data bundles.
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "common/child_process.h"
#include "common/error.h"
#include "data/nsd_bundle.h"
#include "data/nsd_import.h"
#include "data/virtual_cortex.h"

#include <cstdio>
#include <iostream>

namespace repalign::cli {
namespace {

void parseSessions(const std::string& text, ImportOptions& o)
{
    const auto dash = text.find('-');
    try {
        std::size_t used = 0;
        if (dash == std::string::npos) {
            o.sessionFirst = o.sessionLast = std::stoi(text, &used);
            if (used != text.size())
                throw std::invalid_argument(text);
        } else {
            o.sessionFirst = std::stoi(text.substr(0, dash), &used);
            if (used != dash)
                throw std::invalid_argument(text);
            const std::string rest = text.substr(dash + 1);
            o.sessionLast = std::stoi(rest, &used);
            if (used != rest.size())
                throw std::invalid_argument(text);
        }
    } catch (const std::exception&) {
        throw Error("--sessions '" + text + "' must look like A-B or A (e.g. 1-40)");
    }
}

struct ImportArgs {
    ImportOptions opt;
    std::vector<std::string> positional;
    std::string sessions = "1-40";
    bool quiet = false;
};

struct SynthArgs {
    SynthOptions opt;
    std::string out;
    bool quiet = false;
};

void printBundle(const BundleInfo& info)
{
    std::printf("%s: %lld images %dx%d (train %lld, val %lld, test %lld); source %s, subject %s\n", info.path.c_str(),
        static_cast<long long>(info.count), info.height, info.width, static_cast<long long>(info.train),
        static_cast<long long>(info.val), static_cast<long long>(info.test), info.source.c_str(), info.subject.c_str());
    if (!info.betaVersion.empty())
        std::printf("  betas: %s\n", info.betaVersion.c_str());
    for (const auto& r : info.rois)
        std::printf("  ROI %-12s %6lld voxels%s%s%s\n", r.name.c_str(), static_cast<long long>(r.voxels),
            r.repeats ? (", " + std::to_string(r.repeats) + " repeats").c_str() : "", r.hasNoiseCeiling ? ", noise ceiling" : "",
            r.hasCoords ? ", coordinates" : "");
}

CommandRegistrar reg(30, [](CLI::App& app) {
    auto* nsd
        = app.add_subcommand("nsd", "Brain-data bundles: import NSD / Algonauts / the reference layout, synthesize, inspect");
    nsd->require_subcommand(1);

    auto ia = std::make_shared<ImportArgs>();
    auto* imp = nsd->add_subcommand("import", "Import brain data into an NSD bundle (HDF5)");
    imp->add_option("--format", ia->opt.format, "seed-npy | algonauts2023 | nsd")
        ->required()
        ->check(CLI::IsMember(importFormats()));
    imp->add_option("root", ia->opt.root, "ROOT (seed-npy), SUBJ_DIR (algonauts2023) or NSD_ROOT (nsd)")->required();
    imp->add_option("--out", ia->opt.out, "Bundle to write (.h5)")->required();
    imp->add_option("--image-size", ia->opt.imageSize, "Stimuli are resized to this side length (default 64)");
    auto* valFraction = imp->add_option("--val-fraction", ia->opt.valFraction, "Share of images in the val split (default 0.1)");
    imp->add_flag("--split-from-folders", ia->opt.splitFromFolders,
           "seed-npy: ROOT/train and ROOT/val (optional ROOT/test), each a seed-npy root, are the split")
        ->excludes(valFraction);
    imp->add_option("--seed", ia->opt.seed, "Seed of the train/val split");
    imp->add_option("--roi", ia->opt.rois, "ROI name (repeatable); seed-npy: a subset of brain_activities/*.npy");
    imp->add_option("--hemisphere", ia->opt.hemisphere, "algonauts2023: lh | rh | both")
        ->check(CLI::IsMember({"lh", "rh", "both"}));
    imp->add_option("--subject", ia->opt.subject, "nsd: subject 1..8");
    imp->add_option("--sessions", ia->sessions, "nsd: sessions A-B (default 1-40)");
    imp->add_option("--betas", ia->opt.betas, "nsd: beta version folder (default betas_fithrf_GLMdenoise_RR)");
    imp->add_option("--space", ia->opt.space, "nsd: space folder (default func1pt8mm)");
    imp->add_flag("--strict", ia->opt.strict, "Fail on NaN/Inf responses instead of dropping those voxels");
    imp->add_flag("-q,--quiet", ia->quiet, "Only print the result");
    imp->callback([ia] {
        if (ia->opt.format == "nsd")
            parseSessions(ia->sessions, ia->opt);
        CancelToken cancel;
        SignalCancel signals(cancel);
        TerminalSink sink(ia->quiet);
        ImportResult r;
        try {
            r = importBundle(ia->opt, sink, cancel);
        } catch (const Cancelled&) {
            sink.finish();
            std::cout << "cancelled; no bundle written\n";
            exitStatus() = exitCodeForJobStatus(JobStatus::Cancelled);
            return;
        }
        sink.finish();
        std::printf("wrote %s: %lld images", r.out.c_str(), static_cast<long long>(r.images));
        for (std::size_t i = 0; i < r.rois.size(); ++i)
            std::printf(", %s %lld voxels", r.rois[i].c_str(), static_cast<long long>(r.voxels[i]));
        if (r.trials > 0)
            std::printf(", %lld trials", static_cast<long long>(r.trials));
        if (r.droppedVoxels > 0)
            std::printf(" (%lld voxels with NaN/Inf dropped)", static_cast<long long>(r.droppedVoxels));
        std::printf("\n");
    });

    auto sa = std::make_shared<SynthArgs>();
    auto* syn = nsd->add_subcommand("synth", "Synthesize a virtual-cortex bundle (V1 Gabor energy, V4 curvature/colour/texture)");
    syn->add_option("--data", sa->opt.data, "Data spec of the images (e.g. shapes:2000, cifar10:DIR)")->required();
    syn->add_option("--out", sa->out, "Bundle to write (.h5)")->required();
    syn->add_option("--split", sa->opt.split, "Which split of the data spec (train|test)")
        ->check(CLI::IsMember({"train", "test", "val"}));
    syn->add_option("--max-images", sa->opt.maxImages, "Use at most this many images (0 = all)");
    syn->add_option("--roi", sa->opt.rois, "ROIs to synthesize (V1, V4; default both)");
    syn->add_option("--voxels", sa->opt.voxels, "Voxels per ROI (default 64)");
    syn->add_option("--repeats", sa->opt.repeats, "Trials per image (default 3)");
    syn->add_option("--noise-sd", sa->opt.noiseSd, "Per-trial noise in signal sd units (default 1.0)");
    syn->add_option("--val-fraction", sa->opt.valFraction, "Share of images in the val split (default 0.2)");
    syn->add_option("--seed", sa->opt.seed, "Seed of the hidden model, the noise and the split");
    syn->add_flag("-q,--quiet", sa->quiet, "Only print the result");
    syn->callback([sa] {
        CancelToken cancel;
        TerminalSink sink(sa->quiet);
        const NsdBundle b = synthesizeBundleFile(sa->opt, sa->out, sink, cancel);
        sink.finish();
        std::printf("wrote %s: %lld images, ROIs %s, %d voxels each, %d repeats, noise sd %.3g (noise ceiling %.4f)\n",
            sa->out.c_str(), static_cast<long long>(b.count), joinChoices(b.roiNames()).c_str(), sa->opt.voxels, sa->opt.repeats,
            sa->opt.noiseSd, virtualCortexCeiling(sa->opt.noiseSd, sa->opt.repeats));
    });

    struct InfoArgs {
        std::string path;
        bool strict = false;
    };
    auto infoArgs = std::make_shared<InfoArgs>();
    auto* info = nsd->add_subcommand("info", "Validate a bundle and list its contents");
    info->add_option("bundle", infoArgs->path, "Bundle (.h5)")->required();
    info->add_flag("--strict", infoArgs->strict, "Fail on voxels with NaN/Inf responses (predictivity and tune drop them)");
    info->callback([infoArgs] {
        const BundleInfo bi = inspectBundle(infoArgs->path);
        // The same check (and the same warning) as predictivity and tune, which drop these voxels.
        TerminalSink sink;
        const std::int64_t bad = checkBundleFinite(infoArgs->path, infoArgs->strict, sink);
        sink.finish();
        printBundle(bi);
        if (bad > 0)
            std::printf("  %lld voxels with NaN/Inf responses: predictivity and tune drop them (--strict: an error)\n",
                static_cast<long long>(bad));
    });
});

} // namespace
} // namespace repalign::cli
