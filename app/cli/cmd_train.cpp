// repalign-cli train / eval
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "common/child_process.h"
#include "common/error.h"
#include "train/trainer.h"

#include <cstdio>
#include <iostream>

namespace repalign::cli {
namespace {

struct TrainArgs {
    std::string config, out;
    std::vector<std::string> sets;
    bool resume = false;
    bool quiet = false;
};

struct EvalArgs {
    EvalOptions opt;
};

CommandRegistrar trainReg(10, [](CLI::App& app) {
    auto args = std::make_shared<TrainArgs>();
    auto* sub = app.add_subcommand("train", "Train a baseline classifier from a YAML config (the reference schema)");
    sub->add_option("--config", args->config,
           "YAML config (e.g. share/repalign/configs/*.yaml, or the reference study's resnet18_cifar10_base_config.yaml)")
        ->required();
    sub->add_option("--out", args->out, "Run directory to create (or continue with --resume)")->required();
    sub->add_option("--set", args->sets, "Override a config value, key.path=value (repeatable)");
    sub->add_flag("--resume", args->resume, "Continue the run in --out from checkpoints/last.pt");
    sub->add_flag("-q,--quiet", args->quiet, "Only print the result");
    sub->callback([args] {
        TrainConfig cfg = loadTrainConfig(args->config, args->sets);
        CancelToken cancel;
        SignalCancel signals(cancel);
        TerminalSink sink(args->quiet);
        TrainJob job(cfg, args->out, args->resume);
        TrainResult r = job.run(sink, cancel);
        sink.finish();
        std::cout << jobStatusName(r.status) << ": " << r.message << "\nrun directory: " << r.runDir << "\n";
        exitStatus() = exitCodeForJobStatus(r.status);
    });
});

CommandRegistrar evalReg(11, [](CLI::App& app) {
    auto args = std::make_shared<EvalArgs>();
    auto* sub = app.add_subcommand("eval", "Evaluate a checkpoint (own or PyTorch) on a data split");
    sub->add_option("--checkpoint", args->opt.checkpoint, "Checkpoint (.pt/.pth)")->required();
    sub->add_option("--data", args->opt.data, "Data spec: cifar10:DIR, idx:DIR, folder:DIR, shapes:N[:SEED]")->required();
    sub->add_option("--model", args->opt.model, "Architecture when the file does not record it");
    sub->add_option("--split", args->opt.split, "test or train")->check(CLI::IsMember({"test", "train", "val"}));
    sub->add_option("--dump-logits", args->opt.dumpLogits, "Write /logits float32 [N,C] and /labels int64 [N] to this HDF5 file");
    sub->add_option("--key", args->opt.checkpointKey, "State-dict key inside a PyTorch checkpoint dict");
    sub->add_option("--device", args->opt.device, "cpu, cuda, cuda:N");
    sub->add_option("--threads", args->opt.threads, "CPU threads (0 = all cores)");
    sub->add_option("--batch-size", args->opt.batchSize, "Batch size");
    sub->callback([args] {
        CancelToken cancel;
        TerminalSink sink;
        EvalResult r = evaluateCheckpoint(args->opt, sink, cancel);
        sink.finish();
        std::printf("model %s, %lld images (%s split)\naccuracy %.4f\nmean loss %.4f\n", r.model.c_str(),
            static_cast<long long>(r.count), args->opt.split.c_str(), r.accuracy, r.meanLoss);
        if (!args->opt.dumpLogits.empty())
            std::printf("logits written to %s\n", args->opt.dumpLogits.c_str());
    });
});

} // namespace
} // namespace repalign::cli
