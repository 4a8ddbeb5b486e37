// Studies: plan expansion (cross, zip, shared baselines, stable names), bad grids with one-line
// errors, the Holm correction against hand-computed values, and the local runner on a
// 4-condition study of tiny runs (resume skips what finished).
#include "common/error.h"
#include "common/fsutil.h"
#include "common/text.h"
#include "data/virtual_cortex.h"
#include "pipeline/study.h"
#include "run/analyze_config.h"
#include "run/config.h"
#include "run/rundir.h"
#include "run/tune_config.h"
#include "testutil.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <functional>

#include <unistd.h>

using namespace repalign;

namespace {

std::vector<std::string> names(const StudyPlan& p, StudyStage stage)
{
    std::vector<std::string> out;
    for (const StudyRun* r : p.stage(stage))
        out.push_back(r->name);
    return out;
}

std::string writeText(const std::string& path, const std::string& text)
{
    testutil::writeText(path, text);
    return path;
}

std::string errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

/// A tiny study: ResNet-18 on a few shapes images, one or two steps per stage.
std::string tinyStudy(const std::string& bundle, const std::string& grid, const std::string& extra = {})
{
    return "name: tiny\n"
           "train:\n"
           "  dataset: shapes\n"
           "  data: {train: \"shapes:64:1\", val: \"shapes:32:2\"}\n"
           "  model: resnet18_cifar10\n"
           "  system: {num_workers: 1}\n"
           "  optimization: {epochs: 1, batch_size: 16, max_steps_per_epoch: 2}\n"
           "tune:\n"
           "  bundle: "
        + bundle
        + "\n"
          "  rois: [V4]\n"
          "  classification_val: none\n"
          "  system: {num_workers: 1}\n"
          "  optimization: {epochs: 1, batch_size: 16, max_steps_per_epoch: 2}\n"
          "analyze:\n"
          "  data: \"shapes:32:3\"\n"
          "  layer: layer1\n"
          "  k: 2\n"
          "  lpips_weights: \"random:0\"\n"
          "  lpips_resize: 0\n"
          "  batch_size: 32\n"
        + grid + extra;
}

} // namespace

class TestStudy : public QObject {
    Q_OBJECT
    std::string m_dir, m_bundle;

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = testutil::tempDir("study");
        SynthOptions o;
        o.data = "shapes:120:11";
        o.rois = {"V4"};
        o.voxels = 16;
        o.noiseSd = 0.5;
        m_bundle = m_dir + "/vc.h5";
        NullSink sink;
        CancelToken cancel;
        synthesizeBundleFile(o, m_bundle, sink, cancel);
    }

    void crossSharesBaselines()
    {
        const StudyPlan p = parseStudy(
            tinyStudy(m_bundle, "grid:\n  tune.alpha: [0, 0.5]\n  seed: [0, 1]\n"), m_dir + "/s.yaml", m_dir + "/out");
        QCOMPARE(names(p, StudyStage::Train), (std::vector<std::string> {"train-s0", "train-s1"}));
        QCOMPARE(names(p, StudyStage::Tune),
            (std::vector<std::string> {"tune-alpha0-s0", "tune-alpha0-s1", "tune-alpha0.5-s0", "tune-alpha0.5-s1"}));
        const auto an = names(p, StudyStage::Analyze);
        QCOMPARE(an.size(), std::size_t(6));
        QCOMPARE(an.front(), std::string("analyze-train-s0"));
        QVERIFY(std::find(an.begin(), an.end(), "analyze-tune-alpha0.5-s1") != an.end());
        // Dependency order: every run comes after what it depends on.
        for (std::size_t i = 0; i < p.runs.size(); ++i)
            for (const auto& d : p.runs[i].dependsOn) {
                std::size_t j = 0;
                while (p.runs[j].name != d)
                    ++j;
                QVERIFY2(j < i, (p.runs[i].name + " before " + d).c_str());
            }
        const StudyRun* t = p.find("tune-alpha0.5-s1");
        QVERIFY(t);
        QCOMPARE(t->dependsOn, std::vector<std::string> {"train-s1"});
        const TuneConfig tc = parseTuneConfig(t->config, "t");
        QCOMPARE(tc.alpha, 0.5);
        QCOMPARE(tc.seed, std::uint64_t(1));
        QCOMPARE(tc.baseCheckpoint, p.studyDir + "/runs/train-s1/checkpoints/best_acc.pt");
        QCOMPARE(parseTrainConfig(p.find("train-s1")->config, "t").seed, std::uint64_t(1));
        const StudyRun* a = p.find("analyze-tune-alpha0.5-s1");
        QCOMPARE(a->baselineAnalysis, std::string("analyze-train-s1"));
        const AnalyzeOptions ao = parseAnalyzeConfig(a->config, "a");
        QCOMPARE(ao.checkpoint, p.studyDir + "/runs/tune-alpha0.5-s1/checkpoints/best_r.pt");
        QCOMPARE(ao.layer, std::string("layer1"));
        QCOMPARE(a->axisValue("tune.alpha"), std::string("0.5"));
    }

    void stableReadableNames()
    {
        const StudyPlan p = parseStudy(
            tinyStudy(m_bundle, "grid:\n  tune.alpha: [0.5]\n  tune.rois: [[V4], [V1, V4]]\n  tune.tap: [layer4]\n  seed: [1]\n"),
            m_dir + "/s.yaml", m_dir + "/out");
        QCOMPARE(names(p, StudyStage::Tune),
            (std::vector<std::string> {"tune-alpha0.5-V4-layer4-s1", "tune-alpha0.5-V1+V4-layer4-s1"}));
        // The same file gives the same plan.
        const StudyPlan q = parseStudy(p.sourceText, m_dir + "/s.yaml", m_dir + "/out");
        QCOMPARE(q.runs.size(), p.runs.size());
        for (std::size_t i = 0; i < p.runs.size(); ++i) {
            QCOMPARE(q.runs[i].name, p.runs[i].name);
            QCOMPARE(q.runs[i].config, p.runs[i].config);
        }
    }

    void zipAdvancesTogether()
    {
        const StudyPlan p = parseStudy(tinyStudy(m_bundle,
                                           "grid:\n  tune.alpha: [0, 1]\n  tune.tap: [layer3, layer4]\n  analyze.layer: [layer3, "
                                           "layer4]\nzip:\n  - [tune.tap, analyze.layer]\n"),
            m_dir + "/s.yaml", m_dir + "/out");
        QCOMPARE(names(p, StudyStage::Train), std::vector<std::string> {"train"});
        QCOMPARE(p.stage(StudyStage::Tune).size(), std::size_t(4)); // 2 alphas x 2 zipped (not 2 x 2 x 2)
        // Baseline analysed once per analysis layer; each tuned model at its own tap's layer.
        QCOMPARE(p.stage(StudyStage::Analyze).size(), std::size_t(2 + 4));
        for (const StudyRun* a : p.stage(StudyStage::Analyze)) {
            if (a->model == "train")
                continue;
            const StudyRun* t = p.find(a->model);
            QCOMPARE(parseTuneConfig(t->config, "t").tap, parseAnalyzeConfig(a->config, "a").layer);
            QCOMPARE(p.find(a->baselineAnalysis)->model, std::string("train"));
            QCOMPARE(
                parseAnalyzeConfig(p.find(a->baselineAnalysis)->config, "a").layer, parseAnalyzeConfig(a->config, "a").layer);
        }
        // Crossed, the same axes give 8 tuned models... of which only tap varies the tuning: 4.
        const StudyPlan c = parseStudy(
            tinyStudy(m_bundle, "grid:\n  tune.alpha: [0, 1]\n  tune.tap: [layer3, layer4]\n  analyze.layer: [layer3, layer4]\n"),
            m_dir + "/s.yaml", m_dir + "/out");
        QCOMPARE(c.stage(StudyStage::Tune).size(), std::size_t(4));
        QCOMPARE(c.stage(StudyStage::Analyze).size(), std::size_t(2 + 8));
    }

    void badGridsFailBeforeAnyWork()
    {
        const std::string out = m_dir + "/bad";
        struct Case {
            std::string grid, mustContain;
        };
        const std::vector<Case> cases {
            {"grid:\n  tune.alpah: [0, 1]\n", "axis 'tune.alpah' value 0"},
            {"grid:\n  tune.alpah: [0, 1]\n", "alpah"},
            {"grid:\n  tune.alpha: [0, -1]\n", "axis 'tune.alpha' value -1"},
            {"grid:\n  tune.alpha: []\n", "axis 'tune.alpha' is empty"},
            {"grid:\n  foo.bar: [1]\n", "axis 'foo.bar' is not a key path"},
            {"grid:\n  tune.tap: [layer9]\n", "axis 'tune.tap' value layer9"},
            {"grid:\n  train.model: [resnet18_cifar10, nosuchnet]\n", "axis 'train.model' value nosuchnet"},
            {"grid:\n  analyze.layer: [layer1, nolayer]\n", "axis 'analyze.layer' value nolayer"},
            {"grid:\n  tune.alpha: 0.5\n", "axis 'tune.alpha' must be a list"},
            {"grid:\n  tune.alpha: [0, 1]\n  seed: [0]\nzip: [[tune.alpha, seed]]\n", "must have the same length"},
            {"grid:\n  tune.alpha: [1, 1]\n", "lists the value 1 twice"},
            {"grid:\n  tune.alpha: [0]\nzip: [[tune.alpha, seed]]\n", "zip names axis 'seed'"},
        };
        for (const Case& c : cases) {
            const std::string e = errorOf([&] { parseStudy(tinyStudy(m_bundle, c.grid), m_dir + "/s.yaml", out); });
            QVERIFY2(e.find(c.mustContain) != std::string::npos, (c.grid + " -> " + e).c_str());
            QVERIFY2(e.find('\n') == std::string::npos, e.c_str());
        }
        // A tune axis without a tune block.
        const std::string noTune = "train: {dataset: shapes, data: {train: \"shapes:8\"}}\nanalyze: {data: \"shapes:8\"}\n"
                                   "grid:\n  tune.alpha: [0]\n";
        QVERIFY(errorOf([&] { parseStudy(noTune, m_dir + "/s.yaml", out); }).find("no 'tune' block") != std::string::npos);
        QVERIFY(!isDirectory(out)); // nothing was written
    }

    void holmMatchesHandComputedValues()
    {
        // m = 4, sorted 0.005 0.01 0.03 0.04 -> 4*0.005, 3*0.01, 2*0.03, max(1*0.04, 0.06).
        const auto a = holmAdjust({0.01, 0.04, 0.03, 0.005});
        const std::vector<double> expect {0.03, 0.06, 0.06, 0.02};
        QCOMPARE(a.size(), expect.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY2(std::abs(a[i] - expect[i]) < 1e-15, std::to_string(a[i]).c_str());
        const auto b = holmAdjust({0.5, 0.6});
        QCOMPARE(b[0], 1.0);
        QCOMPARE(b[1], 1.0);
        const auto c = holmAdjust({0.001});
        QCOMPARE(c[0], 0.001);
        QVERIFY(holmAdjust({}).empty());
    }

    void cliPlanAndBadGrid()
    {
        const std::string file = m_dir + "/cli-study.yaml";
        testutil::writeText(file, tinyStudy(m_bundle, "grid:\n  tune.alpha: [0, 1]\n"));
        std::string out;
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " study plan " + file + " --out " + m_dir + "/cli-out", &out), 0);
        QVERIFY2(out.find("tune-alpha1") != std::string::npos, out.c_str());
        QVERIFY2(out.find("6 runs: 1 train, 2 tune, 3 analyze") != std::string::npos, out.c_str());
        // Nothing has run here yet: every stage says so instead of guessing.
        for (const char* stage : {"train:   ", "tune:    ", "analyze: "})
            QVERIFY2(out.find(std::string("  ") + stage + "no estimate (no measured run yet)") != std::string::npos, out.c_str());
        testutil::writeText(file, tinyStudy(m_bundle, "grid:\n  tune.alpha: [0, -2]\n"));
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " study plan " + file, &out), 1);
        QVERIFY2(out.find("axis 'tune.alpha' value -2") != std::string::npos, out.c_str());
    }

    void localRunnerRunsAndResumes()
    {
        const std::string file = m_dir + "/run-study.yaml";
        testutil::writeText(file, tinyStudy(m_bundle, "grid:\n  tune.alpha: [0, 0.5, 1, 2]\n"));
        const std::string out = m_dir + "/run-out";
        const StudyPlan plan = loadStudy(file, out);
        QCOMPARE(plan.runs.size(), std::size_t(1 + 4 + 5));
        StudyRunOptions o;
        o.executable = REPALIGN_CLI;
        o.jobs = 2;
        o.threads = 2;
        NullSink sink;
        CancelToken cancel;
        const StudyRunSummary s = runStudy(plan, o, sink, cancel);
        if (s.status != JobStatus::Finished) {
            for (const auto& r : plan.runs)
                qWarning("%s: %s", r.name.c_str(), readRunStatus(plan.runDir(r.name)).message.c_str());
        }
        QCOMPARE(s.status, JobStatus::Finished);
        QCOMPARE(s.finished, 10);
        QCOMPARE(s.skipped, 0);
        for (const auto& st : studyStatus(readStudyFolder(out)))
            QVERIFY2(st.state == RunState::Finished, (st.name + ": " + st.stateText()).c_str());
        // The comparison: 5 rows, 4 tested against the baseline, Holm-corrected.
        QVERIFY(fileExists(out + "/comparison.csv"));
        const StudyTable t = compareStudy(readStudyFolder(out), "lpips");
        QCOMPARE(t.rows.size(), std::size_t(5));
        std::vector<double> p;
        for (const auto& r : t.rows) {
            if (r.stage == StudyStage::Tune) {
                QCOMPARE(r.baselineAnalysis, std::string("analyze-train"));
                QCOMPARE(r.test, std::string("Wilcoxon signed-rank"));
                QCOMPARE(r.values.size(), std::size_t(64)); // layer1 units
                QCOMPARE(r.rois.size(), std::size_t(1));
                p.push_back(r.p);
            }
        }
        QCOMPARE(p.size(), std::size_t(4));
        const auto adj = holmAdjust(p);
        std::size_t k = 0;
        for (const auto& r : t.rows)
            if (r.stage == StudyStage::Tune)
                QCOMPARE(r.pHolm, adj[k++]);
        const std::string csv = testutil::readText(out + "/comparison.csv");
        QVERIFY2(csv.find("Holm-Bonferroni") != std::string::npos, csv.c_str());
        QVERIFY2(csv.find("tune.alpha") != std::string::npos, csv.c_str());
        const auto points = studyFigurePoints(t, "tune.alpha", "");
        QCOMPARE(points.size(), std::size_t(4));
        for (const auto& pt : points)
            QVERIFY(pt.low <= pt.mean && pt.mean <= pt.high);

        // Re-running resumes: everything is skipped. An unfinished analysis runs again.
        writeFileAtomic(plan.runDir("analyze-tune-alpha1") + "/status.json", "{\"state\": \"running\"}\n");
        const StudyRunSummary again = runStudy(plan, o, sink, cancel);
        QCOMPARE(again.status, JobStatus::Finished);
        QCOMPARE(again.skipped, 9);
        QCOMPARE(again.finished, 1);

        // With finished runs in the folder, the plan estimates every stage from their images/s:
        // train and tune from metrics.csv (2 steps x 16 images per epoch), analyses from the
        // runner's timing of each analysis (32 shapes images).
        const StudyPlan next
            = loadStudy(writeText(m_dir + "/next-study.yaml", tinyStudy(m_bundle, "grid:\n  tune.alpha: [0, 3]\n")), out);
        const std::string text = formatStudyPlan(next);
        qInfo("%s", text.c_str());
        for (const char* stage : {"train:   ~", "tune:    ~", "analyze: ~"})
            QVERIFY2(text.find(std::string("  ") + stage) != std::string::npos, text.c_str());
        QVERIFY2(text.find("no estimate") == std::string::npos, text.c_str());
        QVERIFY2(text.find("resnet18_cifar10 ") != std::string::npos
                && text.find(" images/s (" + out + "/runs/tune-alpha") != std::string::npos,
            text.c_str());
        QVERIFY2(text.find("tune-alpha3  <- train  (~") != std::string::npos, text.c_str());
    }

    void slurmScriptWithSeveralTasksUsesSrun()
    {
        // --nodes 1 --tasks-per-node 2: train and tune conditions run as 2 ranks through srun,
        // analyses and the comparison stay one task without srun.
        const std::string file = writeText(m_dir + "/tasks-study.yaml", tinyStudy(m_bundle, "grid:\n  tune.alpha: [0, 1]\n"));
        const StudyPlan plan = loadStudy(file, m_dir + "/tasks-out");
        SlurmOptions o;
        o.executable = "/opt/repalign/bin/repalign-cli";
        o.nodes = 1;
        o.tasksPerNode = 2;
        o.cpusPerTask = 4;
        exportSlurm(plan, o);
        for (const char* stage : {"train", "tune"}) {
            const std::string text = testutil::readText(m_dir + "/tasks-out/slurm/" + stage + ".sbatch");
            QVERIFY2(
                text.find("#SBATCH --nodes=1\n#SBATCH --ntasks-per-node=2\n#SBATCH --cpus-per-task=4\n") != std::string::npos,
                text.c_str());
            QVERIFY2(text.find("exec srun --kill-on-bad-exit=1 /opt/repalign/bin/repalign-cli study exec " + m_dir
                         + "/tasks-out \"${RUNS[$SLURM_ARRAY_TASK_ID]}\" --threads \"${SLURM_CPUS_PER_TASK:-0}\"\n")
                    != std::string::npos,
                text.c_str());
            QVERIFY(text.find("--ntasks=1") == std::string::npos);
        }
        for (const char* stage : {"analyze", "compare"}) {
            const std::string text = testutil::readText(m_dir + "/tasks-out/slurm/" + stage + ".sbatch");
            QVERIFY2(text.find("#SBATCH --ntasks=1\n") != std::string::npos, text.c_str());
            QVERIFY2(text.find("srun") == std::string::npos && text.find("--ntasks-per-node") == std::string::npos
                    && text.find("--nodes") == std::string::npos,
                text.c_str());
            QVERIFY(text.find("exec /opt/repalign/bin/repalign-cli study ") != std::string::npos);
        }
        // One task: no srun, as before.
        o.tasksPerNode = 1;
        exportSlurm(plan, o);
        const std::string one = testutil::readText(m_dir + "/tasks-out/slurm/train.sbatch");
        QVERIFY2(one.find("exec /opt/repalign/bin/repalign-cli study exec") != std::string::npos, one.c_str());
        QVERIFY(one.find("srun") == std::string::npos);
    }

    void studyExecAsTwoRanks()
    {
        // What the srun line does, with the torchrun variables on this machine: two `study exec`
        // processes per condition are the 2 ranks of one data-parallel train, then tune, run;
        // rank 0 writes the run (status.json world_size 2).
        const std::string file = writeText(m_dir + "/ranks-study.yaml", tinyStudy(m_bundle, ""));
        const std::string out = m_dir + "/ranks-out";
        const StudyPlan plan = loadStudy(file, out);
        writeStudyFolder(plan);
        auto both = [&](const std::string& name) {
            std::string cmd = "cd " + m_dir + " && (";
            const std::string port = std::to_string(20000 + (::getpid() * 7 + static_cast<int>(name.size()) * 131) % 20000);
            for (int rank : {1, 0})
                cmd += "RANK=" + std::to_string(rank) + " LOCAL_RANK=" + std::to_string(rank)
                    + " WORLD_SIZE=2 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port + " " + REPALIGN_CLI
                    + " study exec " + out + " " + name + " --threads 1 > " + out + "/exec-" + name + "-" + std::to_string(rank)
                    + ".txt 2>&1 " + (rank == 1 ? "& " : "; r0=$?; wait $!; r1=$?; exit $((r0 + r1))");
            return testutil::run(cmd + ")");
        };
        for (const std::string name : {"train", "tune"}) {
            const int rc = both(name);
            std::string logs;
            testutil::run("tail -n 5 " + out + "/exec-* " + out + "/logs/*", &logs);
            QVERIFY2(rc == 0, (name + "\n" + logs).c_str());
            const RunStatus st = readRunStatus(plan.runDir(name));
            QVERIFY2(st.state == RunState::Finished, (name + ": " + toString(st.state) + "\n" + logs).c_str());
            QCOMPARE(st.worldSize, 2);
            QVERIFY(fileExists(plan.logPath(name) + ".rank1"));
        }
        // An analysis is rank 0's: another rank returns at once and starts nothing.
        std::string text;
        QCOMPARE(testutil::run("cd " + m_dir + " && RANK=1 LOCAL_RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=1 "
                         + REPALIGN_CLI + " study exec " + out + " analyze-tune 2>&1",
                     &text),
            0);
        QVERIFY2(text.find("analyze-tune: finished") != std::string::npos, text.c_str());
        QVERIFY(!isDirectory(plan.runDir("analyze-tune")));
        QVERIFY(!fileExists(plan.logPath("analyze-tune")));
    }

    void behaveStagePlannedValidatedAndRun()
    {
        const std::string behave = "behave:\n  data: \"shapes:16:4\"\n  max_images: 16\n  pgd: [\"linf:1,2\"]\n  pgd_steps: 2\n"
                                   "  pgd_images: 8\n  bootstrap: 10\n  batch_size: 16\n";
        const std::string file = writeText(m_dir + "/behave-study.yaml", tinyStudy(m_bundle, "", behave));
        const std::string out = m_dir + "/behave-out";
        const StudyPlan plan = loadStudy(file, out);
        QCOMPARE(names(plan, StudyStage::Behave), (std::vector<std::string> {"behave-train", "behave-tune"}));
        const StudyRun* bt = plan.find("behave-tune");
        QVERIFY(bt);
        QCOMPARE(bt->dependsOn, std::vector<std::string> {"tune"});
        QCOMPARE(bt->model, std::string("tune"));
        QCOMPARE(bt->baseline, std::string("train"));
        QVERIFY2(bt->config.find(plan.runDir("tune") + "/checkpoints/best_r.pt") != std::string::npos, bt->config.c_str());
        QVERIFY2(plan.find("behave-train")->config.find(plan.runDir("train") + "/checkpoints/best_acc.pt") != std::string::npos,
            plan.find("behave-train")->config.c_str());
        const auto argv = studyRunCommand(plan, *bt, "/bin/repalign-cli", 1);
        auto has = [&](const std::string& a, const std::string& b) {
            for (std::size_t i = 0; i + 1 < argv.size(); ++i)
                if (argv[i] == a && argv[i + 1] == b)
                    return true;
            return false;
        };
        QCOMPARE(argv[1], std::string("behave"));
        QVERIFY(has("--pgd", "linf:1,2"));
        QVERIFY(has("--out", plan.behaviourPath("behave-tune")));
        QVERIFY(has("--model", "resnet18_cifar10"));
        QVERIFY(has("--threads", "1"));

        // Bad behave options fail before any work, in one line naming the key.
        struct Case {
            std::string block, expect;
        };
        const std::vector<Case> cases {
            {"behave:\n  data: \"shapes:16:4\"\n  pgd: \"linf:\"\n", "pgd"},
            {"behave:\n  pgd: [\"linf:1\"]\n", "'data' is required"},
            {"behave:\n  data: \"shapes:16:4\"\n  colour: 1\n", "colour"},
            {"behave:\n  data: \"shapes:16:4\"\n  corruptions: nowhere-c\n", "does not exist"},
            {"behave:\n  data: \"shapes:16:4\"\ngrid:\n  behave.pgd_steps: [0]\n", "axis 'behave.pgd_steps' value 0"},
        };
        for (const auto& c : cases) {
            const std::string e = errorOf([&] { parseStudy(tinyStudy(m_bundle, "", c.block), m_dir + "/s.yaml", out); });
            QVERIFY2(e.find(c.expect) != std::string::npos, (c.block + " -> " + e).c_str());
            QVERIFY2(e.find('\n') == std::string::npos, e.c_str());
        }

        // SLURM: the behave conditions are a job array of their own.
        SlurmOptions so;
        so.executable = REPALIGN_CLI;
        const auto scripts = exportSlurm(plan, so);
        QVERIFY(std::find(scripts.begin(), scripts.end(), out + "/slurm/behave.sbatch") != scripts.end());
        QVERIFY(testutil::readText(out + "/slurm/submit.sh").find("behave.sbatch") != std::string::npos);

        // Run through the CLI's persistent worker: every condition in its own forked child.
        std::string text;
        const int rc
            = testutil::run(std::string(REPALIGN_CLI) + " study run " + file + " --out " + out + " --threads 1 2>&1", &text);
        std::string logs;
        testutil::run("tail -n 5 " + out + "/logs/*", &logs);
        QVERIFY2(rc == 0, (text + logs).c_str());
        QVERIFY2(text.find("study worker warmed up") != std::string::npos, text.c_str());
        for (const char* name : {"behave-train", "behave-tune"}) {
            QVERIFY(fileExists(plan.behaviourPath(name)));
            const RunStatus st = readRunStatus(plan.runDir(name));
            QCOMPARE(st.state, RunState::Finished);
            QVERIFY(testutil::readText(plan.runDir(name) + "/status.json").find("\"kind\": \"behave\"") != std::string::npos);
        }
        const StudyTable t = compareStudy(plan, "lpips");
        QCOMPARE(t.rows.size(), std::size_t(2));
        for (const auto& row : t.rows) {
            QVERIFY(row.behaviour.present);
            QVERIFY(row.behaviour.accuracy >= 0 && row.behaviour.accuracy <= 1);
            QCOMPARE(row.behaviour.pgd.size(), std::size_t(2));
        }
        const StudyRow& tuned = t.rows[1].stage == StudyStage::Tune ? t.rows[1] : t.rows[0];
        QCOMPARE(tuned.baselineBehaviour.run, std::string("behave-train"));
        const std::string csv = formatStudyTable(t, "csv");
        QVERIFY2(
            csv.find("clean acc,clean acc vs baseline,ECE,ECE vs baseline,PGD linf 1/255 acc") != std::string::npos, csv.c_str());
        const std::string table = formatStudyTable(t, "text");
        QVERIFY2(table.find("PGD linf 2/255 acc") != std::string::npos, table.c_str());
        // The tuned row shows its difference to the baseline in brackets.
        const std::string diff = strprintf(" (%+.4f)", tuned.behaviour.accuracy - tuned.baselineBehaviour.accuracy);
        QVERIFY2(table.find(diff) != std::string::npos, table.c_str());
    }

    void exampleStudiesPlan()
    {
        // The studies shipped in resources/studies plan as they are (their bundle need not exist yet).
        const std::string src = std::string(REPALIGN_SOURCE_DIR) + "/resources/studies/";
        const StudyPlan example = loadStudy(src + "example-study.yaml", m_dir + "/example-out");
        QCOMPARE(example.stage(StudyStage::Tune).size(), std::size_t(16));
        const StudyPlan p = loadStudy(src + "rehearsal-study.yaml", m_dir + "/rehearsal-out");
        QCOMPARE(names(p, StudyStage::Train), std::vector<std::string> {"train"});
        QCOMPARE(names(p, StudyStage::Tune),
            (std::vector<std::string> {
                "tune-weight0-alpha0.5", "tune-weight0-alpha1", "tune-weight0.5-alpha0.5", "tune-weight0.5-alpha1"}));
        QCOMPARE(p.stage(StudyStage::Analyze).size(), std::size_t(5));
        const TuneConfig off = parseTuneConfig(p.find("tune-weight0-alpha1")->config, "t");
        const TuneConfig on = parseTuneConfig(p.find("tune-weight0.5-alpha1")->config, "t");
        QCOMPARE(off.rehearsal.weight, 0.0);
        QCOMPARE(on.rehearsal.weight, 0.5);
        QCOMPARE(on.alpha, 1.0);
        QVERIFY(!on.rehearsal.data.empty());
    }
};

QTEST_GUILESS_MAIN(TestStudy)
#include "test_study.moc"
