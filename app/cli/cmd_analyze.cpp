// repalign-cli analyze: activations, MEIs and the Interpretability Index of one checkpoint.
#include "cli/command.h"
#include "cli/job_options.h"
#include "cli/terminal_sink.h"
#include "common/child_process.h"
#include "common/error.h"
#include "interpret/analysis.h"
#include "interpret/synth_ii.h"
#include "run/analyze_config.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

namespace repalign::cli {
namespace {

CommandRegistrar reg(50, [](CLI::App& app) {
    auto opt = std::make_shared<AnalyzeOptions>();
    auto diagonal = std::make_shared<std::string>("exclude");
    auto quiet = std::make_shared<bool>(false);
    auto config = std::make_shared<std::string>();
    auto* sub
        = app.add_subcommand("analyze", "Find each unit's MEIs and score its Interpretability Index (writes an analysis .h5)");
    sub->add_option("--config", *config,
        "Analysis config (YAML; keys = these options, e.g. the GUI's Save YAML); options given here override it");
    sub->add_option("--checkpoint", opt->checkpoint, "Checkpoint (repalign .pt or a PyTorch .pth)");
    sub->add_option("--checkpoint-key", opt->checkpointKey, "State-dict key inside a PyTorch checkpoint (default: auto)");
    sub->add_option("--model", opt->model, "Architecture when the checkpoint does not record it");
    sub->add_option("--data", opt->data, "Data spec: cifar10:DIR, idx:DIR, folder:DIR, shapes:N[:SEED]");
    sub->add_option("--split", opt->split, "Split to analyse (train|test)")->capture_default_str();
    sub->add_option("--layer", opt->layer, "Tap whose units are analysed")->capture_default_str();
    sub->add_option("--aggregation", opt->aggregation, "mean|max|min|median|center|flatten")->capture_default_str();
    sub->add_option("--k", opt->k, "MEIs per unit")->capture_default_str();
    sub->add_flag("--bottom-k", opt->bottomK, "Also store the k least exciting images per unit");
    sub->add_option("--lpips-weights", opt->lpipsWeights,
        "LPIPS weights: FILE,FILE or a folder (alexnet-owt-7be5be79.pth + alex.pth); default: search; "
        "random:SEED = uncalibrated");
    sub->add_option("--lpips-resize", opt->lpipsResize, "Side MEIs are resized to for LPIPS (0 = as is)")->capture_default_str();
    sub->add_option("--ii-diagonal", *diagonal, "include (reference numbers) | exclude (pairs i<j)")->capture_default_str();
    sub->add_option("--ii-on", opt->iiOn,
           "dataset (MEIs from --data) | synth (the II over each unit's synthesised images in /synth of --out, "
           "added as /ii_synth) | synth:FILE (/synth of a visualize .h5, written to --out)")
        ->capture_default_str();
    sub->add_option("--tuned-area", opt->tunedArea, "Brain area the model was tuned on (default: from the checkpoint)");
    sub->add_option("--max-images", opt->maxImages, "Use only the first N images of the split (0 = all)");
    sub->add_option("--device", opt->device, "cpu | cuda | cuda:N")->capture_default_str();
    sub->add_option("--threads", opt->threads, "CPU threads (0 = all cores)");
    sub->add_option("--batch-size", opt->batchSize, "Images per forward pass")->capture_default_str();
    sub->add_option("--precision", opt->precision, "fp32 | bf16 (autocast; cpu or cuda) | fp16 (cuda)")->capture_default_str();
    sub->add_option("--out", opt->out, "Analysis file to write (.h5; default with --config: NAME.h5 from its name key)");
    sub->add_flag("--quiet", *quiet, "No progress output");
    sub->callback([sub, opt, diagonal, config, quiet] {
        opt->iiDiagonal = parseIIDiagonal(*diagonal);
        if (!config->empty()) {
            // The file gives the options; each one given on the command line overrides it.
            AnalyzeOptions o = loadAnalyzeConfig(*config);
            auto given = [sub](const char* name) { return sub->count(name) > 0; };
            if (given("--checkpoint"))
                o.checkpoint = opt->checkpoint;
            if (given("--checkpoint-key"))
                o.checkpointKey = opt->checkpointKey;
            if (given("--model"))
                o.model = opt->model;
            if (given("--data"))
                o.data = opt->data;
            if (given("--split"))
                o.split = opt->split;
            if (given("--layer"))
                o.layer = opt->layer;
            if (given("--aggregation"))
                o.aggregation = opt->aggregation;
            if (given("--k"))
                o.k = opt->k;
            if (given("--bottom-k"))
                o.bottomK = opt->bottomK;
            if (given("--lpips-weights"))
                o.lpipsWeights = opt->lpipsWeights;
            if (given("--lpips-resize"))
                o.lpipsResize = opt->lpipsResize;
            if (given("--ii-diagonal"))
                o.iiDiagonal = opt->iiDiagonal;
            if (given("--ii-on"))
                o.iiOn = opt->iiOn;
            if (given("--tuned-area"))
                o.tunedArea = opt->tunedArea;
            if (given("--max-images"))
                o.maxImages = opt->maxImages;
            if (given("--device"))
                o.device = opt->device;
            if (given("--threads"))
                o.threads = opt->threads;
            if (given("--batch-size"))
                o.batchSize = opt->batchSize;
            if (given("--precision"))
                o.precision = opt->precision;
            if (given("--out"))
                o.out = opt->out;
            *opt = o;
        }
        if (opt->iiOn != "dataset") {
            if (opt->iiOn != "synth" && opt->iiOn.rfind("synth:", 0) != 0)
                throw Error("analyze: --ii-on '" + opt->iiOn + "' is not valid (valid: dataset, synth, synth:FILE)");
            if (opt->out.empty())
                throw Error("analyze: --ii-on synth needs --out (the file /ii_synth is added to)");
            const SynthIIOptions so = synthIIOptions(*opt);
            SynthIIValues v;
            if (!runCancellable("analyze", *quiet, "the file is unchanged",
                    [&](ProgressSink& sink, const CancelToken& cancel) { v = computeSynthII(so, sink, cancel); }))
                return;
            double lp = 0, col = 0;
            for (std::size_t u = 0; u < v.lpips.size(); ++u) {
                lp += v.lpips[u];
                col += v.color[u];
            }
            const double n = static_cast<double>(std::max<std::size_t>(1, v.lpips.size()));
            std::printf(
                "%s /ii_synth in %s (from /synth of %s)\n", v.appended ? "added" : "wrote", so.out.c_str(), so.synth.c_str());
            std::printf("%zu units (%s, %s), %d synthesised images each\n", v.units.size(), v.objective.c_str(), v.layer.c_str(),
                v.imagesPerUnit);
            std::printf("II-LPIPS on synth %.4f, II-color on synth %.3f (means over units; ii_diagonal %s)%s\n", lp / n, col / n,
                v.iiDiagonal.c_str(), v.lpipsCalibrated ? "" : " (UNCALIBRATED: random LPIPS weights)");
            std::printf("LPIPS weights: %s\n", v.lpipsWeights.c_str());
            std::printf("%.1f s\n", v.seconds);
            return;
        }
        if (opt->checkpoint.empty())
            throw Error("analyze: --checkpoint is required (or a --config with a checkpoint key)");
        if (opt->data.empty())
            throw Error("analyze: --data is required (or a --config with a data key)");
        if (opt->out.empty())
            throw Error("analyze: --out is required (or a --config with a name key)");
        CancelToken cancel;
        SignalCancel signals(cancel);
        TerminalSink sink(*quiet);
        AnalyzeJob job(*opt);
        AnalyzeResult r;
        try {
            r = job.run(sink, cancel);
        } catch (const Cancelled&) {
            sink.finish();
            std::cerr << "analyze cancelled; no file written\n";
            exitStatus() = exitCodeForJobStatus(JobStatus::Cancelled);
            return;
        }
        sink.finish();
        const char* mark = r.lpipsCalibrated ? "" : " (UNCALIBRATED: random LPIPS weights)";
        std::printf("wrote %s\n", r.out.c_str());
        std::printf("model %s, %lld images, %lld units, k = %d, accuracy %.4f\n", r.model.c_str(),
            static_cast<long long>(r.images), static_cast<long long>(r.units), r.k, r.accuracy);
        std::printf("II-LPIPS %.4f +/- %.4f (mean +/- sample std)%s\n", r.iiLpipsMean, r.iiLpipsStd, mark);
        std::printf(
            "II-color %.3f, II-label %.4f (ii_diagonal %s)\n", r.iiColorMean, r.iiLabelMean, iiDiagonalName(opt->iiDiagonal));
        std::printf("LPIPS weights: %s\n", r.lpipsWeights.c_str());
        std::printf("%.1f s\n", r.seconds);
    });
});

} // namespace
} // namespace repalign::cli
