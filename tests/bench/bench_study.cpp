// The study runner's overhead per condition: each condition runs as a child process
// (`repalign-cli train --config ...`), so a condition costs process start, LibTorch loading,
// config parsing and run-directory setup on top of its own work. This runs N tiny training
// conditions through runStudy (one at a time) and the same N configs in this process through
// TrainJob, and prints per condition: the runner's wall time, the in-process wall time, the
// difference (the overhead), plus the plan expansion and study-folder setup times. The
// overhead is a fixed cost, so its share for a one-minute run is overhead / 60 s (target < 5%).
// CPU seconds (getrusage: the children's for the runner, this process's in-process) are
// printed too: on a machine shared with other work the wall-clock difference is mostly waiting.
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

    // Through the runner: child processes, one at a time.
    StudyRunOptions o;
    o.executable = cli;
    o.jobs = 1;
    o.threads = threads;
    for (const StudyRun* r : plan.stage("train"))
        o.only.push_back(r->name);
    NullSink sink;
    CancelToken cancel;
    t0 = wallClockSeconds();
    const double childCpu0 = cpuSeconds(RUSAGE_CHILDREN), selfCpu0 = cpuSeconds(RUSAGE_SELF);
    const StudyRunSummary s = runStudy(plan, o, sink, cancel);
    const double runnerSeconds = (wallClockSeconds() - t0) / conditions;
    const double runnerCpu = (cpuSeconds(RUSAGE_CHILDREN) - childCpu0 + cpuSeconds(RUSAGE_SELF) - selfCpu0) / conditions;
    if (s.finished != conditions) {
        std::fprintf(
            stderr, "bench_study: only %d of %d conditions finished (see %s/out/logs)\n", s.finished, conditions, dir.c_str());
        return 1;
    }

    // What the overhead consists of: a bare start of the program (exec, loading LibTorch and
    // its operator registry, exit), and the first-use costs a fresh process pays once (oneDNN
    // kernels generated, allocator and thread pools grown), seen as the in-process warm-up
    // condition's extra time over the later ones. The rest is the child's own start and end
    // (config, run-directory set-up, waiting for the exit) and the runner's polling.
    const int startReps = 3;
    t0 = wallClockSeconds();
    for (int i = 0; i < startReps; ++i)
        if (std::system((cli + " --version > /dev/null 2>&1").c_str()) != 0) {
            std::fprintf(stderr, "bench_study: %s --version failed\n", cli.c_str());
            return 1;
        }
    const double startSeconds = (wallClockSeconds() - t0) / startReps;

    // The same work in this process (a warm-up condition first, so LibTorch is loaded).
    double inProcess = 0, inProcessCpu = 0, firstCondition = 0;
    for (int i = -1; i < conditions; ++i) {
        const std::size_t k = static_cast<std::size_t>(i < 0 ? 0 : i);
        TrainConfig cfg = parseTrainConfig(plan.stage("train")[k]->config, "bench");
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
    const double overhead = runnerSeconds - inProcess;
    std::printf("{\"conditions\": %d, \"steps\": %d, \"threads\": %d,\n", conditions, steps, threads);
    std::printf(" \"plan_expansion_ms\": %.2f, \"study_folder_setup_ms\": %.2f,\n", 1e3 * planSeconds, 1e3 * folderSeconds);
    std::printf(" \"runner_s_per_condition\": %.3f, \"in_process_s_per_condition\": %.3f, \"overhead_s_per_condition\": %.3f,\n",
        runnerSeconds, inProcess, overhead);
    std::printf(" \"runner_cpu_s_per_condition\": %.3f, \"in_process_cpu_s_per_condition\": %.3f, "
                "\"overhead_cpu_s_per_condition\": %.3f,\n",
        runnerCpu, inProcessCpu, runnerCpu - inProcessCpu);
    const double warmup = firstCondition - inProcess;
    std::printf(" \"overhead_parts_s\": {\"program_start_and_exit\": %.3f, \"first_use_warmup\": %.3f, \"rest\": %.3f},\n",
        startSeconds, warmup, overhead - startSeconds - warmup);
    std::printf(
        " \"overhead_ratio_this_run\": %.3f, \"overhead_share_of_a_60s_run\": %.4f, \"cpu_overhead_share_of_a_60s_run\": %.4f}\n",
        overhead / inProcess, overhead / 60.0, (runnerCpu - inProcessCpu) / 60.0);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return 0;
}
