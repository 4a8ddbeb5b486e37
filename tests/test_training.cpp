// Baseline training: loss falls, resume is bit-for-bit, checkpoints survive an interrupted
// write, divergence and device errors.
#include "common/error.h"
#include "common/fsutil.h"
#include "run/checkpoint.h"
#include "run/config.h"
#include "run/rundir.h"
#include "testutil.h"
#include "train/trainer.h"

#include <QtTest>

#include <set>

#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace repalign;

namespace {

TrainConfig smallConfig(const std::string& model = "resnet18_cifar10")
{
    std::ostringstream y;
    y << "system: {device: cpu, num_workers: 2}\n"
      << "dataset: shapes\n"
      << "data: {train: 'shapes:320:1', val: 'shapes:64:1'}\n"
      << "train_transforms: {resize: -1, random_crop: {size: 32, padding: 4}, horizontal_flip: True,"
         " norm_mean: [0.4914, 0.4822, 0.4465], norm_std: [0.2470, 0.2435, 0.2616]}\n"
      << "val_transforms: {resize: -1, random_crop: {}, horizontal_flip: False,"
         " norm_mean: [0.4914, 0.4822, 0.4465], norm_std: [0.2470, 0.2435, 0.2616]}\n"
      << "model: " << model << "\n"
      << "optimization: {epochs: 3, batch_size: 32, max_steps_per_epoch: 8, optimizer: sgd,"
         " optimizer_params: {lr: 0.02, momentum: 0.9, weight_decay: 0.0005, nesterov: True},"
         " lr_scheduling: linear_warmup_cosine_decay,"
         " lr_scheduling_params: {warmup_start_lr: 0.001, base_lr: 0.02, warmup_steps: 0.5, max_steps: 3, eta_min: 0.0001}}\n"
      << "seed: 11\n";
    return parseTrainConfig(y.str(), "test.yaml");
}

/// Cancels the job once it reaches a given global step.
class CancelAt : public ProgressSink {
public:
    CancelAt(CancelToken& token, int epoch, std::int64_t stepInEpoch)
        : m_token(token)
        , m_epoch(epoch)
        , m_step(stepInEpoch)
    {
    }
    void progress(const ProgressEvent& e) override
    {
        if (e.phase == "train" && e.epoch == m_epoch && e.done == m_step)
            m_token.cancel();
    }

private:
    CancelToken& m_token;
    int m_epoch;
    std::int64_t m_step;
};

std::vector<std::string> metricValues(const std::string& runDir)
{
    // step, split, name, value (wall time differs between runs by design)
    std::vector<std::string> out;
    MetricsReader r(runDir + "/metrics.csv");
    for (const auto& row : r.poll()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.9g", row.value);
        out.push_back(std::to_string(row.step) + "," + row.split + "," + row.name + "," + buf);
    }
    return out;
}

/// Holds the job at the first step of epoch @p epoch until release() (a job that is running).
class HoldAt : public ProgressSink {
public:
    explicit HoldAt(int epoch)
        : m_epoch(epoch)
    {
    }
    void progress(const ProgressEvent& e) override
    {
        if (e.phase != "train" || e.epoch != m_epoch || e.done != 1)
            return;
        std::unique_lock<std::mutex> lock(m_mutex);
        m_holding = true;
        m_cv.notify_all();
        m_cv.wait(lock, [this] { return m_released; });
    }
    void waitUntilHeld()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [this] { return m_holding; });
    }
    void release()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_released = true;
        m_cv.notify_all();
    }

private:
    int m_epoch;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_holding = false, m_released = false;
};

/// Cancels with a reason once validation of epoch @p epoch starts (as SIGINT would).
class CancelInValidation : public ProgressSink {
public:
    CancelInValidation(CancelToken& token, int epoch)
        : m_token(token)
        , m_epoch(epoch)
    {
    }
    void progress(const ProgressEvent& e) override
    {
        if (e.phase == "val" && e.epoch == m_epoch)
            m_token.cancel("cancelled by signal");
    }

private:
    CancelToken& m_token;
    int m_epoch;
};

bool allFinite(const Checkpoint& ck)
{
    for (const auto& [n, t] : ck.stateDict)
        if (t.is_floating_point() && !torch::isfinite(t).all().item<bool>())
            return false;
    return true;
}

std::string shellQuote(const std::string& s)
{
    return "'" + s + "'";
}

} // namespace

class TestTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lossFallsAndRunDirIsComplete()
    {
        const std::string dir = testutil::tempDir("train");
        TrainConfig cfg = smallConfig();
        NullSink sink;
        CancelToken cancel;
        TrainResult r = TrainJob(cfg, dir).run(sink, cancel);
        QCOMPARE(r.status, JobStatus::Finished);
        QCOMPARE(r.steps, std::int64_t(24));
        for (const char* f : {"run.yaml", "metrics.csv", "status.json", "log.txt", "checkpoints/last.pt",
                 "checkpoints/best_loss.pt", "checkpoints/best_acc.pt"})
            QVERIFY2(fileExists(dir + "/" + f), f);
        QCOMPARE(readRunStatus(dir).state, RunState::Finished);
        // run.yaml is a config the CLI accepts (reference schema + extensions).
        TrainConfig again = loadTrainConfig(dir + "/run.yaml");
        QCOMPARE(again.model, cfg.model);
        QCOMPARE(again.seed, cfg.seed);
        std::vector<double> epochLoss, lrs;
        int lrRows = 0;
        MetricsReader reader(dir + "/metrics.csv");
        for (const auto& row : reader.poll()) {
            if (row.split == "train" && row.name == "epoch_loss")
                epochLoss.push_back(row.value);
            if (row.name == "lr") {
                ++lrRows;
                lrs.push_back(row.value);
            }
        }
        QCOMPARE(lrRows, 24);
        // first_step_lr: reference: the first step at optimizer_params.lr (0.02), not the warm-up's
        // 0.001; the second at the warm-up's value for step 1, W = round(0.5 * 8) = 4:
        // 0.001 + 1 * (0.02 - 0.001) / (4 - 1).
        QCOMPARE(lrs[0], 0.02);
        QVERIFY(std::abs(lrs[1] - (0.001 + 0.019 / 3.0)) < 1e-9); // metrics.csv keeps 9 digits
        QCOMPARE(epochLoss.size(), std::size_t(3));
        QVERIFY2(epochLoss.back() < epochLoss.front() * 0.9,
            qPrintable(QStringLiteral("epoch losses %1 -> %2").arg(epochLoss.front()).arg(epochLoss.back())));
        // The checkpoint holds what the program needs to continue and to evaluate.
        Checkpoint ck = loadCheckpoint(dir + "/checkpoints/last.pt");
        QCOMPARE(ck.model, std::string("resnet18_cifar10"));
        QCOMPARE(ck.epoch, std::int64_t(3));
        QCOMPARE(ck.globalStep, std::int64_t(24));
        QCOMPARE(ck.stateDict.size(), std::size_t(122));
        QCOMPARE(ck.optimizerState.size(), std::size_t(62)); // a momentum buffer per parameter
        TapNet net = modelFromCheckpoint(ck, "", dir);
        QVERIFY(net);
        // A second train into the same folder is refused (nothing is overwritten).
        QVERIFY_THROWS_EXCEPTION(Error, TrainJob(cfg, dir).run(sink, cancel));
    }

    void resumeIsBitForBit()
    {
        TrainConfig cfg = smallConfig();
        cfg.epochs = 2;
        cfg.schedule.maxEpochs = 2;
        NullSink none;
        CancelToken c0;
        const std::string full = testutil::tempDir("full");
        QCOMPARE(TrainJob(cfg, full).run(none, c0).status, JobStatus::Finished);

        // Cancel mid-epoch 2, then resume.
        const std::string part = testutil::tempDir("part");
        CancelToken c1;
        CancelAt stopper(c1, 2, 3);
        TrainResult r1 = TrainJob(cfg, part).run(stopper, c1);
        QCOMPARE(r1.status, JobStatus::Cancelled);
        QCOMPARE(readRunStatus(part).state, RunState::Cancelled);
        CancelToken c2;
        TrainResult r2 = TrainJob(cfg, part, /*resume=*/true).run(none, c2);
        QCOMPARE(r2.status, JobStatus::Finished);
        QCOMPARE(metricValues(part), metricValues(full));
        Checkpoint a = loadCheckpoint(full + "/checkpoints/last.pt");
        Checkpoint b = loadCheckpoint(part + "/checkpoints/last.pt");
        for (const auto& [name, t] : a.stateDict)
            QVERIFY2(torch::equal(t, b.stateDict.at(name)), name.c_str());
    }

    void crashAfterCheckpointTruncatesMetrics()
    {
        // A crash after last.pt leaves metric rows past it; --resume drops them and redoes the work.
        TrainConfig cfg = smallConfig();
        cfg.epochs = 2;
        cfg.schedule.maxEpochs = 2;
        const std::string dir = testutil::tempDir("crash");
        NullSink none;
        CancelToken c;
        TrainJob(cfg, dir).run(none, c);
        std::vector<std::string> done = metricValues(dir);
        std::filesystem::copy_file(dir + "/checkpoints/last.pt", dir + "/final.pt");
        // Pretend the process died after epoch 1: put epoch 1's state back as last.pt.
        Checkpoint ck = loadCheckpoint(dir + "/checkpoints/best_loss.pt");
        if (ck.epoch != 1)
            QSKIP("best_loss.pt is not from epoch 1 in this run");
        std::filesystem::copy_file(
            dir + "/checkpoints/best_loss.pt", dir + "/checkpoints/last.pt", std::filesystem::copy_options::overwrite_existing);
        RunDir(dir).writeStatus(RunState::Running, 0.5, "killed");
        QCOMPARE(TrainJob(cfg, dir, true).run(none, c).status, JobStatus::Finished);
        QCOMPARE(metricValues(dir), done);
    }

    void interruptedCheckpointWriteKeepsPrevious()
    {
        const std::string dir = testutil::tempDir("atomic");
        const std::string path = dir + "/last.pt";
        Checkpoint ck;
        ck.model = "resnet18_cifar10";
        ck.epoch = 7;
        ck.stateDict["w"] = torch::arange(10, torch::kFloat32);
        saveCheckpoint(path, ck);
        const auto before = readFileBytes(path);
        // A child process starts replacing it with a large file and is killed part-way.
        pid_t pid = ::fork();
        if (pid == 0) {
            std::string big(512u << 20, 'x');
            writeFileAtomic(path, big);
            ::_exit(0);
        }
        const std::string tmp = path + ".tmp-" + std::to_string(pid);
        for (int i = 0; i < 2000; ++i) {
            std::error_code ec;
            if (std::filesystem::exists(tmp, ec) && std::filesystem::file_size(tmp, ec) > (1u << 20))
                break;
            ::usleep(1000);
        }
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        QVERIFY(WIFSIGNALED(status)); // it really was interrupted
        QVERIFY(readFileBytes(path) == before);
        Checkpoint back = loadCheckpoint(path);
        QCOMPARE(back.epoch, std::int64_t(7));
        QVERIFY(torch::equal(back.stateDict.at("w"), ck.stateDict.at("w")));
    }

    void divergenceStopsAndKeepsLastGood()
    {
        TrainConfig cfg = smallConfig();
        cfg.epochs = 2;
        cfg.schedule.type = "constant";
        cfg.optimizer.lr = 1e12;
        cfg.optimizer.momentum = 0.0;
        cfg.optimizer.nesterov = false;
        const std::string dir = testutil::tempDir("diverge");
        NullSink none;
        CancelToken c;
        TrainResult r = TrainJob(cfg, dir).run(none, c);
        QCOMPARE(r.status, JobStatus::Diverged);
        QCOMPARE(readRunStatus(dir).state, RunState::Diverged);
        QVERIFY(QString::fromStdString(readRunStatus(dir).message).contains(QStringLiteral("NaN"))
            || QString::fromStdString(readRunStatus(dir).message).contains(QStringLiteral("Inf")));
    }

    void secondJobOnALockedRunDirectoryFails()
    {
        TrainConfig cfg = smallConfig();
        cfg.epochs = 2;
        cfg.schedule.maxEpochs = 2;
        const std::string dir = testutil::tempDir("twojobs");
        HoldAt hold(2); // epoch 1 is done (last.pt exists), the job is in epoch 2
        CancelToken c1;
        TrainResult first;
        std::thread worker([&] { first = TrainJob(cfg, dir).run(hold, c1); });
        hold.waitUntilHeld();
        NullSink none;
        CancelToken c2;
        std::string err;
        for (bool resume : {true, false}) {
            try {
                TrainJob(cfg, dir, resume).run(none, c2);
                err.clear();
            } catch (const Error& e) {
                err = e.what();
            }
            QVERIFY2(err.find("is in use by process " + std::to_string(::getpid())) != std::string::npos, err.c_str());
        }
        RunLockHolder holder;
        QVERIFY(runLockHolder(dir, holder) && holder.isThisProcess());
        hold.release();
        worker.join();
        QCOMPARE(first.status, JobStatus::Finished);
        QVERIFY(!runLockHolder(dir, holder));
        // metrics.csv has each step once (nothing interleaved).
        std::vector<std::string> rows = metricValues(dir);
        std::set<std::string> unique(rows.begin(), rows.end());
        QCOMPARE(unique.size(), rows.size());
    }

    void nanValidationLossInEpochOneDiverges()
    {
        TrainConfig cfg = smallConfig();
        cfg.epochs = 2;
        cfg.schedule.maxEpochs = 2;
        cfg.valTransforms.std = {{0.0, 0.0, 0.0}}; // (x - mean) / 0: NaN/Inf logits in validation only
        const std::string dir = testutil::tempDir("nanval");
        NullSink none;
        CancelToken c;
        const TrainResult r = TrainJob(cfg, dir).run(none, c);
        QCOMPARE(r.status, JobStatus::Diverged);
        const RunStatus st = readRunStatus(dir);
        QCOMPARE(st.state, RunState::Diverged);
        QVERIFY2(st.message.find("validation loss became NaN after epoch 1") != std::string::npos, st.message.c_str());
        QVERIFY2(st.message.find("no checkpoint kept") != std::string::npos, st.message.c_str());
        QVERIFY(std::filesystem::is_empty(dir + "/checkpoints"));
        QCOMPARE(r.epochsDone, 0);
    }

    void hugeConstantLearningRateSaysWhatWasKept()
    {
        TrainConfig cfg = smallConfig();
        cfg.epochs = 2;
        cfg.schedule.type = "constant";
        cfg.optimizer.lr = 1e6;
        const std::string dir = testutil::tempDir("lr1e6");
        NullSink none;
        CancelToken c;
        const TrainResult r = TrainJob(cfg, dir).run(none, c);
        QCOMPARE(r.status, JobStatus::Diverged);
        const RunStatus st = readRunStatus(dir);
        QCOMPARE(st.state, RunState::Diverged);
        const std::string last = dir + "/checkpoints/last.pt";
        if (fileExists(last)) {
            QVERIFY2(st.message.find("kept " + last) != std::string::npos, st.message.c_str());
        } else {
            QVERIFY2(st.message.find("no checkpoint kept") != std::string::npos, st.message.c_str());
            QVERIFY(st.message.find("last good checkpoint kept") == std::string::npos);
        }
        // Whatever was kept holds finite weights.
        for (const auto& e : std::filesystem::directory_iterator(dir + "/checkpoints"))
            QVERIFY2(allFinite(loadCheckpoint(e.path().string())), e.path().c_str());
    }

    void missingBestCheckpointIsRecreatedOnResume()
    {
        // An older version wrote last.pt before best_*.pt; a kill in between lost them.
        TrainConfig cfg = smallConfig();
        cfg.epochs = 1;
        cfg.schedule.maxEpochs = 1;
        const std::string dir = testutil::tempDir("bestlost");
        NullSink none;
        CancelToken c;
        QCOMPARE(TrainJob(cfg, dir).run(none, c).status, JobStatus::Finished);
        const auto last = readFileBytes(dir + "/checkpoints/last.pt");
        QVERIFY(readFileBytes(dir + "/checkpoints/best_acc.pt") == last); // epoch 1 is the best
        std::filesystem::remove(dir + "/checkpoints/best_acc.pt");
        std::filesystem::remove(dir + "/checkpoints/best_loss.pt");
        QCOMPARE(TrainJob(cfg, dir, true).run(none, c).status, JobStatus::Finished);
        QVERIFY(fileExists(dir + "/checkpoints/best_acc.pt"));
        QVERIFY(readFileBytes(dir + "/checkpoints/best_acc.pt") == last);
        QVERIFY(readFileBytes(dir + "/checkpoints/best_loss.pt") == last);
    }

    void killBetweenCheckpointWritesResumesExactly()
    {
        if (!QFile::exists(QStringLiteral(REPALIGN_CLI)))
            QSKIP("repalign-cli not built");
        const std::string root = testutil::tempDir("kill");
        const std::string cfgPath = root + "/train.yaml";
        TrainConfig cfg = smallConfig();
        cfg.epochs = 2;
        cfg.schedule.maxEpochs = 2;
        testutil::writeText(cfgPath, trainConfigToYaml(cfg));
        const std::string cli = REPALIGN_CLI;
        std::string out;
        QCOMPARE(
            testutil::run(cli + " train -q --config " + shellQuote(cfgPath) + " --out " + shellQuote(root + "/full"), &out), 0);
        // The process dies while writing epoch 2's last.pt, after epoch 2's best-* files.
        const std::string dir = root + "/killed";
        const int rc = testutil::run("REPALIGN_FAULT=exit REPALIGN_FAULT_PATH=last.pt REPALIGN_FAULT_AFTER_WRITES=1 " + cli
                + " train -q --config " + shellQuote(cfgPath) + " --out " + shellQuote(dir),
            &out);
        QCOMPARE(rc, 86);
        QCOMPARE(loadCheckpoint(dir + "/checkpoints/last.pt").epoch, std::int64_t(1)); // the previous one survived
        bool orphan = false;
        for (const auto& e : std::filesystem::directory_iterator(dir + "/checkpoints"))
            orphan |= e.path().filename().string().find("last.pt.tmp-") == 0;
        QVERIFY(orphan);
        QCOMPARE(
            testutil::run(cli + " train -q --resume --config " + shellQuote(cfgPath) + " --out " + shellQuote(dir), &out), 0);
        QCOMPARE(metricValues(dir), metricValues(root + "/full"));
        for (const auto& e : std::filesystem::directory_iterator(dir + "/checkpoints")) {
            const std::string name = e.path().filename().string();
            QVERIFY2(name.find(".tmp-") == std::string::npos, name.c_str()); // the orphan is gone
            const Checkpoint a = loadCheckpoint(root + "/full/checkpoints/" + name), b = loadCheckpoint(e.path().string());
            QCOMPARE(b.epoch, a.epoch);
            for (const auto& [n, t] : a.stateDict)
                QVERIFY2(torch::equal(t, b.stateDict.at(n)), (name + " " + n).c_str());
        }
        QCOMPARE(std::distance(std::filesystem::directory_iterator(dir + "/checkpoints"), {}),
            std::distance(std::filesystem::directory_iterator(root + "/full/checkpoints"), {}));
    }

    void fullDiskFailsTheRunAndSaysSo()
    {
        TrainConfig cfg = smallConfig();
        cfg.epochs = 1;
        cfg.schedule.maxEpochs = 1;
        NullSink none;
        CancelToken c;
        // The first checkpoint does not fit.
        const std::string dir = testutil::tempDir("full");
        setWriteFault(0, WriteFault::NoSpace, "/checkpoints/");
        const TrainResult r = TrainJob(cfg, dir).run(none, c);
        setWriteFault(-1);
        QCOMPARE(r.status, JobStatus::Failed);
        const RunStatus st = readRunStatus(dir);
        QCOMPARE(st.state, RunState::Failed);
        QVERIFY2(st.message.find("No space left on device") != std::string::npos, st.message.c_str());
        const std::string log = testutil::readText(dir + "/log.txt");
        QVERIFY2(log.find("failed: cannot write " + dir + "/checkpoints/") != std::string::npos, log.c_str());
        // A metrics.csv row that cannot be written stops the run too (rows are not lost silently).
        const std::string dir2 = testutil::tempDir("fullcsv");
        setWriteFault(5, WriteFault::NoSpace, "metrics.csv");
        const TrainResult r2 = TrainJob(cfg, dir2).run(none, c);
        setWriteFault(-1);
        QCOMPARE(r2.status, JobStatus::Failed);
        const RunStatus st2 = readRunStatus(dir2);
        QCOMPARE(st2.state, RunState::Failed);
        QVERIFY2(st2.message.find("cannot write " + dir2 + "/metrics.csv") != std::string::npos, st2.message.c_str());
        QCOMPARE(metricValues(dir2).size(), std::size_t(5));
    }

    void cancelDuringValidationGivesTheReason()
    {
        TrainConfig cfg = smallConfig();
        cfg.epochs = 2;
        cfg.schedule.maxEpochs = 2;
        const std::string dir = testutil::tempDir("valcancel");
        CancelToken c;
        CancelInValidation sink(c, 1);
        const TrainResult r = TrainJob(cfg, dir).run(sink, c);
        QCOMPARE(r.status, JobStatus::Cancelled);
        const RunStatus st = readRunStatus(dir);
        QCOMPARE(st.state, RunState::Cancelled);
        QVERIFY2(st.message.find("cancelled by signal during validation of epoch 1") != std::string::npos, st.message.c_str());
        QVERIFY2(r.message.find("cancelled by signal") != std::string::npos, r.message.c_str());
        // The epoch's training was kept: the resumed run validates it and goes on.
        CancelToken c2;
        NullSink none;
        QCOMPARE(TrainJob(cfg, dir, true).run(none, c2).status, JobStatus::Finished);
    }

    void cudaWithoutCudaFailsFirst()
    {
        TrainConfig cfg = smallConfig();
        cfg.device = "cuda";
        const std::string dir = testutil::tempDir("cuda") + "/run";
        NullSink none;
        CancelToken c;
        if (torch::cuda::is_available())
            QSKIP("this machine has CUDA");
        try {
            TrainJob(cfg, dir).run(none, c);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("valid here: cpu")), e.what());
        }
        QVERIFY(!std::filesystem::exists(dir)); // nothing written
        cfg.device = "cpu";
        cfg.precision = "fp16"; // bf16 runs on the CPU (tests/test_precision.cpp); fp16 needs CUDA
        try {
            TrainJob(cfg, dir).run(none, c);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("'fp16' needs a CUDA device")), e.what());
        }
        QVERIFY(!std::filesystem::exists(dir));
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
