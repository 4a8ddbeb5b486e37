// repalign-cli study: a grid of conditions (baselines -> tuning -> analysis -> comparison),
// planned, run locally or exported as SLURM job arrays, watched and compared.
#include "cli/command.h"
#include "cli/terminal_sink.h"
#include "common/child_process.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "pipeline/study.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

namespace repalign::cli {
namespace {

std::string selfExecutable()
{
    std::error_code ec;
    const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw Error("study: cannot find this program's path (/proc/self/exe)");
    return p.string();
}

/// The persistent study worker's body: a condition's command line run in the forked child.
int studyWorker(const std::vector<std::string>& argv)
{
    return runCommandLine(argv);
}

std::string defaultStudyDir(const std::string& studyFile)
{
    return std::filesystem::path(studyFile).stem().string();
}

struct SlurmArgs {
    std::string study, out, executable;
    SlurmOptions opt;
};

void addSlurmOptions(CLI::App* sub, SlurmArgs& a)
{
    sub->add_option("study", a.study, "study.yaml")->required();
    sub->add_option("--out", a.out, "Study folder on the shared file system (runs, configs, logs, slurm/)")->required();
    sub->add_option("--partition", a.opt.partition, "SLURM partition (-p)");
    sub->add_option("--account", a.opt.account, "SLURM account (-A)");
    sub->add_option("--time", a.opt.time, "Time limit per condition")->capture_default_str();
    sub->add_option("--gpus-per-task", a.opt.gpusPerTask, "GPUs per condition (0 = none)")->capture_default_str();
    sub->add_option("--cpus-per-task", a.opt.cpusPerTask, "CPUs per condition (0 = the cluster's default)");
    sub->add_option("--nodes", a.opt.nodes, "Nodes per job (0 = not set)");
    sub->add_option("--tasks-per-node", a.opt.tasksPerNode, "Tasks per node (0 = not set: one task)");
    sub->add_option("--max-parallel", a.opt.maxParallel, "At most this many conditions of a stage at once (the %K of --array)");
    sub->add_option("--mem", a.opt.memory, "Memory per job (e.g. 16G)");
    sub->add_option("--executable", a.executable, "repalign-cli as the cluster nodes see it (default: this program)");
}

std::vector<std::string> exportFrom(const SlurmArgs& a)
{
    StudyPlan plan = loadStudy(a.study, a.out);
    SlurmOptions o = a.opt;
    o.executable = a.executable.empty() ? selfExecutable() : std::filesystem::absolute(a.executable).string();
    return exportSlurm(plan, o);
}

CommandRegistrar reg(58, [](CLI::App& app) {
    auto* study = app.add_subcommand(
        "study", "A study: a grid of conditions (baselines -> tuning -> analysis -> comparison) run locally or on SLURM");
    study->require_subcommand(1);

    // plan
    {
        auto file = std::make_shared<std::string>();
        auto out = std::make_shared<std::string>();
        auto* sub
            = study->add_subcommand("plan", "Validate a study.yaml and print its runs, dependencies, counts and estimated time");
        sub->add_option("study", *file, "study.yaml")->required();
        sub->add_option("--out", *out, "Study folder the runs would go to (default: the study file's name)");
        sub->callback([file, out] {
            const StudyPlan plan = loadStudy(*file, out->empty() ? defaultStudyDir(*file) : *out);
            std::cout << formatStudyPlan(plan);
        });
    }
    // run
    {
        auto file = std::make_shared<std::string>();
        auto out = std::make_shared<std::string>();
        auto opt = std::make_shared<StudyRunOptions>();
        auto quiet = std::make_shared<bool>(false);
        auto noWorker = std::make_shared<bool>(false);
        auto* sub = study->add_subcommand("run",
            "Run a study here: each condition as a child process in dependency order; re-running resumes (finished runs "
            "are skipped)");
        sub->add_option("study", *file, "study.yaml")->required();
        sub->add_option("--out", *out, "Study folder (created; the same folder again resumes)")->required();
        sub->add_option("--jobs", opt->jobs, "Conditions at once")->capture_default_str();
        sub->add_option("--threads", opt->threads, "CPU threads in all, split between the jobs (0 = all cores)");
        sub->add_option("--only", opt->only, "Run only these conditions (names from study plan)");
        sub->add_flag("-q,--quiet", *quiet, "Only print the result");
        sub->add_flag("--no-worker", *noWorker,
            "Start the program anew for each condition (fork + exec) instead of forking this process (the persistent "
            "study worker)");
        sub->add_flag(
            "--no-warm-up", [opt](std::int64_t) { opt->warmUp = false; },
            "The worker forks its conditions cold (no warm-up step before the first)");
        sub->callback([file, out, opt, quiet, noWorker] {
            const StudyPlan plan = loadStudy(*file, *out);
            opt->executable = selfExecutable();
            if (!*noWorker)
                opt->inProcess = studyWorker;
            CancelToken cancel;
            SignalCancel signals(cancel);
            TerminalSink sink(*quiet);
            const StudyRunSummary s = runStudy(plan, *opt, sink, cancel);
            sink.finish();
            std::printf("%s: %d finished, %d skipped (finished earlier), %d failed, %d not started, %.1f s\n",
                jobStatusName(s.status), s.finished, s.skipped, s.failed, s.blocked, s.seconds);
            std::printf("study folder: %s\n", plan.studyDir.c_str());
            if (fileExists(plan.studyDir + "/comparison.csv"))
                std::printf("comparison: %s/comparison.csv\n", plan.studyDir.c_str());
            exitStatus() = exitCodeForJobStatus(s.status);
        });
    }
    // status
    {
        auto dir = std::make_shared<std::string>();
        auto* sub = study->add_subcommand("status", "Show the state of every run of a study folder");
        sub->add_option("dir", *dir, "Study folder")->required();
        sub->callback([dir] { std::cout << formatStudyStatus(studyStatus(readStudyFolder(*dir))); });
    }
    // compare
    {
        auto dir = std::make_shared<std::string>();
        auto metric = std::make_shared<std::string>();
        auto format = std::make_shared<std::string>("text");
        auto* sub = study->add_subcommand("compare",
            "One row per analysed model: axes, accuracy, predictivity, II mean ± std; each tuned condition tested against "
            "its baseline (Holm-corrected). Also writes DIR/comparison.csv and comparison.md");
        sub->add_option("dir", *dir, "Study folder")->required();
        sub->add_option("--metric", *metric, "lpips | color | label (default: the study's compare.metric)");
        sub->add_option("--format", *format, "text | csv | tsv | markdown | latex")->capture_default_str();
        sub->callback([dir, metric, format] {
            const StudyPlan plan = readStudyFolder(*dir);
            const StudyTable t = compareStudy(plan, metric->empty() ? plan.metric : *metric);
            const std::string text = formatStudyTable(t, *format);
            const std::string csv = writeStudyComparison(plan, t);
            std::cout << text;
            std::cerr << "written: " << csv << "\n";
        });
    }
    // exec (one condition; what SLURM array tasks run)
    {
        auto dir = std::make_shared<std::string>();
        auto name = std::make_shared<std::string>();
        auto threads = std::make_shared<int>(0);
        auto noWorker = std::make_shared<bool>(false);
        auto* sub = study->add_subcommand("exec", "Run one condition of a study folder (what the SLURM array tasks call)");
        sub->add_option("dir", *dir, "Study folder")->required();
        sub->add_option("name", *name, "Condition name")->required();
        sub->add_option("--threads", *threads, "CPU threads (0 = all cores)");
        sub->add_flag("--no-worker", *noWorker, "Start the program anew for the condition instead of forking this process");
        sub->callback([dir, name, threads, noWorker] {
            const StudyPlan plan = readStudyFolder(*dir);
            CancelToken cancel;
            SignalCancel signals(cancel);
            TerminalSink sink(true);
            StudyRunOptions o;
            o.executable = selfExecutable();
            o.threads = *threads;
            if (!*noWorker)
                o.inProcess = studyWorker;
            o.warmUp = false; // one condition: nothing to share a warm-up with
            const JobStatus st = runStudyCondition(plan, *name, o, sink, cancel);
            std::printf("%s: %s\n", name->c_str(), jobStatusName(st));
            exitStatus() = exitCodeForJobStatus(st);
        });
    }
    // export-slurm
    {
        auto a = std::make_shared<SlurmArgs>();
        auto* sub = study->add_subcommand(
            "export-slurm", "Write one sbatch job array per stage and a submit.sh chaining them with --dependency=afterok");
        addSlurmOptions(sub, *a);
        sub->callback([a] {
            for (const auto& f : exportFrom(*a))
                std::cout << "wrote " << f << "\n";
            std::cout << "submit with: bash " << std::filesystem::absolute(a->out).lexically_normal().string()
                      << "/slurm/submit.sh\n";
        });
    }
    // submit
    {
        auto a = std::make_shared<SlurmArgs>();
        auto* sub = study->add_subcommand("submit", "export-slurm, then submit the stages through sbatch (on PATH)");
        addSlurmOptions(sub, *a);
        sub->callback([a] {
            if (std::system("command -v sbatch >/dev/null 2>&1") != 0)
                throw Error(
                    "study submit: sbatch is not on PATH (use study export-slurm and submit on the cluster's login node)");
            const auto files = exportFrom(*a);
            const std::string cmd = "bash '" + files.back() + "'";
            std::fflush(stdout);
            const int rc = std::system(cmd.c_str());
            if (rc != 0)
                throw Error("study submit: " + files.back() + " failed (exit status " + std::to_string(rc) + ")");
        });
    }
});

} // namespace
} // namespace repalign::cli
