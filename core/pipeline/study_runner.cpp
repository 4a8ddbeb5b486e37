// Studies, the runner room: each run's state from its folder, the child command of a
// condition, and the local runner (dependency order, slots, cancel, resume).
#include "pipeline/study.h"

#include "common/child_process.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/text.h"
#include "pipeline/study_internal.h"
#include "run/config.h"
#include "run/rundir.h"
#include "train/distributed.h"
#include "train/trainer.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace repalign {

// ---- state ---------------------------------------------------------------------------------

bool study_detail::isMeasurement(const StudyRun& r)
{
    return r.stage == StudyStage::Analyze || r.stage == StudyStage::Behave;
}

std::string study_detail::measurementFile(const StudyPlan& plan, const StudyRun& r)
{
    return r.stage == StudyStage::Behave ? plan.behaviourPath(r.name) : plan.analysisPath(r.name);
}

bool study_detail::runFinished(const StudyPlan& plan, const StudyRun& r)
{
    if (readRunStatus(plan.runDir(r.name)).state != RunState::Finished)
        return false;
    return !study_detail::isMeasurement(r) || fileExists(study_detail::measurementFile(plan, r));
}

namespace {

void writeAnalyzeStatus(const StudyPlan& plan, const StudyRun& r, RunState state, double progress, const std::string& msg)
{
    makeDirs(plan.runDir(r.name));
    writeStatusFile(RunLayout(plan.runDir(r.name)).status(), state, progress, msg, {{"kind", jsonQuote(toString(r.stage))}});
}

} // namespace

std::string StudyRunState::stateText() const
{
    if (pending)
        return "pending";
    if (stopped)
        return "stopped";
    return toString(state);
}

std::vector<StudyRunState> studyStatus(const StudyPlan& plan)
{
    std::vector<StudyRunState> out;
    for (const auto& r : plan.runs) {
        StudyRunState s;
        s.name = r.name;
        s.stage = r.stage;
        const std::string dir = plan.runDir(r.name);
        if (!isDirectory(dir)) {
            s.pending = true;
        } else {
            const RunStatus st = readRunStatus(dir);
            s.state = st.state == RunState::Unknown ? RunState::Queued : st.state;
            s.progress = st.progress;
            s.message = st.message;
            // A running run whose lock nobody holds was stopped without a word (killed).
            RunLockHolder holder;
            s.stopped = s.state == RunState::Running && !study_detail::isMeasurement(r) && fileExists(RunLayout(dir).lock())
                && !runLockHolder(dir, holder);
        }
        out.push_back(s);
    }
    return out;
}

std::string formatStudyStatus(const std::vector<StudyRunState>& states)
{
    std::size_t w = 4;
    for (const auto& s : states)
        w = std::max(w, s.name.size());
    std::ostringstream o;
    o << std::string("run") << std::string(w - 3 + 2, ' ') << "stage    state      progress  message\n";
    std::map<std::string, int> counts;
    for (const auto& s : states) {
        const std::string state = s.stateText();
        counts[state]++;
        std::string msg = s.message.substr(0, 60);
        o << s.name << std::string(w - s.name.size() + 2, ' ')
          << strprintf("%-8s %-10s %7.1f%%  ", toString(s.stage), state.c_str(), 100.0 * s.progress) << msg << "\n";
    }
    o << states.size() << " runs:";
    bool first = true;
    for (const auto& [state, n] : counts) {
        o << (first ? " " : ", ") << n << " " << state;
        first = false;
    }
    o << "\n";
    return o.str();
}

// ---- running -------------------------------------------------------------------------------

std::vector<std::string> studyRunCommand(const StudyPlan& plan, const StudyRun& r, const std::string& exe, int threads)
{
    const std::string dir = plan.runDir(r.name);
    std::vector<std::string> argv {exe};
    if (r.stage == StudyStage::Analyze) {
        argv.insert(
            argv.end(), {toString(r.stage), "--config", plan.configPath(r.name), "--out", plan.analysisPath(r.name), "--quiet"});
        if (threads > 0)
            argv.insert(argv.end(), {"--threads", std::to_string(threads)});
        return argv;
    }
    if (r.stage == StudyStage::Behave)
        return study_detail::behaveCommand(r.config, plan.configPath(r.name), exe, plan.behaviourPath(r.name), threads);
    argv.insert(argv.end(), {toString(r.stage), "--config", plan.configPath(r.name), "--out", dir, "--quiet"});
    if (fileExists(RunLayout(dir).lastCheckpoint()))
        argv.push_back("--resume");
    if (threads > 0)
        argv.insert(argv.end(), {"--set", "system.threads=" + std::to_string(threads)});
    return argv;
}

namespace {

/// Where a condition stands in this runner.
enum class Outcome { Finished, Failed, Blocked };
/// Whether a condition's dependencies let it start.
enum class Readiness { Ready, Wait, Blocked };

struct Child {
    const StudyRun* run = nullptr;
    pid_t pid = -1;
    double started = 0;
    fs::file_time_type startedFile; ///< the file clock at the start (status.json written since)
    bool finishing = false; ///< its status.json has its outcome: it only exits now
};

/// True when a train/tune child has written its outcome into status.json since it started
/// (the run's last write): what is left is its exit (threads joined, memory returned), and
/// its slot may go to the next condition.
bool childFinishing(const StudyPlan& plan, const Child& c)
{
    if (study_detail::isMeasurement(*c.run))
        return false;
    const std::string status = RunLayout(plan.runDir(c.run->name)).status();
    std::error_code ec;
    const auto written = fs::last_write_time(status, ec);
    if (ec || written < c.startedFile)
        return false;
    JobStatus st = JobStatus::Failed;
    return jobStatusOf(readRunStatus(plan.runDir(c.run->name)).state, st);
}

/// Prepares a run folder before its child starts: a train/tune run without last.pt starts
/// fresh (a partial first epoch is dropped); an analysis records that it runs.
void prepareRun(const StudyPlan& plan, const StudyRun& r, ProgressSink& sink)
{
    const RunLayout layout(plan.runDir(r.name));
    if (study_detail::isMeasurement(r)) {
        writeAnalyzeStatus(plan, r, RunState::Running, 0,
            (r.stage == StudyStage::Behave ? "measuring the behaviour of " : "analysing ") + r.model);
        return;
    }
    if (!fileExists(layout.lastCheckpoint()) && fileExists(layout.metrics())) {
        sink.log(LogLevel::Notice, r.name + ": no checkpoint from the earlier attempt; starting it again");
        std::error_code ec;
        fs::remove(layout.metrics(), ec);
        fs::remove(layout.status(), ec);
    }
}

JobStatus finishRun(const StudyPlan& plan, const StudyRun& r, int waitStatus, double seconds)
{
    const int code = shellExitStatus(waitStatus);
    if (study_detail::isMeasurement(r)) {
        const bool ok = code == 0 && fileExists(study_detail::measurementFile(plan, r));
        const JobStatus st = ok                                  ? JobStatus::Finished
            : jobStatusForExitCode(code) == JobStatus::Cancelled ? JobStatus::Cancelled
                                                                 : JobStatus::Failed;
        const bool behave = r.stage == StudyStage::Behave;
        writeAnalyzeStatus(plan, r, runStateOf(st), ok ? 1.0 : 0.0,
            ok ? strprintf(behave ? "measured in %.1f s" : "analysed in %.1f s", seconds)
               : (behave ? "behave" : "analysis") + std::string(" exited with status ") + std::to_string(code) + "; see "
                    + plan.logPath(r.name));
        return st;
    }
    const RunStatus s = readRunStatus(plan.runDir(r.name));
    JobStatus st = JobStatus::Failed;
    if (code == 0 && s.state == RunState::Finished)
        return JobStatus::Finished;
    if (jobStatusOf(s.state, st) && st != JobStatus::Finished)
        return st;
    const JobStatus byCode = jobStatusForExitCode(code);
    return byCode == JobStatus::Finished ? JobStatus::Failed : byCode;
}

std::string tailOf(const std::string& path)
{
    if (!fileExists(path))
        return {};
    std::string text = readFileText(path);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    const auto nl = text.rfind('\n');
    return nl == std::string::npos ? text : text.substr(nl + 1);
}

/// The persistent worker's warm-up: one training step and validation of the first training
/// condition, one thread, in a temporary run folder that is removed. Failures only cost the
/// warm-up (the conditions then start cold).
void warmUpWorker(const StudyPlan& plan, ProgressSink& sink)
{
    const auto trains = plan.stage(StudyStage::Train);
    if (trains.empty())
        return;
    const std::string dir = plan.studyDir + "/.worker-warm-up";
    std::error_code ec;
    fs::remove_all(dir, ec);
    const double t0 = wallClockSeconds();
    try {
        TrainConfig cfg = parseTrainConfig(trains.front()->config, trains.front()->name);
        cfg.threads = 1; // no intra-op thread pool in a process that forks
        cfg.numWorkers = 1;
        cfg.epochs = 1;
        cfg.maxStepsPerEpoch = 1;
        NullSink quiet;
        CancelToken never;
        TrainJob(cfg, dir).run(quiet, never);
        sink.log(LogLevel::Info, strprintf("study worker warmed up in %.1f s", wallClockSeconds() - t0));
    } catch (const std::exception& e) {
        sink.log(LogLevel::Notice, std::string("study worker: warm-up skipped (") + e.what() + ")");
    }
    fs::remove_all(dir, ec);
}

/// The local runner: conditions in dependency order, at most `jobs` at once, each a child
/// process (exec of the program, or a fork of this process with the persistent worker).
class Runner {
public:
    Runner(const StudyPlan& plan, const StudyRunOptions& options, ProgressSink& sink, const CancelToken& cancel)
        : m_plan(plan)
        , m_options(options)
        , m_sink(sink)
        , m_cancel(cancel)
    {
    }

    StudyRunSummary run();

private:
    void selectTodo();
    Readiness readiness(const StudyRun& r);
    void cancelChildren();
    int busySlots();
    void startReady();
    void start(const StudyRun& r);
    bool reap();
    void logEnd(const StudyRun& r, int waitStatus, double secs, JobStatus st);
    void blockStranded();
    void report();
    void writeComparisonWhenComplete();

    const StudyPlan& m_plan;
    const StudyRunOptions& m_options;
    ProgressSink& m_sink;
    const CancelToken& m_cancel;
    std::string m_executable;
    int m_jobs = 1, m_threads = 1;
    std::vector<const StudyRun*> m_todo;
    std::vector<Child> m_running;
    std::map<std::string, Outcome> m_outcome;
    std::size_t m_count = 0, m_done = 0;
    bool m_cancelled = false;
    StudyRunSummary m_sum;
};

void Runner::selectTodo()
{
    for (const auto& r : m_plan.runs) {
        const auto& only = m_options.only;
        if (!only.empty() && std::find(only.begin(), only.end(), r.name) == only.end())
            continue;
        if (study_detail::runFinished(m_plan, r)) {
            m_outcome[r.name] = Outcome::Finished;
            ++m_sum.skipped;
            m_sink.log(LogLevel::Info, r.name + ": finished earlier, skipped");
            continue;
        }
        m_todo.push_back(&r);
    }
    m_count = m_todo.size();
}

Readiness Runner::readiness(const StudyRun& r)
{
    for (const auto& d : r.dependsOn) {
        auto it = m_outcome.find(d);
        if (it != m_outcome.end()) {
            if (it->second != Outcome::Finished)
                return Readiness::Blocked;
            continue;
        }
        // Still queued or running (a child that exited is reaped before it counts).
        const bool scheduled = std::any_of(m_todo.begin(), m_todo.end(), [&](const StudyRun* t) { return t->name == d; })
            || std::any_of(m_running.begin(), m_running.end(), [&](const Child& c) { return c.run->name == d; });
        if (scheduled)
            return Readiness::Wait;
        const StudyRun* dr = m_plan.find(d);
        if (dr && study_detail::runFinished(m_plan, *dr)) {
            m_outcome[d] = Outcome::Finished;
            continue;
        }
        return Readiness::Blocked;
    }
    return Readiness::Ready;
}

void Runner::cancelChildren()
{
    m_cancelled = true;
    m_sink.log(LogLevel::Notice, "study cancelled: stopping " + std::to_string(m_running.size()) + " running conditions");
    for (const Child& c : m_running)
        ::kill(c.pid, SIGTERM);
    m_todo.clear();
}

int Runner::busySlots()
{
    // A child that has written its outcome only exits now: its slot is free (the next
    // condition starts while it returns its memory; dependents still wait for its reaping).
    for (Child& c : m_running)
        if (!c.finishing)
            c.finishing = childFinishing(m_plan, c);
    return static_cast<int>(std::count_if(m_running.begin(), m_running.end(), [](const Child& c) { return !c.finishing; }));
}

void Runner::start(const StudyRun& r)
{
    prepareRun(m_plan, r, m_sink);
    const auto argv = studyRunCommand(m_plan, r, m_executable, m_threads);
    Child c;
    c.run = &r;
    c.started = wallClockSeconds();
    c.startedFile = fs::file_time_type::clock::now();
    if (m_options.inProcess) {
        const auto& body = m_options.inProcess;
        c.pid = forkProcess(m_plan.baseDir, m_plan.logPath(r.name), [&body, &argv] { return body(argv); });
    } else {
        SpawnOptions o;
        o.argv = argv;
        o.cwd = m_plan.baseDir;
        o.output = m_plan.logPath(r.name);
        c.pid = spawnProcess(o);
    }
    m_running.push_back(c);
    m_sink.log(LogLevel::Info, "started " + r.name + " (" + std::to_string(m_threads) + " threads)");
}

void Runner::startReady()
{
    for (auto it = m_todo.begin(); !m_cancelled && it != m_todo.end() && busySlots() < m_jobs;) {
        const StudyRun& r = **it;
        const Readiness ready = readiness(r);
        if (ready == Readiness::Wait) {
            ++it;
            continue;
        }
        if (ready == Readiness::Blocked) {
            m_outcome[r.name] = Outcome::Blocked;
            ++m_sum.blocked;
            ++m_done;
            m_sink.log(LogLevel::Warning, r.name + ": not started, a run it depends on did not finish");
            it = m_todo.erase(it);
            continue;
        }
        start(r);
        it = m_todo.erase(it);
    }
}

void Runner::logEnd(const StudyRun& r, int ws, double secs, JobStatus st)
{
    if (ws >= 0 && shellExitStatus(ws) != 0) {
        // Say how the child ended in its log (a crash or a failed exec leaves no words of its own).
        std::ofstream log(m_plan.logPath(r.name), std::ios::app);
        log << "[study runner] " << r.name << " ended "
            << (WIFSIGNALED(ws) ? "by signal " + std::to_string(WTERMSIG(ws))
                                : "with exit status " + std::to_string(WIFEXITED(ws) ? WEXITSTATUS(ws) : -1))
            << strprintf(" after %.1f s\n", secs);
    }
    if (st == JobStatus::Finished) {
        ++m_sum.finished;
        m_sink.log(LogLevel::Info, strprintf("finished %s (%.1f s)", r.name.c_str(), secs));
    } else {
        ++m_sum.failed;
        const std::string last = tailOf(m_plan.logPath(r.name));
        m_sink.log(st == JobStatus::Cancelled ? LogLevel::Notice : LogLevel::Warning,
            r.name + ": " + jobStatusName(st) + (last.empty() ? "" : " (" + last + ")"));
    }
}

bool Runner::reap()
{
    bool reaped = false;
    for (auto it = m_running.begin(); it != m_running.end();) {
        int ws = 0;
        if (!pollProcess(it->pid, ws)) {
            ++it;
            continue;
        }
        const StudyRun& r = *it->run;
        const double secs = wallClockSeconds() - it->started;
        const JobStatus st = ws < 0 ? JobStatus::Failed : finishRun(m_plan, r, ws, secs);
        logEnd(r, ws, secs, st);
        m_outcome[r.name] = st == JobStatus::Finished ? Outcome::Finished : Outcome::Failed;
        ++m_done;
        it = m_running.erase(it);
        reaped = true;
    }
    return reaped;
}

void Runner::blockStranded()
{
    // Nothing runs and nothing can start: the rest waits on runs outside this selection.
    if (!m_running.empty() || m_todo.empty())
        return;
    for (const StudyRun* r : m_todo)
        if (readiness(*r) != Readiness::Wait)
            return;
    for (const StudyRun* r : m_todo) {
        ++m_sum.blocked;
        m_sink.log(LogLevel::Warning, r->name + ": not started, it waits for runs that are not part of this run");
    }
    m_todo.clear();
}

void Runner::report()
{
    ProgressEvent ev;
    ev.phase = "study";
    ev.done = static_cast<std::int64_t>(m_done);
    ev.total = static_cast<std::int64_t>(m_count);
    ev.fraction = m_count ? double(m_done) / double(m_count) : 1.0;
    m_sink.progress(ev);
}

void Runner::writeComparisonWhenComplete()
{
    if (m_cancelled || !m_options.only.empty())
        return;
    for (const StudyRun* a : m_plan.stage(StudyStage::Analyze))
        if (!study_detail::runFinished(m_plan, *a))
            return;
    const std::string csv = writeStudyComparison(m_plan, compareStudy(m_plan, m_plan.metric));
    m_sink.log(LogLevel::Info, "comparison written: " + csv);
}

StudyRunSummary Runner::run()
{
    const double t0 = wallClockSeconds();
    if (m_options.executable.empty() || !fileExists(m_options.executable))
        throw Error("study run: the program to start for each condition (" + m_options.executable + ") does not exist");
    // Children start in the study's base folder: a relative program path would not be found there.
    m_executable = fs::absolute(m_options.executable).lexically_normal().string();
    m_jobs = std::max(1, m_options.jobs);
    const int total = m_options.threads > 0 ? m_options.threads : hardwareThreads();
    m_threads = std::max(1, total / m_jobs);
    writeStudyFolder(m_plan);
    selectTodo();
    if (m_options.inProcess && m_options.warmUp
        && std::any_of(m_todo.begin(), m_todo.end(), [](const StudyRun* r) { return !study_detail::isMeasurement(*r); }))
        warmUpWorker(m_plan, m_sink);
    report();
    while (!m_todo.empty() || !m_running.empty()) {
        if (m_cancel.cancelled() && !m_cancelled)
            cancelChildren();
        startReady();
        const bool reaped = reap();
        if (reaped)
            report();
        if (!reaped && (!m_running.empty() || !m_todo.empty()))
            std::this_thread::sleep_for(std::chrono::milliseconds(m_running.empty() ? 1 : 50));
        blockStranded();
    }
    m_sum.seconds = wallClockSeconds() - t0;
    if (m_cancelled)
        m_sum.status = JobStatus::Cancelled;
    else if (m_sum.failed > 0 || m_sum.blocked > 0)
        m_sum.status = JobStatus::Failed;
    writeComparisonWhenComplete();
    return m_sum;
}

/// Rank > 0 of a data-parallel condition: only its child (which joins rank 0's process group).
JobStatus runOtherRank(const StudyPlan& plan, const StudyRun& r, const StudyRunOptions& options, int rank, ProgressSink& sink,
    const CancelToken& cancel)
{
    if (study_detail::isMeasurement(r)) {
        sink.log(LogLevel::Info,
            r.name + ": an " + toString(r.stage) + " condition runs on rank 0 only; rank " + std::to_string(rank)
                + " has nothing to do");
        return JobStatus::Finished;
    }
    SpawnOptions o;
    o.argv = studyRunCommand(plan, r, options.executable, options.threads);
    o.cwd = plan.baseDir;
    o.output = plan.logPath(r.name) + ".rank" + std::to_string(rank);
    const pid_t pid = spawnProcess(o);
    bool stopped = false;
    const int ws = waitProcess(pid, [&] {
        if (cancel.cancelled() && !stopped) {
            ::kill(pid, SIGTERM);
            stopped = true;
        }
    });
    return ws < 0 ? JobStatus::Failed : jobStatusForExitCode(shellExitStatus(ws));
}

} // namespace

StudyRunSummary runStudy(const StudyPlan& plan, const StudyRunOptions& options, ProgressSink& sink, const CancelToken& cancel)
{
    return Runner(plan, options, sink, cancel).run();
}

JobStatus runStudyCondition(
    const StudyPlan& plan, const std::string& name, const StudyRunOptions& options, ProgressSink& sink, const CancelToken& cancel)
{
    const StudyRun* r = plan.find(name);
    if (!r)
        throw Error("study " + plan.studyDir + " has no condition named '" + name + "'");
    if (study_detail::runFinished(plan, *r)) {
        sink.log(LogLevel::Info, name + ": finished earlier, skipped");
        return JobStatus::Finished;
    }
    for (const auto& d : r->dependsOn) {
        const StudyRun* dr = plan.find(d);
        if (dr && !study_detail::runFinished(plan, *dr))
            throw Error(name + " depends on " + d + ", which has not finished");
    }
    // Several tasks of one SLURM step (or a torchrun-style launch): each is a rank of the
    // condition's data-parallel run. Rank 0 runs it as a single process would (the study folder,
    // the run folder's preparation, the outcome); the other ranks only start their child, which
    // joins rank 0's process group and writes nothing. An analysis is one process: rank 0's.
    const DistributedEnv env = distributedEnvFromEnvironment();
    if (env.worldSize > 1 && env.rank > 0)
        return runOtherRank(plan, *r, options, env.rank, sink, cancel);
    if (env.worldSize > 1 && study_detail::isMeasurement(*r))
        sink.log(LogLevel::Info, name + ": an " + toString(r->stage) + " condition is one process; it runs on rank 0 alone");
    StudyRunOptions o = options;
    o.jobs = 1;
    o.only = {name};
    const StudyRunSummary s = runStudy(plan, o, sink, cancel);
    if (s.status == JobStatus::Cancelled)
        return JobStatus::Cancelled;
    return s.finished == 1                                 ? JobStatus::Finished
        : finishRun(plan, *r, 0, 0) == JobStatus::Finished ? JobStatus::Finished
                                                           : JobStatus::Failed;
}

JobStatus runStudyCondition(const StudyPlan& plan, const std::string& name, const std::string& executable, int threads,
    ProgressSink& sink, const CancelToken& cancel)
{
    StudyRunOptions o;
    o.executable = executable;
    o.threads = threads;
    return runStudyCondition(plan, name, o, sink, cancel);
}

} // namespace repalign
