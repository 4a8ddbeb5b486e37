// The study runner's overhead per condition. Each condition runs in its own child process;
// `study run` starts it in one of three ways, all measured here in the same run:
//   exec:        fork + exec of repalign-cli per condition (--no-worker; the runner before the
//                persistent worker, and what the GUI's runner does),
//   worker cold: the persistent worker forks itself per condition and runs the command line in
//                the child (--no-warm-up): no exec, no LibTorch loading per condition,
//   worker warm: the same after one warm-up step in the worker (the default).
// The same N configs also run in this process through TrainJob (after a warm-up condition): the
// per-condition work itself. Overhead = the runner's time per condition - the in-process time
// (the `study run` process's own start, measured as a bare start, is taken off once per study;
// the warm-up is printed separately and also amortised over the N conditions). The overhead is
// a fixed cost, so its share for a one-minute run is overhead / 60 s (target <= 2%). Plan
// expansion and study-folder setup times are printed too.
//
// Usage: bench_study [conditions=3] [steps=4] [threads=1] [repalign-cli path]
#include "common/fsutil.h"
#include "common/progress.h"
#include "pipeline/study.h"
#include "run/config.h"
#include "train/trainer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

using namespace repalign;

namespace {
/// User + system CPU seconds of this process (RUSAGE_SELF) or of its waited-for children.
double cpuSeconds(int who)
{
    rusage u {};
    ::getrusage(who, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
        + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}
} // namespace

int main(int argc, char** argv)
{
    const int conditions = argc > 1 ? std::atoi(argv[1]) : 3;
    const int steps = argc > 2 ? std::atoi(argv[2]) : 4;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
    std::string cli = argc > 4 ? argv[4] : "";
    if (cli.empty())
        cli = (std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "bin" / "repalign-cli").string();
    if (!fileExists(cli)) {
        std::fprintf(stderr, "bench_study: %s not found (give the path of repalign-cli as the fourth argument)\n", cli.c_str());
        return 1;
    }
    const std::string dir = "/tmp/bench_study-" + std::to_string(::getpid());
    makeDirs(dir);
    std::string seeds;
    for (int i = 0; i < conditions; ++i)
        seeds += (i ? ", " : "") + std::to_string(i);
    const std::string study
        = "train:\n  dataset: shapes\n  model: resnet18_cifar10\n  data: {train: \"shapes:512:1\", val: \"shapes:64:2\"}\n"
          "  system: {num_workers: 1, threads: "
        + std::to_string(threads) + "}\n  optimization: {epochs: 1, batch_size: 32, max_steps_per_epoch: " + std::to_string(steps)
        + "}\nanalyze: {data: \"shapes:32:3\", layer: layer1, k: 2, lpips_weights: \"random:0\"}\ngrid:\n  seed: [" + seeds
        + "]\n";
    writeFileAtomic(dir + "/study.yaml", study);

    // Plan expansion (parse + validation of every condition) and study-folder setup.
    double t0 = wallClockSeconds();
    const int planReps = 20;
    StudyPlan plan;
    for (int i = 0; i < planReps; ++i)
        plan = loadStudy(dir + "/study.yaml", dir + "/out");
    const double planSeconds = (wallClockSeconds() - t0) / planReps;
    t0 = wallClockSeconds();
    writeStudyFolder(plan);
    const double folderSeconds = wallClockSeconds() - t0;

    std::string only;
    for (const StudyRun* r : plan.stage(StudyStage::Train))
        only += " --only " + r->name;
    NullSink sink;
    CancelToken cancel;

    // A bare start and exit of the program (exec, loading LibTorch and its operator registry).
    const int startReps = 3;
    double t0s = wallClockSeconds();
    for (int i = 0; i < startReps; ++i)
        if (std::system((cli + " --version > /dev/null 2>&1").c_str()) != 0) {
            std::fprintf(stderr, "bench_study: %s --version failed\n", cli.c_str());
            return 1;
        }
    const double startSeconds = (wallClockSeconds() - t0s) / startReps;

    // The three ways through `study run`, one condition at a time.
    struct Mode {
        const char* name;
        const char* flags;
        double seconds = 0, cpu = 0, warmUp = 0;
    };
    Mode modes[] = {{"exec", "--no-worker"}, {"worker_cold", "--no-warm-up"}, {"worker_warm", ""}};
    for (Mode& m : modes) {
        const std::string out = dir + "/" + m.name;
        const std::string log = dir + "/" + m.name + ".log";
        const std::string cmd = cli + " study run " + dir + "/study.yaml --out " + out + " --threads " + std::to_string(threads)
            + " " + m.flags + only + " > " + log + " 2>&1";
        const double t = wallClockSeconds(), c = cpuSeconds(RUSAGE_CHILDREN);
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "bench_study: %s failed (see %s)\n", cmd.c_str(), log.c_str());
            return 1;
        }
        m.seconds = wallClockSeconds() - t - startSeconds;
        m.cpu = cpuSeconds(RUSAGE_CHILDREN) - c;
        const std::string text = readFileText(log);
        const auto at = text.find("study worker warmed up in ");
        if (at != std::string::npos)
            m.warmUp = std::atof(text.c_str() + at + std::strlen("study worker warmed up in "));
    }

    // The same work in this process (a warm-up condition first, so LibTorch is loaded).
    double inProcess = 0, inProcessCpu = 0, firstCondition = 0;
    for (int i = -1; i < conditions; ++i) {
        const std::size_t k = static_cast<std::size_t>(i < 0 ? 0 : i);
        TrainConfig cfg = parseTrainConfig(plan.stage(StudyStage::Train)[k]->config, "bench");
        const double t = wallClockSeconds(), c = cpuSeconds(RUSAGE_SELF);
        TrainJob job(cfg, dir + "/inproc-" + std::to_string(i + 1));
        job.run(sink, cancel);
        if (i >= 0) {
            inProcess += wallClockSeconds() - t;
            inProcessCpu += cpuSeconds(RUSAGE_SELF) - c;
        } else {
            firstCondition = wallClockSeconds() - t;
        }
    }
    inProcess /= conditions;
    inProcessCpu /= conditions;
    std::printf("{\"conditions\": %d, \"steps\": %d, \"threads\": %d,\n", conditions, steps, threads);
    std::printf(" \"plan_expansion_ms\": %.2f, \"study_folder_setup_ms\": %.2f,\n", 1e3 * planSeconds, 1e3 * folderSeconds);
    std::printf(" \"in_process_s_per_condition\": %.3f, \"in_process_cpu_s_per_condition\": %.3f,\n", inProcess, inProcessCpu);
    std::printf(" \"program_start_and_exit_s\": %.3f, \"first_use_warmup_in_process_s\": %.3f,\n", startSeconds,
        firstCondition - inProcess);
    double execOverhead = 0;
    for (const Mode& m : modes) {
        const double perCondition = m.seconds / conditions;
        const double overhead = perCondition - inProcess;
        const double steady = (m.seconds - m.warmUp) / conditions - inProcess;
        if (std::string(m.name) == "exec")
            execOverhead = overhead;
        std::printf(" \"%s\": {\"s_per_condition\": %.3f, \"overhead_s_per_condition\": %.3f, \"warm_up_s\": %.3f, "
                    "\"overhead_without_warm_up_s\": %.3f, \"cpu_overhead_s_per_condition\": %.3f, "
                    "\"overhead_share_of_a_60s_run\": %.4f, \"overhead_vs_exec\": %.3f},\n",
            m.name, perCondition, overhead, m.warmUp, steady, m.cpu / conditions - inProcessCpu, overhead / 60.0,
            execOverhead != 0 ? overhead / execOverhead : 1.0);
    }
    std::printf(" \"note\": \"overhead = study run time per condition - in-process time; its share of a 60 s run is the "
                "target (<= 0.02)\"}\n");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return 0;
}
