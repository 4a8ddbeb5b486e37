// A study on a real SLURM cluster: a single-node cluster on localhost (tests/slurm_cluster.*),
// a 3-condition study of tiny runs exported as job arrays and submitted with `study submit`;
// every run must finish and the comparison must be written. Skipped (never failed) when not
// root or when slurm-wlm / munge are not installed.
#include "common/fsutil.h"
#include "data/virtual_cortex.h"
#include "pipeline/study.h"
#include "run/rundir.h"
#include "slurm_cluster.h"
#include "testutil.h"

#include <QtTest/QtTest>

using namespace repalign;

class TestSlurm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exportedScriptsAreJobArrays()
    {
        const std::string dir = testutil::tempDir("slurm-export");
        const std::string file = dir + "/study.yaml";
        testutil::writeText(file,
            "name: arrays\ntrain: {dataset: shapes, model: resnet18_cifar10, data: {train: \"shapes:16\", val: \"shapes:8\"}}\n"
            "tune: {bundle: vc.h5}\nanalyze: {data: \"shapes:8\"}\ngrid:\n  tune.alpha: [0, 1, 2]\n");
        const StudyPlan plan = loadStudy(file, dir + "/out");
        SlurmOptions o;
        o.executable = "/opt/repalign/bin/repalign-cli";
        o.partition = "gpu";
        o.account = "lab";
        o.gpusPerTask = 1;
        o.maxParallel = 2;
        o.time = "01:30:00";
        const auto files = exportSlurm(plan, o);
        QCOMPARE(files.size(), std::size_t(5)); // train, tune, analyze, compare, submit.sh
        const std::string tune = testutil::readText(dir + "/out/slurm/tune.sbatch");
        QVERIFY2(tune.find("#SBATCH --array=0-2%2\n") != std::string::npos, tune.c_str());
        QVERIFY(tune.find("#SBATCH --partition=gpu\n") != std::string::npos);
        QVERIFY(tune.find("#SBATCH --account=lab\n") != std::string::npos);
        QVERIFY(tune.find("#SBATCH --gpus-per-task=1\n") != std::string::npos);
        QVERIFY(tune.find("#SBATCH --time=01:30:00\n") != std::string::npos);
        QVERIFY(tune.find("tune-alpha2") != std::string::npos);
        QVERIFY(tune.find("${RUNS[$SLURM_ARRAY_TASK_ID]}") != std::string::npos);
        const std::string analyze = testutil::readText(dir + "/out/slurm/analyze.sbatch");
        QVERIFY(analyze.find("#SBATCH --array=0-3%2\n") != std::string::npos); // baseline + 3 tuned
        const std::string submit = testutil::readText(dir + "/out/slurm/submit.sh");
        QVERIFY(submit.find("sbatch --parsable") != std::string::npos);
        QVERIFY(submit.find("--dependency=afterok:") != std::string::npos);
        QCOMPARE(testutil::run("bash -n " + dir + "/out/slurm/submit.sh"), 0);
        QCOMPARE(testutil::run("bash -n " + dir + "/out/slurm/tune.sbatch"), 0);
    }

    void studyRunsOnALocalCluster()
    {
        const std::string why = testutil::SlurmCluster::unavailableReason();
        if (!why.empty())
            QSKIP(why.c_str());
        const std::string dir = testutil::tempDir("slurm-study");
        SynthOptions so;
        so.data = "shapes:120:11";
        so.rois = {"V4"};
        so.voxels = 16;
        NullSink sink;
        CancelToken cancel;
        synthesizeBundleFile(so, dir + "/vc.h5", sink, cancel);
        const std::string file = dir + "/study.yaml";
        testutil::writeText(file,
            "name: slurm-tiny\n"
            "train:\n  dataset: shapes\n  model: resnet18_cifar10\n  data: {train: \"shapes:64:1\", val: \"shapes:32:2\"}\n  "
            "system: {num_workers: 1}\n"
            "  optimization: {epochs: 1, batch_size: 16, max_steps_per_epoch: 2}\n"
            "tune:\n  bundle: vc.h5\n  rois: [V4]\n  classification_val: none\n  system: {num_workers: 1}\n"
            "  optimization: {epochs: 1, batch_size: 16, max_steps_per_epoch: 2}\n"
            "analyze:\n  data: \"shapes:32:3\"\n  layer: layer1\n  k: 2\n  lpips_weights: \"random:0\"\n  lpips_resize: 0\n"
            "grid:\n  tune.alpha: [0, 1, 2]\n");

        testutil::SlurmCluster cluster;
        std::string error;
        QVERIFY2(cluster.start(&error), error.c_str());
        const std::string out = dir + "/study";
        std::string text;
        int rc = cluster.run(
            std::string(REPALIGN_CLI) + " study submit " + file + " --out " + out + " --time 00:20:00 --cpus-per-task 1", &text);
        QVERIFY2(rc == 0, text.c_str());
        QVERIFY2(text.find("compare: job") != std::string::npos, text.c_str());
        const bool drained = cluster.waitForJobs(600);
        std::string logs;
        testutil::run("tail -n 5 " + out + "/logs/*", &logs);
        QVERIFY2(drained, ("jobs still queued after 600 s\n" + logs + cluster.logTail()).c_str());

        const StudyPlan plan = readStudyFolder(out);
        QCOMPARE(plan.runs.size(), std::size_t(1 + 3 + 4));
        for (const auto& st : studyStatus(plan))
            QVERIFY2(st.state == RunState::Finished, (st.name + ": " + st.stateText() + " " + st.message + "\n" + logs).c_str());
        QVERIFY2(fileExists(out + "/comparison.csv"), logs.c_str());
        const std::string csv = testutil::readText(out + "/comparison.csv");
        QVERIFY2(csv.find("analyze-tune-alpha2") != std::string::npos, csv.c_str());
        QVERIFY2(csv.find("Holm-Bonferroni") != std::string::npos, csv.c_str());

        // A data-parallel condition: --nodes 1 --tasks-per-node 2 makes the train array task an
        // srun step of 2 ranks; rank 0 writes the run, which records world size 2.
        const std::string two = dir + "/two-ranks";
        testutil::writeText(dir + "/two-ranks.yaml",
            "name: two-ranks\n"
            "train:\n  dataset: shapes\n  model: resnet18_cifar10\n  data: {train: \"shapes:64:1\", val: \"shapes:32:2\"}\n  "
            "system: {num_workers: 1}\n"
            "  optimization: {epochs: 1, batch_size: 16, max_steps_per_epoch: 2}\n"
            "analyze:\n  data: \"shapes:32:3\"\n  layer: layer1\n  k: 2\n  lpips_weights: \"random:0\"\n  lpips_resize: 0\n");
        rc = cluster.run(std::string(REPALIGN_CLI) + " study export-slurm " + dir + "/two-ranks.yaml --out " + two
                + " --time 00:10:00 --nodes 1 --tasks-per-node 2 --cpus-per-task 1 && sbatch --parsable " + two
                + "/slurm/train.sbatch",
            &text);
        QVERIFY2(rc == 0, text.c_str());
        const bool ranDistributed = cluster.waitForJobs(300);
        testutil::run("tail -n 5 " + two + "/logs/*", &logs);
        QVERIFY2(ranDistributed, ("the 2-task job is still queued after 300 s\n" + logs + cluster.logTail()).c_str());
        const RunStatus st = readRunStatus(two + "/runs/train");
        QVERIFY2(st.state == RunState::Finished, (toString(st.state) + (" " + st.message) + "\n" + logs).c_str());
        QCOMPARE(st.worldSize, 2);
        QVERIFY2(fileExists(two + "/logs/train.out.rank1"), logs.c_str());
        cluster.stop();
    }
};

QTEST_GUILESS_MAIN(TestSlurm)
#include "test_slurm.moc"
