// repalign-cli tune: neural fine-tuning (LwF) on a brain-data bundle.
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "common/child_process.h"
#include "common/error.h"
#include "train/tuner.h"

#include <cstdio>
#include <iostream>

namespace repalign::cli {
namespace {

struct TuneArgs {
    std::string config, out, resumeFrom;
    std::vector<std::string> sets;
    bool resume = false;
    bool strict = false;
    bool quiet = false;
};

CommandRegistrar reg(31, [](CLI::App& app) {
    auto args = std::make_shared<TuneArgs>();
    auto* sub = app.add_subcommand("tune", "Fine-tune a baseline to predict brain responses while distilling from it (LwF)");
    sub->add_option("--config", args->config, "Tuning YAML (base.checkpoint, bundle, rois, ...; defaults = the reference recipe)")
        ->required();
    sub->add_option("--out", args->out, "Run directory to create (or continue with --resume)")->required();
    sub->add_option("--set", args->sets, "Override a config value, key.path=value (repeatable)");
    auto* resume = sub->add_flag("--resume", args->resume, "Continue the run in --out from checkpoints/last.pt");
    sub->add_option("--resume-from", args->resumeFrom,
           "Start from a tuned checkpoint (the reference notebook's student_state_dict with neural_predict, or a tune "
           "run's): its backbone is the student, its readout the readout (config key resume_from)")
        ->excludes(resume);
    sub->add_flag(
        "--strict", args->strict, "Fail on bundle voxels with NaN/Inf responses instead of dropping them with a warning");
    sub->add_flag("-q,--quiet", args->quiet, "Only print the result");
    sub->callback([args] {
        TuneConfig cfg = loadTuneConfig(args->config, args->sets);
        cfg.strictBundle = args->strict;
        if (!args->resumeFrom.empty())
            cfg.resumeFrom = args->resumeFrom;
        CancelToken cancel;
        SignalCancel signals(cancel);
        TerminalSink sink(args->quiet);
        TuneJob job(cfg, args->out, args->resume);
        TuneResult r = job.run(sink, cancel);
        sink.finish();
        std::cout << jobStatusName(r.status) << ": " << r.message << "\n";
        for (const auto& roi : r.best) {
            std::printf("best epoch %d %s: r median %.4f, mean %.4f", r.bestEpoch, roi.roi.c_str(), roi.rMedian, roi.rMean);
            if (roi.normalizedMedian >= 0)
                std::printf(", r^2/noise ceiling median %.4f", roi.normalizedMedian);
            std::printf("\n");
        }
        std::cout << "run directory: " << r.runDir << "\n";
        exitStatus() = exitCodeForJobStatus(r.status);
    });
});

} // namespace
} // namespace repalign::cli
