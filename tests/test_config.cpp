// The reference YAML configs load unchanged; bad keys/values get one-line errors; LR schedules.
#include "common/error.h"
#include "common/fsutil.h"
#include "run/config.h"
#include "run/tune_config.h"
#include "testutil.h"
#include "train/schedule.h"

#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace repalign;

namespace {
QString errorOf(const std::string& yaml, const std::vector<std::string>& sets = {})
{
    try {
        parseTrainConfig(yaml, "cfg.yaml", sets);
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}
} // namespace

class TestConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void referenceConfigsLoad_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("model");
        for (const char* m : {"resnet18", "resnet34", "resnet50", "vgg11", "vgg13", "vgg16", "vgg19"})
            QTest::newRow(m) << QStringLiteral("%1_cifar10_base_config.yaml").arg(QLatin1String(m))
                             << QStringLiteral("%1_cifar10").arg(QLatin1String(m));
    }
    void referenceConfigsLoad()
    {
        QFETCH(QString, file);
        QFETCH(QString, model);
        const std::string path = std::string(REPALIGN_SEED_CONFIGS) + "/" + file.toStdString();
        QVERIFY2(std::filesystem::exists(path), path.c_str());
        TrainConfig c = loadTrainConfig(path);
        QCOMPARE(QString::fromStdString(c.model), model);
        QVERIFY(c.device == "cuda" || c.device == "cuda:1"); // vgg13 names a second GPU
        QCOMPARE(c.numWorkers, 16);
        QCOMPARE(c.epochs, 150);
        QCOMPARE(c.batchSize, 256);
        QCOMPARE(c.optimizer.type, std::string("sgd"));
        QCOMPARE(c.optimizer.lr, 0.01);
        QCOMPARE(c.optimizer.momentum, 0.9);
        QCOMPARE(c.optimizer.weightDecay, 0.01);
        QVERIFY(c.optimizer.nesterov);
        QCOMPARE(c.schedule.type, std::string("linear_warmup_cosine_decay"));
        QCOMPARE(c.schedule.warmupStartLr, 1e-8);
        QCOMPARE(c.schedule.warmupEpochs, 45.0);
        QCOMPARE(c.schedule.maxEpochs, 150.0);
        QCOMPARE(c.trainTransforms.cropSize, 32);
        QCOMPARE(c.trainTransforms.padding, 4);
        QVERIFY(c.trainTransforms.horizontalFlip);
        QCOMPARE(c.valTransforms.cropSize, 0);
        QVERIFY(!c.valTransforms.horizontalFlip);
        QCOMPARE(c.trainTransforms.std[2], 0.2616);
        QVERIFY(c.wandb);
        QCOMPARE(c.notices.size(), std::size_t(1)); // wandb accepted and ignored, with a notice
        // The resolved YAML round-trips.
        TrainConfig again = parseTrainConfig(trainConfigToYaml(c), "roundtrip");
        QCOMPARE(trainConfigToYaml(again), trainConfigToYaml(c));
    }

    void shippedDemoConfigLoads()
    {
        TrainConfig c = loadTrainConfig(std::string(REPALIGN_SOURCE_DIR) + "/resources/configs/demo_baseline_fashion_mnist.yaml");
        resolveDataSpecs(c);
        QCOMPARE(c.trainSpec, std::string("idx:/usr/share/datasets/fashion-mnist"));
        QCOMPARE(c.model, std::string("resnet18_cifar10"));
        TuneConfig t = loadTuneConfig(std::string(REPALIGN_SOURCE_DIR) + "/resources/configs/demo_tune_virtual_cortex.yaml");
        QCOMPARE(t.rois, std::vector<std::string> {"V4"});
        QCOMPARE(t.optimizer.type, std::string("adam")); // the reference recipe's defaults
        // Adam without an lr (torch's 1e-3, the first step's rate), then the constant 1e-4.
        QCOMPARE(t.optimizer.lr, 1e-3);
        QCOMPARE(t.schedule.lrInit, 1e-4);
        QCOMPARE(t.optimizer.weightDecay, 0.01);
    }

    void errorsNameKeyAndChoices()
    {
        QString e = errorOf("model: resnet19_cifar10\n");
        QVERIFY2(e.contains(QStringLiteral("'model'")) && e.contains(QStringLiteral("resnet19_cifar10"))
                && e.contains(QStringLiteral("vgg16_cifar10")),
            qPrintable(e));
        e = errorOf("optimization:\n  optimizer: rmsprop\n");
        QVERIFY2(e.contains(QStringLiteral("optimization.optimizer")) && e.contains(QStringLiteral("sgd, adam")), qPrintable(e));
        e = errorOf("optimization:\n  epoch: 3\n");
        QVERIFY2(e.contains(QStringLiteral("unknown key 'optimization.epoch'")) && e.contains(QStringLiteral("epochs")),
            qPrintable(e));
        e = errorOf("optimization:\n  batch_size: -4\n");
        QVERIFY2(
            e.contains(QStringLiteral("optimization.batch_size")) && e.contains(QStringLiteral("out of range")), qPrintable(e));
        e = errorOf("optimization:\n  optimizer_params:\n    lr: fast\n");
        QVERIFY2(e.contains(QStringLiteral("optimization.optimizer_params.lr")) && e.contains(QStringLiteral("number")),
            qPrintable(e));
        e = errorOf("system:\n  device: tpu\n");
        QVERIFY2(e.contains(QStringLiteral("system.device")) && e.contains(QStringLiteral("cpu, cuda, cuda:N")), qPrintable(e));
        e = errorOf("data:\n  train: imagenet:/x\n");
        QVERIFY2(e.contains(QStringLiteral("data.train")), qPrintable(e));
        e = errorOf("model: [1,\n");
        QVERIFY2(e.contains(QStringLiteral("cfg.yaml:")) && e.contains(QStringLiteral("YAML syntax error")), qPrintable(e));
        QVERIFY(errorOf("model: vgg11_cifar10\nseed: 3\n").isEmpty());
    }

    void duplicateKeysAndMissingModel()
    {
        // yaml-cpp looks up the first of two equal keys, PyYAML (the reference) keeps the last:
        // the same file would train different models in the two tools.
        QString e = errorOf("model: vgg11_cifar10\nseed: 1\nmodel: resnet18_cifar10\n");
        QVERIFY2(e.contains(QStringLiteral("cfg.yaml")) && e.contains(QStringLiteral("'model'"))
                && e.contains(QStringLiteral("lines 1 and 3")),
            qPrintable(e));
        e = errorOf("model: vgg11_cifar10\noptimization:\n  epochs: 3\n  batch_size: 8\n  epochs: 5\n");
        QVERIFY2(
            e.contains(QStringLiteral("'optimization.epochs'")) && e.contains(QStringLiteral("lines 3 and 5")), qPrintable(e));
        e = errorOf("model: vgg11_cifar10\noptimization: {optimizer_params: {lr: 0.1, lr: 0.2}}\n");
        QVERIFY2(e.contains(QStringLiteral("'optimization.optimizer_params.lr'")) && e.contains(QStringLiteral("lines 2 and 2")),
            qPrintable(e));
        e = errorOf("model: vgg11_cifar10\n", {"optimization={epochs: 1, epochs: 2}"});
        QVERIFY2(e.contains(QStringLiteral("--set")) && e.contains(QStringLiteral("'optimization.epochs'")), qPrintable(e));
        QVERIFY(errorOf("model: vgg11_cifar10\noptimization: {epochs: 3}\ncheckpoint: {save_last: true}\n").isEmpty());
        // A missing model is an error, not a silent resnet18.
        e = errorOf("dataset: cifar10\nseed: 3\n");
        QVERIFY2(e.contains(QStringLiteral("cfg.yaml")) && e.contains(QStringLiteral("'model' is required"))
                && e.contains(QStringLiteral("resnet18_cifar10")),
            qPrintable(e));
        // The tuning config goes through the same reader.
        try {
            parseTuneConfig("bundle: b.h5\nbase: {checkpoint: a.pt}\nalpha: 1\nalpha: 2\n", "tune.yaml", {}, "/tmp");
            QFAIL("duplicate key accepted");
        } catch (const Error& err) {
            const QString m = QString::fromUtf8(err.what());
            QVERIFY2(m.contains(QStringLiteral("tune.yaml")) && m.contains(QStringLiteral("'alpha'"))
                    && m.contains(QStringLiteral("lines 3 and 4")),
                qPrintable(m));
        }
    }

    void overrides()
    {
        TrainConfig c = parseTrainConfig(
            "model: vgg11_cifar10\n", "x", {"optimization.epochs=3", "system.threads=2", "data.train=shapes:100"});
        QCOMPARE(c.epochs, 3);
        QCOMPARE(c.threads, 2);
        QCOMPARE(c.trainSpec, std::string("shapes:100"));
        QString e = errorOf("", {"optimization.epochs=zero"});
        QVERIFY2(e.contains(QStringLiteral("optimization.epochs")), qPrintable(e));
    }

    void missingCifarSaysWhereItLooked()
    {
        qputenv("REPALIGN_DATA", "/nonexistent/cifar");
        try {
            resolveCifar10Spec();
            QFAIL("no error");
        } catch (const Error& e) {
            QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains(QStringLiteral("/nonexistent/cifar")) && m.contains(QStringLiteral("./data"))
                    && m.contains(QStringLiteral("binary version")),
                qPrintable(m));
        }
        qunsetenv("REPALIGN_DATA");
    }

    void warmupCosineSchedule()
    {
        // The reference: 150 epochs, warm-up 45 epochs, per step; CIFAR-10 at batch 256 has
        // 196 steps per epoch. W = 8820, M = 29400.
        ScheduleConfig s;
        s.type = "linear_warmup_cosine_decay";
        s.warmupStartLr = 1e-8;
        s.baseLr = 0.01;
        s.warmupEpochs = 45;
        s.maxEpochs = 150;
        s.etaMin = 1e-8;
        const std::int64_t spe = 196;
        // Values worked out independently from pl_bolts' closed form. Step 0 is the schedule's
        // value only with first_step_lr: schedule (see firstStepLr below).
        s.firstStepLr = "schedule";
        QCOMPARE(learningRate(s, 0, spe, 0.01), 1e-8);
        QVERIFY(std::abs(learningRate(s, 1, spe, 0.01) - (1e-8 + (0.01 - 1e-8) / 8819.0)) < 1e-15);
        QVERIFY(std::abs(learningRate(s, 4410, spe, 0.01) - (1e-8 + 4410.0 * (0.01 - 1e-8) / 8819.0)) < 1e-15);
        QVERIFY(std::abs(learningRate(s, 8819, spe, 0.01) - 0.01) < 1e-15); // end of warm-up: base_lr
        QVERIFY(std::abs(learningRate(s, 8820, spe, 0.01) - 0.01) < 1e-15); // cosine starts at base_lr
        QVERIFY(std::abs(learningRate(s, 19110, spe, 0.01) - 0.005000005) < 1e-12); // half-way: (base+eta)/2
        QVERIFY(std::abs(learningRate(s, 29400, spe, 0.01) - 1e-8) < 1e-15);
        QVERIFY(std::abs(learningRate(s, 99999, spe, 0.01) - 1e-8) < 1e-15);
        // A quarter into the decay: eta + (base-eta)(1+cos(pi/4))/2.
        const double q = 1e-8 + (0.01 - 1e-8) * (1 + std::sqrt(0.5)) / 2;
        QVERIFY(std::abs(learningRate(s, 8820 + 5145, spe, 0.01) - q) < 1e-12);
        s.type = "constant";
        QCOMPARE(learningRate(s, 123, spe, 1e-4), 1e-4);
    }

    void firstStepLr()
    {
        // The reference's training loop: optimizer.step() runs before the scheduler sets a rate,
        // so step 0 uses the optimizer's lr (SGD 0.01), step k the schedule's value for k.
        const std::string seed = readFileText(std::string(REPALIGN_SEED_CONFIGS) + "/resnet18_cifar10_base_config.yaml");
        const TrainConfig t = parseTrainConfig(seed, "seed.yaml");
        QCOMPARE(t.schedule.firstStepLr, std::string("reference"));
        const std::int64_t spe = 196; // W = 8820
        QCOMPARE(learningRate(t.schedule, 0, spe, t.optimizer.lr), 0.01); // not warmup_start_lr 1e-8
        QCOMPARE(scheduledLearningRate(t.schedule, 0, spe, t.optimizer.lr), 1e-8);
        QVERIFY(std::abs(learningRate(t.schedule, 1, spe, t.optimizer.lr) - (1e-8 + (0.01 - 1e-8) / 8819.0)) < 1e-15);
        const TrainConfig s = parseTrainConfig(seed, "seed.yaml", {"optimization.first_step_lr=schedule"});
        QCOMPARE(learningRate(s.schedule, 0, spe, s.optimizer.lr), 1e-8);

        // The reference's constant schedule: lr_scheduling_params.lr_init is the rate.
        const std::string constant = "model: resnet18_cifar10\noptimization:\n  optimizer: adam\n"
                                     "  lr_scheduling: constant\n  lr_scheduling_params: {lr_init: 0.0001}\n";
        const TrainConfig c = parseTrainConfig(constant, "c.yaml");
        QCOMPARE(c.optimizer.lr, 1e-3); // Adam's default, as torch.optim.Adam without lr
        QCOMPARE(c.schedule.lrInit, 1e-4);
        QCOMPARE(learningRate(c.schedule, 0, 10, c.optimizer.lr), 1e-3);
        QCOMPARE(learningRate(c.schedule, 1, 10, c.optimizer.lr), 1e-4);
        QCOMPARE(learningRate(c.schedule, 999, 10, c.optimizer.lr), 1e-4);
        // Written back and read again, the same schedule.
        const TrainConfig back = parseTrainConfig(trainConfigToYaml(c), "back.yaml");
        QCOMPARE(back.schedule.lrInit, 1e-4);
        QCOMPARE(back.schedule.firstStepLr, std::string("reference"));
        QCOMPARE(back.optimizer.lr, 1e-3);
        // Without lr_init a constant schedule runs at the optimizer's lr, step 0 included.
        const TrainConfig plain
            = parseTrainConfig("model: resnet18_cifar10\noptimization: {optimizer_params: {lr: 0.05}}\n", "p.yaml");
        QCOMPARE(learningRate(plain.schedule, 0, 10, plain.optimizer.lr), 0.05);
        QCOMPARE(learningRate(plain.schedule, 7, 10, plain.optimizer.lr), 0.05);
        // Errors name the key and the valid choices.
        try {
            parseTrainConfig(constant, "c.yaml", {"optimization.first_step_lr=first"});
            QFAIL("accepted first_step_lr: first");
        } catch (const Error& e) {
            const std::string m = e.what();
            QVERIFY2(
                m.find("first_step_lr") != std::string::npos && m.find("reference, schedule") != std::string::npos, e.what());
        }
        try {
            parseTrainConfig(seed, "seed.yaml", {"optimization.lr_scheduling_params.lr_init=0.1"});
            QFAIL("accepted lr_init with warm-up/cosine");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("applies to lr_scheduling: constant") != std::string::npos, e.what());
        }

        // The notebook's tuning: Adam without lr (1e-3 for the first step), constant 1e-4.
        const TuneConfig tune = parseTuneConfig("base: {checkpoint: b.pt}\nbundle: x.h5\n", "t.yaml");
        QCOMPARE(learningRate(tune.schedule, 0, 5, tune.optimizer.lr), 1e-3);
        QCOMPARE(learningRate(tune.schedule, 1, 5, tune.optimizer.lr), 1e-4);
        const TuneConfig tuneBack = parseTuneConfig(tuneConfigToYaml(tune), "t2.yaml");
        QCOMPARE(tuneBack.optimizer.lr, 1e-3);
        QCOMPARE(tuneBack.schedule.lrInit, 1e-4);
        // An explicit optimizer lr is the constant rate (no lr_init): every step at it.
        const TuneConfig tuneLr = parseTuneConfig(
            "base: {checkpoint: b.pt}\nbundle: x.h5\noptimization: {optimizer_params: {lr: 0.0005}}\n", "t.yaml");
        QCOMPARE(learningRate(tuneLr.schedule, 0, 5, tuneLr.optimizer.lr), 5e-4);
        QCOMPARE(learningRate(tuneLr.schedule, 3, 5, tuneLr.optimizer.lr), 5e-4);
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "test_config.moc"
