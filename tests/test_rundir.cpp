// Run directories that never lie: the job lock (exclusive, naming its holder, released when the
// holder dies), orphaned temporary files, and the write-fault hook the failure tests use.
#include "common/child_process.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "pipeline/study.h"
#include "run/rundir.h"
#include "testutil.h"

#include <QtTest>

#include <csignal>
#include <filesystem>
#include <iterator>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

using namespace repalign;

namespace {

std::string thisHost()
{
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

std::string lockError(const std::string& dir)
{
    try {
        RunLock second(dir);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestRunDir : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lockIsExclusiveAndNamesItsHolder()
    {
        const std::string dir = testutil::tempDir("lock") + "/run";
        RunLockHolder holder;
        QVERIFY(!runLockHolder(dir, holder)); // no folder, no lock file: nobody
        {
            RunLock first(dir);
            QVERIFY(runLockHolder(dir, holder));
            QCOMPARE(holder.pid, static_cast<long>(::getpid()));
            QCOMPARE(holder.host, thisHost());
            QVERIFY(holder.isThisProcess());
            // A second job, even in the same process (the GUI's queue), is refused in one line
            // naming the holder.
            const std::string err = lockError(dir);
            QVERIFY2(err.find("is in use by process " + std::to_string(::getpid()) + " on " + thisHost()) != std::string::npos,
                err.c_str());
            QVERIFY(err.find('\n') == std::string::npos);
        }
        QVERIFY(!runLockHolder(dir, holder));
        QVERIFY(lockError(dir).empty()); // released with the first job
    }

    void lockIsReleasedWhenItsProcessDies()
    {
        const std::string dir = testutil::tempDir("lockdie") + "/run";
        testutil::HoldingChild child([&] { return std::make_shared<RunLock>(dir); });
        QVERIFY(child.ready());
        RunLockHolder holder;
        QVERIFY(runLockHolder(dir, holder));
        QCOMPARE(holder.pid, static_cast<long>(child.pid()));
        QVERIFY(!holder.isThisProcess());
        QVERIFY(lockError(dir).find("process " + std::to_string(child.pid())) != std::string::npos);
        child.kill(); // SIGKILL: no clean-up code runs, the kernel drops the lock
        QVERIFY(!runLockHolder(dir, holder));
        QVERIFY(lockError(dir).empty());
    }

    void cliRefusesALockedRunDirectory()
    {
        if (!QFile::exists(QStringLiteral(REPALIGN_CLI)))
            QSKIP("repalign-cli not built");
        const std::string root = testutil::tempDir("cli-lock");
        const std::string cfg = root + "/train.yaml";
        testutil::writeText(cfg,
            "system: {device: cpu, num_workers: 1}\ndataset: shapes\n"
            "data: {train: 'shapes:64:1', val: 'shapes:32:1'}\nmodel: resnet18_cifar10\n"
            "optimization: {epochs: 1, batch_size: 32, max_steps_per_epoch: 1}\n");
        const std::string dir = root + "/run";
        RunLock held(dir);
        std::string out;
        const int rc = testutil::run(std::string(REPALIGN_CLI) + " train -q --config " + cfg + " --out " + dir, &out);
        QCOMPARE(rc, 1);
        QVERIFY2(
            out.find("in use by process " + std::to_string(::getpid()) + " on " + thisHost()) != std::string::npos, out.c_str());
        QVERIFY2(std::count(out.begin(), out.end(), '\n') == 1, out.c_str()); // one line
        QVERIFY(!fileExists(dir + "/metrics.csv"));
        QVERIFY(!fileExists(dir + "/status.json"));
    }

    void orphanedTempFilesAreRemoved()
    {
        const std::string dir = testutil::tempDir("orphans");
        const pid_t gone = ::fork();
        if (gone == 0)
            ::_exit(0);
        ::waitpid(gone, nullptr, 0);
        const std::string orphan = dir + "/last.pt.tmp-" + std::to_string(gone);
        const std::string mine = dir + "/status.json.tmp-" + std::to_string(::getpid());
        const std::string other = dir + "/notes.tmp-abc";
        for (const auto& f : {orphan, mine, other})
            testutil::writeText(f, "partial");
        const std::vector<std::string> removed = removeOrphanedTempFiles(dir);
        QCOMPARE(removed, std::vector<std::string> {orphan});
        QVERIFY(!fileExists(orphan));
        QVERIFY(fileExists(mine)); // a live process (this one) may still be writing it
        QVERIFY(fileExists(other)); // not one of ours
    }

    void runStateNamesRoundTrip()
    {
        // The on-disk spelling of every state, through toString/parseRunState and through status.json.
        const std::pair<RunState, const char*> all[]
            = {{RunState::Queued, "queued"}, {RunState::Running, "running"}, {RunState::Finished, "finished"},
                {RunState::Failed, "failed"}, {RunState::Cancelled, "cancelled"}, {RunState::Diverged, "diverged"}};
        const std::string dir = testutil::tempDir("states") + "/run";
        RunDir run(dir);
        for (const auto& [state, text] : all) {
            QCOMPARE(std::string(toString(state)), std::string(text));
            QCOMPARE(parseRunState(text), state);
            run.writeStatus(state, 0.5, "m");
            QVERIFY(readFileText(run.statusPath()).find(std::string("\"state\": \"") + text + "\"") != std::string::npos);
            QCOMPARE(readRunStatus(dir).state, state);
        }
        QCOMPARE(std::string(toString(RunState::Unknown)), std::string());
        for (const char* other : {"", "pending", "stopped", "Finished", "finished ", "paused"})
            QCOMPARE(parseRunState(other), RunState::Unknown);
        // A state this program does not know, or no status.json at all, reads as Unknown.
        writeFileAtomic(run.statusPath(), std::string("{\"state\": \"paused\", \"progress\": 0.25}"));
        QCOMPARE(readRunStatus(dir).state, RunState::Unknown);
        QCOMPARE(readRunStatus(dir).progress, 0.25);
        QCOMPARE(readRunStatus(dir + "/missing").state, RunState::Unknown);

        // Job statuses are the ended states, spelled by the same table, with one exit code each.
        const std::pair<JobStatus, int> codes[]
            = {{JobStatus::Finished, 0}, {JobStatus::Failed, 1}, {JobStatus::Diverged, 3}, {JobStatus::Cancelled, 130}};
        for (const auto& [status, code] : codes) {
            JobStatus back = JobStatus::Finished;
            QVERIFY(jobStatusOf(runStateOf(status), back));
            QCOMPARE(back, status);
            QCOMPARE(std::string(jobStatusName(status)), std::string(toString(runStateOf(status))));
            QVERIFY(parseJobStatus(jobStatusName(status), back));
            QCOMPARE(back, status);
            QCOMPARE(exitCodeForJobStatus(status), code);
            QCOMPARE(jobStatusForExitCode(code), status);
        }
        QCOMPARE(jobStatusForExitCode(143), JobStatus::Cancelled); // SIGTERM
        QCOMPARE(jobStatusForExitCode(137), JobStatus::Failed); // SIGKILL
        JobStatus none = JobStatus::Finished;
        for (RunState open : {RunState::Unknown, RunState::Queued, RunState::Running}) {
            QVERIFY(!jobStatusOf(open, none));
            QCOMPARE(isActive(open), open != RunState::Unknown);
        }
        QVERIFY(!isActive(RunState::Finished));
    }

    void studyStageNamesRoundTrip()
    {
        const std::pair<StudyStage, const char*> all[] = {{StudyStage::Train, "train"}, {StudyStage::Tune, "tune"},
            {StudyStage::Analyze, "analyze"}, {StudyStage::Behave, "behave"}};
        QCOMPARE(studyStages().size(), std::size(all));
        for (std::size_t i = 0; i < std::size(all); ++i) {
            const auto& [stage, text] = all[i];
            QCOMPARE(studyStages()[i], stage); // dependency order
            QCOMPARE(std::string(toString(stage)), std::string(text));
            StudyStage back = StudyStage::Behave;
            QVERIFY(parseStudyStage(text, back));
            QCOMPARE(back, stage);
        }
        StudyStage untouched = StudyStage::Tune;
        for (const char* other : {"", "compare", "Train", "analyse"})
            QVERIFY(!parseStudyStage(other, untouched));
        QCOMPARE(untouched, StudyStage::Tune);
    }

    void layoutNamesTheRunFiles()
    {
        const RunLayout l("/p/run");
        QCOMPARE(l.config(), std::string("/p/run/run.yaml"));
        QCOMPARE(l.metrics(), std::string("/p/run/metrics.csv"));
        QCOMPARE(l.status(), std::string("/p/run/status.json"));
        QCOMPARE(l.log(), std::string("/p/run/log.txt"));
        QCOMPARE(l.lock(), std::string("/p/run/job.lock"));
        QCOMPARE(l.lastCheckpoint(), std::string("/p/run/checkpoints/last.pt"));
        QCOMPARE(l.checkpoint(RunLayout::kBestAccCheckpoint), std::string("/p/run/checkpoints/best_acc.pt"));
        QCOMPARE(l.analysis("ii_layer4"), std::string("/p/run/analysis/ii_layer4.h5"));
        QCOMPARE(l.analysisFile(), std::string("/p/run/analysis.h5"));
        QCOMPARE(l.behaviourFile(), std::string("/p/run/behaviour.h5"));
        QCOMPARE(RunLayout::runOfCheckpoint(l.lastCheckpoint()), std::string("/p/run"));
        QCOMPARE(RunLayout::runOfAnalysis(l.analysis("x")), std::string("/p/run"));
    }

    void writeFaultHookFailsTheChosenWrites()
    {
        const std::string dir = testutil::tempDir("fault");
        setWriteFault(1, WriteFault::NoSpace, "target");
        writeFileAtomic(dir + "/target-1", std::string("a")); // the one write allowed
        writeFileAtomic(dir + "/other", std::string("b")); // other paths do not count
        try {
            writeFileAtomic(dir + "/target-2", std::string("c"));
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()) == "cannot write " + dir + "/target-2: No space left on device", e.what());
        }
        QVERIFY(!fileExists(dir + "/target-2"));
        // metrics.csv appends go through it too: a lost row is an error, not silence.
        RunDir run(dir + "/run");
        setWriteFault(1, WriteFault::NoSpace, "metrics.csv");
        run.appendMetric({1, 0.5, 0, "train", "loss", 1.0});
        QVERIFY_THROWS_EXCEPTION(Error, run.appendMetric({2, 1.0, 0, "train", "loss", 0.5}));
        setWriteFault(-1);
        writeFileAtomic(dir + "/target-3", std::string("d"));
        QCOMPARE(readFileText(dir + "/target-3"), std::string("d"));
    }
};

QTEST_GUILESS_MAIN(TestRunDir)
#include "test_rundir.moc"
