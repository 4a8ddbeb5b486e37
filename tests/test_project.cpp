// What the Setup forms learn about a project (train/project.h): its runs and checkpoints, the
// checkpoint a run is fine-tuned or analysed from, the training speed earlier runs measured
// (the duration estimate), and the data `classification_val: auto` means. Also the analysis
// config (train/analyze_config.h) that `repalign-cli analyze --config` and the analysis form
// share, and the one demo project folder of the CLI, the GUI and ./workbench.
#include "testutil.h"

#include "common/error.h"
#include "common/paths.h"
#include "run/analyze_config.h"
#include "run/config.h"
#include "run/project.h"
#include "run/rundir.h"

#include <QtTest>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

using namespace repalign;
namespace fs = std::filesystem;

namespace {

void expectError(const std::function<void()>& f, const std::string& needle)
{
    try {
        f();
    } catch (const Error& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(needle) != std::string::npos, what.c_str());
        QVERIFY2(what.find('\n') == std::string::npos, what.c_str());
        return;
    }
    QFAIL(("no error, expected one containing: " + needle).c_str());
}

void touch(const std::string& path, const std::string& text = "x")
{
    fs::create_directories(fs::path(path).parent_path());
    testutil::writeText(path, text);
}

/// A train run folder: run.yaml (device, model, batch size, validation data) and metrics.csv
/// with @p steps train loss rows, one every @p secondsPerStep seconds from @p t0.
void writeTrainRun(const std::string& dir, const std::string& device, const std::string& model, int batch, int steps,
    double secondsPerStep, double t0, const std::string& val = "shapes:40:4")
{
    touch(dir + "/run.yaml",
        "system:\n  device: " + device + "\n  threads: 1\n\ndataset: shapes\ndata:\n  train: \"shapes:64:3\"\n  val: \"" + val
            + "\"\n\nmodel: " + model + "\n\noptimization:\n  epochs: 1\n  batch_size: " + std::to_string(batch)
            + "\n\nrun:\n  kind: train\n");
    RunDir run(dir);
    for (int s = 1; s <= steps; ++s)
        run.appendMetric({s, s / double(steps), t0 + s * secondsPerStep, "train", "loss", 1.0});
}

} // namespace

class TestProject : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // RunLayout names a run's files and never touches the disk; RunDir makes its folders.
    void runLayoutNamesWithoutCreating()
    {
        const std::string dir = testutil::tempDir("run-layout") + "/run";
        const RunLayout run(dir);
        QCOMPARE(QString::fromStdString(run.config()), QString::fromStdString(dir + "/run.yaml"));
        QCOMPARE(QString::fromStdString(run.metrics()), QString::fromStdString(dir + "/metrics.csv"));
        QCOMPARE(QString::fromStdString(run.status()), QString::fromStdString(dir + "/status.json"));
        QCOMPARE(QString::fromStdString(run.log()), QString::fromStdString(dir + "/log.txt"));
        QCOMPARE(QString::fromStdString(run.lock()), QString::fromStdString(dir + "/job.lock"));
        QCOMPARE(QString::fromStdString(run.checkpoint("best.pt")), QString::fromStdString(dir + "/checkpoints/best.pt"));
        QCOMPARE(QString::fromStdString(run.analysis("ii_layer4")), QString::fromStdString(dir + "/analysis/ii_layer4.h5"));
        QVERIFY(!std::filesystem::exists(dir));
        QCOMPARE(QString::fromStdString(RunLayout::runOfCheckpoint(run.checkpoint("last.pt"))), QString::fromStdString(dir));
        QCOMPARE(QString::fromStdString(RunLayout::runOfAnalysis(run.analysis("x"))), QString::fromStdString(dir));
        QCOMPARE(QString::fromStdString(RunLayout::runOfCheckpoint(run.analysis("x"))), QString());
        QCOMPARE(QString::fromStdString(RunLayout::runOfCheckpoint("checkpoints/a.pt")), QStringLiteral("."));
        QCOMPARE(QString::fromStdString(RunLayout::runOfCheckpoint("a.pt")), QString());

        RunDir made(dir);
        QCOMPARE(QString::fromStdString(made.layout().metrics()), QString::fromStdString(run.metrics()));
        QVERIFY(std::filesystem::is_directory(run.checkpoints()));
        QVERIFY(std::filesystem::is_directory(run.analysisDir()));
    }

    void runsAndCheckpoints()
    {
        const std::string p = testutil::tempDir("project-list");
        touch(p + "/baseline/status.json", "{}");
        touch(p + "/baseline/checkpoints/last.pt");
        touch(p + "/baseline/checkpoints/best_loss.pt");
        touch(p + "/baseline/checkpoints/best_acc.pt");
        touch(p + "/baseline/checkpoints/epoch_3.pth");
        touch(p + "/baseline/checkpoints/last.pt.tmp-123"); // not a checkpoint
        touch(p + "/runs/tuned/run.yaml", "run:\n  kind: tune\n");
        touch(p + "/runs/tuned/checkpoints/last.pt");
        touch(p + "/data/demo-cifar/test_batch.bin"); // not a run
        touch(p + "/empty-run/metrics.csv", "");
        const std::vector<std::string> runs = listProjectRuns(p);
        QCOMPARE(runs, (std::vector<std::string> {p + "/baseline", p + "/empty-run", p + "/runs/tuned"}));
        const std::vector<ProjectCheckpoint> list = listProjectCheckpoints(p);
        QCOMPARE(list.size(), std::size_t(5));
        // Each run's preferred checkpoint first, then the others by name.
        QCOMPARE(list[0].run, std::string("baseline"));
        QCOMPARE(list[0].file, std::string("best_acc.pt"));
        QCOMPARE(list[0].path, p + "/baseline/checkpoints/best_acc.pt");
        QCOMPARE(list[1].file, std::string("best_loss.pt"));
        QCOMPARE(list[2].file, std::string("last.pt"));
        QCOMPARE(list[3].file, std::string("epoch_3.pth"));
        QCOMPARE(list[4].run, std::string("runs/tuned"));
        QCOMPARE(list[4].runDir, p + "/runs/tuned");
        QCOMPARE(preferredCheckpoint(p + "/baseline"), p + "/baseline/checkpoints/best_acc.pt");
        QCOMPARE(preferredCheckpoint(p + "/runs/tuned"), p + "/runs/tuned/checkpoints/last.pt");
        QCOMPARE(preferredCheckpoint(p + "/empty-run"), std::string());
        QVERIFY(listProjectCheckpoints(p + "/does-not-exist").empty());
    }

    void measuredSpeedAndEstimate()
    {
        const std::string p = testutil::tempDir("project-speed");
        TrainConfig c = parseTrainConfig(
            "dataset: shapes\ndata: {train: \"shapes:1000:1\", val: \"shapes:100:2\"}\nmodel: resnet18_cifar10\n"
            "optimization: {epochs: 3, batch_size: 50}\n",
            "c.yaml");
        // No runs yet: images are counted, no duration.
        DurationEstimate e = estimateTrainingDuration(p, c);
        QCOMPARE(e.imagesPerEpoch, std::int64_t(1000));
        QCOMPARE(e.images, std::int64_t(3000));
        QCOMPARE(e.seconds, -1.0);
        QCOMPARE(e.speed.imagesPerSecond, 0.0);
        // 10 steps of 32 images, 0.5 s each: 64 images/s (an older run of another model, 20 images/s).
        writeTrainRun(p + "/old-vgg", "cpu", "vgg11_cifar10", 10, 10, 0.5, 1000);
        writeTrainRun(p + "/baseline", "cpu", "resnet18_cifar10", 32, 10, 0.5, 2000);
        // A resume after an hour does not count as one slow step.
        {
            RunDir run(p + "/baseline");
            run.appendMetric({11, 1.1, 2000 + 5 + 3600, "train", "loss", 1.0});
            run.appendMetric({12, 1.2, 2000 + 5 + 3600 + 0.5, "train", "loss", 1.0});
        }
        writeTrainRun(p + "/on-gpu", "cuda", "resnet18_cifar10", 32, 10, 0.01, 3000);
        const MeasuredSpeed s = measuredTrainingSpeed(p, "cpu", "resnet18_cifar10");
        QCOMPARE(s.run, p + "/baseline");
        QVERIFY2(std::abs(s.imagesPerSecond - 64.0) < 1e-6, std::to_string(s.imagesPerSecond).c_str());
        // Another model on the device is used when the same model has no measurement.
        QCOMPARE(measuredTrainingSpeed(p, "cpu", "resnet50_cifar10").run, p + "/baseline"); // the most recent
        QCOMPARE(measuredTrainingSpeed(p, "cuda", "vgg11_cifar10").run, p + "/on-gpu");
        QCOMPARE(measuredTrainingSpeed(p, "cuda:1", "resnet18_cifar10").imagesPerSecond, 0.0);
        e = estimateTrainingDuration(p, c);
        QVERIFY2(std::abs(e.seconds - 3000.0 / 64.0) < 1e-6, std::to_string(e.seconds).c_str());
        // max_steps_per_epoch caps each epoch.
        c.maxStepsPerEpoch = 4;
        QCOMPARE(estimateTrainingDuration(p, c).images, std::int64_t(3 * 4 * 50));
        // CIFAR-10 batch files: 3073 bytes per image.
        const std::string cifar = p + "/data/cifar";
        touch(cifar + "/data_batch_1.bin", std::string(3073 * 7, '\0'));
        touch(cifar + "/data_batch_2.bin", std::string(3073 * 5, '\0'));
        touch(cifar + "/test_batch.bin", std::string(3073 * 3, '\0'));
        c.trainSpec = "cifar10:" + cifar;
        c.maxStepsPerEpoch = 0;
        QCOMPARE(estimateTrainingDuration(p, c).imagesPerEpoch, std::int64_t(12));
        QCOMPARE(formatDuration(40), std::string("40 s"));
        QCOMPARE(formatDuration(14 * 60), std::string("14 min"));
        QCOMPARE(formatDuration(12 * 3600 + 5 * 60), std::string("12 h 05 min"));
    }

    void autoAccuracyDataIsTheBaseRunsValidationData()
    {
        const std::string p = testutil::tempDir("project-val");
        writeTrainRun(p + "/baseline", "cpu", "resnet18_cifar10", 8, 2, 1, 0, "cifar10:" + p + "/data/demo-cifar");
        touch(p + "/baseline/checkpoints/best_acc.pt");
        QCOMPARE(baseRunValidationData(p + "/baseline/checkpoints/best_acc.pt"), "cifar10:" + p + "/data/demo-cifar");
        // A tuned run used as a base: its own base's data, unless it named accuracy data itself.
        touch(p + "/tuned/run.yaml",
            "base:\n  checkpoint: \"" + p
                + "/baseline/checkpoints/best_acc.pt\"\nbundle: \"b.h5\"\n"
                  "classification_val: \"auto\"\nrun:\n  kind: tune\n");
        touch(p + "/tuned/checkpoints/last.pt");
        QCOMPARE(baseRunValidationData(p + "/tuned/checkpoints/last.pt"), "cifar10:" + p + "/data/demo-cifar");
        touch(p + "/tuned2/run.yaml", "base:\n  checkpoint: x.pt\nclassification_val: \"shapes:50:9\"\n");
        QCOMPARE(baseRunValidationData(p + "/tuned2/checkpoints/last.pt"), std::string("shapes:50:9"));
        // A file outside a run: the config it records, else nothing (the tuner then looks for CIFAR-10).
        QCOMPARE(baseRunValidationData(p + "/loose.pt", "dataset: shapes\ndata:\n  val: \"shapes:10:1\"\n"),
            std::string("shapes:10:1"));
        QCOMPARE(baseRunValidationData(p + "/loose.pt"), std::string());
        QCOMPARE(baseRunValidationData(p + "/loose.pt", "not: [valid"), std::string());
    }

    void analyzeConfigRoundTrip()
    {
        const std::string dir = testutil::tempDir("analyze-config");
        touch(dir + "/lpips/alex.pth");
        AnalyzeOptions o
            = parseAnalyzeConfig("name: layer3-top\ncheckpoint: runs/b/checkpoints/last.pt\nmodel: resnet34_cifar10\n"
                                 "data: \"shapes:100:2\"\nsplit: val\nlayer: layer3\naggregation: max\nk: 7\n"
                                 "bottom_k: true\nlpips_weights: lpips/alex.pth\nlpips_resize: 0\n"
                                 "ii_diagonal: include\ntuned_area: V4\ndevice: cpu\nthreads: 2\nbatch_size: 64\n"
                                 "max_images: 50\n",
                "a.yaml", dir);
        QCOMPARE(o.out, std::string("layer3-top.h5"));
        QCOMPARE(o.checkpoint, dir + "/runs/b/checkpoints/last.pt");
        QCOMPARE(o.model, std::string("resnet34_cifar10"));
        QCOMPARE(o.split, std::string("val"));
        QCOMPARE(o.layer, std::string("layer3"));
        QCOMPARE(o.aggregation, std::string("max"));
        QCOMPARE(o.k, 7);
        QVERIFY(o.bottomK);
        QCOMPARE(o.lpipsWeights, dir + "/lpips/alex.pth");
        QCOMPARE(o.lpipsResize, 0);
        QCOMPARE(o.iiDiagonal, IIDiagonal::Include);
        QCOMPARE(o.tunedArea, std::string("V4"));
        QCOMPARE(o.threads, 2);
        QCOMPARE(o.batchSize, 64);
        QCOMPARE(o.maxImages, std::int64_t(50));
        // Written and read back: the same options, and the same text again.
        const std::string yaml = analyzeConfigToYaml(o);
        writeAnalyzeConfig(dir + "/rt.yaml", o);
        const AnalyzeOptions back = loadAnalyzeConfig(dir + "/rt.yaml");
        QCOMPARE(analyzeConfigToYaml(back), yaml);
        QCOMPARE(back.checkpoint, o.checkpoint);
        QCOMPARE(back.out, o.out);
        // Defaults: the CLI's.
        const AnalyzeOptions d = parseAnalyzeConfig("checkpoint: c.pt\ndata: shapes:10\n", "d.yaml");
        const AnalyzeOptions cli;
        QCOMPARE(d.layer, cli.layer);
        QCOMPARE(d.k, cli.k);
        QCOMPARE(d.lpipsResize, cli.lpipsResize);
        QCOMPARE(d.split, cli.split);
        QCOMPARE(d.iiDiagonal, cli.iiDiagonal);
    }

    void analyzeConfigErrorsAreOneLine()
    {
        const std::string base = "checkpoint: c.pt\ndata: \"shapes:10\"\n";
        // split accepts val, and says so.
        expectError([&] { parseAnalyzeConfig(base + "split: validation\n", "a.yaml"); },
            "a.yaml: key 'split' has invalid value 'validation' (valid: test, train, val)");
        expectError([&] { parseAnalyzeConfig(base + "layr: layer4\n", "a.yaml"); }, "unknown key 'layr'");
        expectError([&] { parseAnalyzeConfig("data: shapes:10\n", "a.yaml"); }, "key 'checkpoint' is required");
        expectError([&] { parseAnalyzeConfig("checkpoint: c.pt\n", "a.yaml"); }, "key 'data' is required");
        expectError([&] { parseAnalyzeConfig("checkpoint: c.pt\ndata: imagenet:/x\n", "a.yaml"); }, "key 'data'");
        expectError([&] { parseAnalyzeConfig(base + "model: resnet99\n", "a.yaml"); }, "valid: resnet18_cifar10");
        expectError([&] { parseAnalyzeConfig(base + "model: vgg11_cifar10\nlayer: layer4\n", "a.yaml"); },
            "key 'layer' has invalid value 'layer4' for vgg11_cifar10 (valid: features.0");
        expectError([&] { parseAnalyzeConfig(base + "aggregation: sum\n", "a.yaml"); }, "valid: mean");
        expectError([&] { parseAnalyzeConfig(base + "k: 1\n", "a.yaml"); }, "key 'k'");
        expectError([&] { parseAnalyzeConfig(base + "lpips_resize: 8\n", "a.yaml"); }, "0 = as is, or 31..4096");
        expectError([&] { parseAnalyzeConfig(base + "ii_diagonal: both\n", "a.yaml"); }, "valid: exclude, include");
        expectError([&] { parseAnalyzeConfig(base + "device: tpu\n", "a.yaml"); }, "valid: cpu, cuda, cuda:N");
        expectError([&] { parseAnalyzeConfig(base + "lpips_weights: /nowhere/alex.pth\n", "a.yaml"); }, "does not exist");
        expectError([&] { parseAnalyzeConfig(base + "name: a/b\n", "a.yaml"); }, "key 'name'");
        expectError([&] { parseAnalyzeConfig("- a\n- b\n", "a.yaml"); }, "a mapping");
        expectError([&] { loadAnalyzeConfig("/nowhere/a.yaml"); }, "/nowhere/a.yaml does not exist");
    }

    void analyzeCliReadsTheConfig()
    {
        // `analyze --config` reads the same file; options on the command line override it,
        // and a bad file is one line.
        const std::string dir = testutil::tempDir("analyze-cli");
        testutil::writeText(dir + "/bad.yaml", "checkpoint: c.pt\ndata: \"shapes:10\"\nsplit: validation\n");
        std::string out;
        int rc = testutil::run(std::string(REPALIGN_CLI) + " analyze --config " + dir + "/bad.yaml --out " + dir + "/a.h5", &out);
        QVERIFY(rc != 0);
        QVERIFY2(
            out.find("key 'split' has invalid value 'validation' (valid: test, train, val)") != std::string::npos, out.c_str());
        testutil::writeText(
            dir + "/a.yaml", "checkpoint: " + dir + "/missing.pt\ndata: \"shapes:10\"\nlpips_weights: random:0\n");
        rc = testutil::run(std::string(REPALIGN_CLI) + " analyze --config " + dir + "/a.yaml --checkpoint " + dir
                + "/other.pt --out " + dir + "/a.h5",
            &out);
        QVERIFY(rc != 0);
        QVERIFY2(out.find(dir + "/other.pt") != std::string::npos, out.c_str());
        rc = testutil::run(std::string(REPALIGN_CLI) + " analyze --data shapes:10 --out " + dir + "/a.h5", &out);
        QVERIFY(rc != 0);
        QVERIFY2(out.find("--checkpoint is required") != std::string::npos, out.c_str());
    }

    void oneDemoProjectFolder()
    {
        // The CLI (and ./workbench, which asks it) and the GUI use defaultDemoProjectDir().
        const std::string data = testutil::tempDir("demo-xdg");
        qputenv("XDG_DATA_HOME", QByteArray::fromStdString(data));
        qunsetenv("REPALIGN_DEMO_DIR");
        QCOMPARE(defaultDemoProjectDir(), data + "/RepAlign/demo-project");
        std::string out;
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " demo --print-dir", &out), 0);
        QCOMPARE(QString::fromStdString(out).trimmed().toStdString(), defaultDemoProjectDir());
        qputenv("REPALIGN_DEMO_DIR", "/tmp/elsewhere-demo");
        QCOMPARE(defaultDemoProjectDir(), std::string("/tmp/elsewhere-demo"));
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " demo --print-dir", &out), 0);
        QCOMPARE(QString::fromStdString(out).trimmed(), QStringLiteral("/tmp/elsewhere-demo"));
        qunsetenv("REPALIGN_DEMO_DIR");
        // ./workbench takes the folder from the CLI instead of spelling the formula again.
        const std::string workbench = testutil::readText(std::string(REPALIGN_SOURCE_DIR) + "/workbench");
        QVERIFY(workbench.find("demo --print-dir") != std::string::npos);
        QVERIFY(workbench.find("RepAlign/demo-project") == std::string::npos);
    }
};

QTEST_MAIN(TestProject)
#include "test_project.moc"
