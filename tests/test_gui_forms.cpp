// Setup forms: the YAML they write is what the CLI parser accepts (and what the CLI runs), and
// bad values are rejected with the parser's message shown beside the field it names.
#include "analysisformpanel.h"
#include "mainwindow.h"
#include "setuppanel.h"
#include "testutil.h"
#include "trainformpanel.h"
#include "tuneformpanel.h"

#include "common/error.h"
#include "common/paths.h"
#include "models/nets.h"
#include "run/analyze_config.h"
#include "run/checkpoint.h"
#include "run/config.h"
#include "run/rundir.h"
#include "run/tune_config.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest>

using namespace repalign;
using namespace repalign::gui;

class TestGuiForms : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsParse();
    void seedConfigsRoundTrip_data();
    void seedConfigsRoundTrip();
    void badValuesShowMessageBesideField();
    void launchDisabledWhileInvalid();
    void tuneForm();
    void analysisForm();
    void clusterExport();
    void cliRunsFormYaml();
    void formIsBasePlusCliOverrides();
    void analysisIIOnSynthesised();
    void checkpointFieldsListTheProject();
    void checkpointReadInBackground();
    void runContextActionsFillTheForms();
    void presets();
    void durationEstimate();
    void demoProjectIsTheCliOne();
};

namespace {
void touch(const QString& path, const QByteArray& bytes = "x")
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

/// A train run as the trainer leaves it: run.yaml, metrics.csv (train loss rows, one step per
/// second of 16 images) and checkpoint files.
void writeRun(const QString& dir, const QString& valData, const QStringList& checkpoints)
{
    touch(dir + QStringLiteral("/run.yaml"),
        QStringLiteral(
            "system:\n  device: cpu\ndataset: shapes\ndata:\n  train: \"shapes:64:1\"\n  val: \"%1\"\nmodel: resnet18_cifar10\n"
            "optimization:\n  epochs: 1\n  batch_size: 16\nrun:\n  kind: train\n")
            .arg(valData)
            .toUtf8());
    RunDir run(dir.toStdString());
    for (int s = 1; s <= 5; ++s)
        run.appendMetric({s, 0.2 * s, 1000.0 + s, "train", "loss", 1.0});
    for (const QString& c : checkpoints)
        touch(dir + QStringLiteral("/checkpoints/") + c);
}

QComboBox* checkpointCombo(ConfigForm* form, const QString& key)
{
    // The field registered for the key is the editable combo box.
    return qobject_cast<QComboBox*>(form->field(key));
}
} // namespace

void TestGuiForms::defaultsParse()
{
    TrainFormPanel form;
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    const TrainConfig c = parseTrainConfig(form.yaml().toStdString(), "form");
    // The form starts from the reference recipe.
    QCOMPARE(c.optimizer.type, std::string("sgd"));
    QCOMPARE(c.optimizer.lr, 0.01);
    QCOMPARE(c.optimizer.momentum, 0.9);
    QVERIFY(c.optimizer.nesterov);
    QCOMPARE(c.schedule.type, std::string("linear_warmup_cosine_decay"));
    QCOMPARE(c.schedule.warmupEpochs, 45.0);
    QCOMPARE(c.trainTransforms.padding, 4);
    QCOMPARE(c.trainTransforms.std[2], 0.2616);
    // The first step's rate is on the form: the reference's behaviour by default, the
    // schedule from step 0 when chosen.
    QCOMPARE(c.schedule.firstStepLr, std::string("reference"));
    auto* firstStep = qobject_cast<QComboBox*>(form.field(QStringLiteral("optimization.first_step_lr")));
    QVERIFY(firstStep);
    firstStep->setCurrentText(QStringLiteral("schedule"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    QCOMPARE(parseTrainConfig(form.yaml().toStdString(), "form").schedule.firstStepLr, std::string("schedule"));
}

void TestGuiForms::seedConfigsRoundTrip_data()
{
    QTest::addColumn<QString>("path");
    const QDir dir(QStringLiteral(REPALIGN_SEED_CONFIGS));
    const QStringList files = dir.entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name);
    QVERIFY(!files.isEmpty());
    for (const QString& f : files)
        QTest::newRow(qPrintable(f)) << dir.filePath(f);
}

void TestGuiForms::seedConfigsRoundTrip()
{
    QFETCH(QString, path);
    TrainFormPanel form;
    form.loadYamlFile(path);
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    // Form -> YAML -> parser gives the same resolved config as the file itself.
    TrainConfig fromFile = loadTrainConfig(path.toStdString());
    TrainConfig fromForm = parseTrainConfig(form.yaml().toStdString(), "form");
    fromFile.origin.clear();
    fromForm.origin.clear();
    QCOMPARE(QString::fromStdString(trainConfigToYaml(fromForm)), QString::fromStdString(trainConfigToYaml(fromFile)));
}

void TestGuiForms::badValuesShowMessageBesideField()
{
    TrainFormPanel form;
    auto* lr = qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.optimizer_params.lr")));
    QVERIFY(lr);
    lr->setText(QStringLiteral("abc"));
    QVERIFY(!form.validateNow());
    QString shown = form.fieldError(QStringLiteral("optimization.optimizer_params.lr"));
    QVERIFY2(shown.contains(QStringLiteral("must be a number")), qPrintable(shown));
    QVERIFY(shown.contains(QStringLiteral("abc")));
    // Only that field shows it.
    QVERIFY(form.fieldError(QStringLiteral("optimization.optimizer_params.weight_decay")).isEmpty());

    lr->setText(QStringLiteral("-0.1"));
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("optimization.optimizer_params.lr")).contains(QStringLiteral("positive")),
        qPrintable(form.errorText()));

    lr->setText(QStringLiteral("0.05"));
    QVERIFY(form.validateNow());
    QVERIFY(form.fieldError(QStringLiteral("optimization.optimizer_params.lr")).isEmpty());

    // Warm-up past the end of the schedule: the parser's cross-field rule, shown at warmup_steps.
    auto* warm = qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.lr_scheduling_params.warmup_steps")));
    warm->setText(QStringLiteral("200"));
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("optimization.lr_scheduling_params.warmup_steps"))
                 .contains(QStringLiteral("smaller than max_steps")),
        qPrintable(form.errorText()));
    warm->setText(QStringLiteral("45"));
    QVERIFY(form.validateNow());

    // Two numbers where three are needed.
    auto* mean = qobject_cast<QLineEdit*>(form.field(QStringLiteral("train_transforms.norm_mean")));
    mean->setText(QStringLiteral("0.5, 0.5"));
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("train_transforms.norm_mean")).contains(QStringLiteral("3")),
        qPrintable(form.errorText()));
    mean->setText(QStringLiteral("0.5, 0.5, 0.5"));

    // A device the CLI does not know, listing the valid choices.
    auto* device = qobject_cast<QComboBox*>(form.field(QStringLiteral("system.device")));
    device->setCurrentText(QStringLiteral("tpu"));
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("system.device")).contains(QStringLiteral("cpu, cuda, cuda:N")),
        qPrintable(form.errorText()));
    device->setCurrentText(QStringLiteral("cpu"));

    // A data spec of an unknown kind.
    auto* train = qobject_cast<QLineEdit*>(form.field(QStringLiteral("data.train")));
    QVERIFY(train);
    train->setText(QStringLiteral("tfrecord:/x"));
    QVERIFY(!form.validateNow());
    QVERIFY2(!form.fieldError(QStringLiteral("data.train")).isEmpty(), qPrintable(form.errorText()));
    train->setText(QStringLiteral("shapes:64:3"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));

    // Typing triggers validation by itself (debounced), without calling validateNow.
    lr->setText(QStringLiteral("zero"));
    QTRY_VERIFY(!form.fieldError(QStringLiteral("optimization.optimizer_params.lr")).isEmpty());
}

void TestGuiForms::launchDisabledWhileInvalid()
{
    SetupPanel setup;
    setup.setProjectPath(QString::fromStdString(testutil::tempDir("forms-launch")));
    QPushButton* launch = nullptr;
    for (QPushButton* b : setup.findChildren<QPushButton*>())
        if (b->text().contains(QStringLiteral("Launch")))
            launch = b;
    QVERIFY(launch);
    QTRY_VERIFY(launch->isEnabled());
    auto* lr = qobject_cast<QLineEdit*>(setup.trainForm()->field(QStringLiteral("optimization.optimizer_params.lr")));
    lr->setText(QStringLiteral("fast"));
    QTRY_VERIFY(!launch->isEnabled());
    bool threw = false;
    try {
        setup.buildJob();
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("optimization.optimizer_params.lr"));
    }
    QVERIFY(threw);
    lr->setText(QStringLiteral("0.01"));
    QTRY_VERIFY(launch->isEnabled());
    const JobSpec spec = setup.buildJob();
    QVERIFY(spec.work);
    QCOMPARE(QFileInfo(spec.runDir).fileName(), QStringLiteral("baseline"));
}

void TestGuiForms::tuneForm()
{
    TuneFormPanel form;
    // Required fields named when missing.
    QVERIFY(!form.validateNow());
    QVERIFY(!form.fieldError(QStringLiteral("base.checkpoint")).isEmpty());
    form.setBaseCheckpoint(QStringLiteral("/data/baseline/checkpoints/best_acc.pt"));
    QVERIFY(!form.validateNow());
    QVERIFY(!form.fieldError(QStringLiteral("bundle")).isEmpty());
    form.setBundle(QStringLiteral("/data/nsd_bundle.h5"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    const TuneConfig c = parseTuneConfig(form.yaml().toStdString(), "form");
    // The reference recipe.
    QCOMPARE(c.alpha, 1.0);
    QCOMPARE(c.optimizer.type, std::string("adam"));
    // The notebook's Adam without an lr (1e-3, the first step) and the constant rate 1e-4 as
    // lr_init: the form keeps that split and shows the rate.
    QCOMPARE(c.optimizer.lr, 1e-3);
    QCOMPARE(c.schedule.lrInit, 1e-4);
    QCOMPARE(c.schedule.firstStepLr, std::string("reference"));
    QCOMPARE(qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.optimizer_params.lr")))->text(),
        QStringLiteral("0.0001"));
    QCOMPARE(c.optimizer.weightDecay, 0.01);
    QCOMPARE(c.epochs, 10);
    QCOMPARE(c.batchSize, 128);
    QCOMPARE(c.rois, std::vector<std::string> {"V4"});
    QCOMPARE(c.tap, std::string("layer4"));
    QCOMPARE(c.baseCheckpoint, std::string("/data/baseline/checkpoints/best_acc.pt"));
    // Round trip through the core's own writer.
    const TuneConfig again = parseTuneConfig(tuneConfigToYaml(c), "again");
    QCOMPARE(QString::fromStdString(tuneConfigToYaml(again)), QString::fromStdString(tuneConfigToYaml(c)));

    auto* alpha = qobject_cast<QLineEdit*>(form.field(QStringLiteral("alpha")));
    alpha->setText(QStringLiteral("lots"));
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("alpha")).contains(QStringLiteral("number")), qPrintable(form.errorText()));
    alpha->setText(QStringLiteral("0.5"));
    QVERIFY(form.validateNow());
    QCOMPARE(form.config().alpha, 0.5);

    // Every block of the schema is on the form: an SGD + warm-up/cosine + custom-transform
    // config survives file -> form -> YAML, and its fields report the parser's messages.
    TuneConfig custom = form.config();
    custom.optimizer.type = "sgd";
    custom.optimizer.lr = 0.02;
    custom.optimizer.momentum = 0.8;
    custom.optimizer.nesterov = true;
    custom.schedule.type = "linear_warmup_cosine_decay";
    custom.schedule.warmupStartLr = 1e-6;
    custom.schedule.baseLr = 0.02;
    custom.schedule.warmupEpochs = 2;
    custom.schedule.maxEpochs = 10;
    custom.schedule.etaMin = 1e-7;
    custom.schedule.firstStepLr = "schedule";
    custom.trainTransforms.resize = 40;
    custom.trainTransforms.cropSize = 36;
    custom.trainTransforms.padding = 2;
    custom.trainTransforms.horizontalFlip = false;
    custom.trainTransforms.mean = {{0.5, 0.5, 0.5}};
    custom.trainTransforms.std = {{0.25, 0.25, 0.25}};
    custom.valTransforms.resize = 40;
    custom.valTransforms.mean = custom.trainTransforms.mean;
    custom.valTransforms.std = custom.trainTransforms.std;
    const QString file
        = QDir(QDir::tempPath()).filePath(QStringLiteral("repalign-tune-form-%1.yaml").arg(QCoreApplication::applicationPid()));
    testutil::writeText(file.toStdString(), tuneConfigToYaml(custom));
    form.loadYamlFile(file);
    QFile::remove(file);
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    const TuneConfig back = form.config();
    QCOMPARE(back.optimizer.type, std::string("sgd"));
    QCOMPARE(back.optimizer.momentum, 0.8);
    QVERIFY(back.optimizer.nesterov);
    QCOMPARE(back.schedule.type, std::string("linear_warmup_cosine_decay"));
    QCOMPARE(back.schedule.warmupEpochs, 2.0);
    QCOMPARE(back.schedule.etaMin, 1e-7);
    QCOMPARE(back.schedule.firstStepLr, std::string("schedule"));
    QCOMPARE(qobject_cast<QComboBox*>(form.field(QStringLiteral("optimization.first_step_lr")))->currentText(),
        QStringLiteral("schedule"));
    QCOMPARE(back.trainTransforms.resize, 40);
    QCOMPARE(back.trainTransforms.cropSize, 36);
    QCOMPARE(back.trainTransforms.padding, 2);
    QVERIFY(!back.trainTransforms.horizontalFlip);
    QCOMPARE(back.valTransforms.resize, 40);
    QCOMPARE(back.valTransforms.cropSize, 0);
    QCOMPARE(back.trainTransforms.std[1], 0.25);
    auto* warmup = qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.lr_scheduling_params.warmup_steps")));
    QVERIFY(warmup && warmup->isEnabled());
    warmup->setText(QStringLiteral("20"));
    QVERIFY(!form.validateNow());
    QVERIFY2(
        form.fieldError(QStringLiteral("optimization.lr_scheduling_params.warmup_steps")).contains(QStringLiteral("max_steps")),
        qPrintable(form.errorText()));
}

void TestGuiForms::analysisForm()
{
    AnalysisFormPanel form;
    QVERIFY(!form.validateNow()); // no checkpoint yet
    QVERIFY(!form.fieldError(QStringLiteral("checkpoint")).isEmpty());
    form.setCheckpoint(QStringLiteral("/runs/baseline/checkpoints/last.pt"));
    form.setData(QStringLiteral("shapes:100:2"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    AnalyzeOptions o = form.options();
    QCOMPARE(o.layer, std::string("layer4"));
    QCOMPARE(o.aggregation, std::string("center"));
    QCOMPARE(o.k, 5);
    QCOMPARE(o.iiDiagonal, IIDiagonal::Exclude);
    // Layer choices are the model's taps.
    auto* layer = qobject_cast<QComboBox*>(form.field(QStringLiteral("layer")));
    QVERIFY(layer->findText(QStringLiteral("layer2")) >= 0);
    // The YAML reads back to the same options, with the core parser the CLI uses.
    const AnalyzeOptions back = parseAnalyzeConfig(form.yaml().toStdString(), "x.yaml");
    QCOMPARE(back.checkpoint, o.checkpoint);
    QCOMPARE(back.data, o.data);
    QCOMPARE(back.lpipsResize, o.lpipsResize);
    // Bad data spec and a misspelt key.
    form.setData(QStringLiteral("imagenet:/x"));
    QVERIFY(!form.validateNow());
    QVERIFY2(!form.fieldError(QStringLiteral("data")).isEmpty(), qPrintable(form.errorText()));
    bool threw = false;
    try {
        parseAnalyzeConfig("checkpoint: a.pt\ndata: shapes:10\nlayr: layer4\n", "x.yaml");
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("unknown key 'layr'"));
    }
    QVERIFY(threw);
    // The split the CLI accepts is offered, and the message beside it lists what is valid.
    form.setData(QStringLiteral("shapes:100:2"));
    auto* split = qobject_cast<QComboBox*>(form.field(QStringLiteral("split")));
    QVERIFY(split->findText(QStringLiteral("val")) >= 0);
    split->setCurrentText(QStringLiteral("val"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    QCOMPARE(form.options().split, std::string("val"));
    // Save YAML from the form, load it with the CLI's loader and into a fresh form.
    const QString file = QDir(QDir::tempPath())
                             .filePath(QStringLiteral("repalign-analysis-form-%1.yaml").arg(QCoreApplication::applicationPid()));
    testutil::writeText(file.toStdString(), form.yaml().toStdString());
    const AnalyzeOptions loaded = loadAnalyzeConfig(file.toStdString());
    QCOMPARE(loaded.split, std::string("val"));
    QCOMPARE(loaded.out, std::string("layer4.h5"));
    AnalysisFormPanel again;
    again.loadYamlFile(file);
    QFile::remove(file);
    QCOMPARE(QString::fromStdString(analyzeConfigToYaml(again.options())),
        QString::fromStdString(analyzeConfigToYaml(form.options())));
}

void TestGuiForms::clusterExport()
{
    SetupPanel setup;
    const QString dir = QString::fromStdString(testutil::tempDir("forms-cluster"));
    setup.setProjectPath(dir);
    const QString script = setup.exportForCluster(dir + QStringLiteral("/cluster"));
    const QString text = QString::fromStdString(testutil::readText(script.toStdString()));
    QVERIFY(text.startsWith(QStringLiteral("#!/bin/bash")));
    QVERIFY(text.contains(QStringLiteral("#SBATCH --job-name=repalign-train-baseline")));
    QVERIFY2(text.contains(QStringLiteral("train --config train-baseline.yaml --out runs/baseline")), qPrintable(text));
    const QString yaml = dir + QStringLiteral("/cluster/train-baseline.yaml");
    QVERIFY(QFileInfo::exists(yaml));
    // The YAML written for the cluster loads with the CLI's loader.
    const TrainConfig c = loadTrainConfig(yaml.toStdString());
    QCOMPARE(c.model, std::string("resnet18_cifar10"));
}

void TestGuiForms::cliRunsFormYaml()
{
    // The CLI itself runs what the form wrote (a tiny smoke run on generated data).
    TrainFormPanel form;
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("data.train")))->setText(QStringLiteral("shapes:32:1"));
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("data.val")))->setText(QStringLiteral("shapes:32:1"));
    qobject_cast<QSpinBox*>(form.field(QStringLiteral("optimization.epochs")))->setValue(1);
    qobject_cast<QSpinBox*>(form.field(QStringLiteral("optimization.batch_size")))->setValue(8);
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.max_steps_per_epoch")))->setText(QStringLiteral("1"));
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.lr_scheduling_params.warmup_steps")))
        ->setText(QStringLiteral("0"));
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.lr_scheduling_params.max_steps")))
        ->setText(QStringLiteral("1"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    const std::string dir = testutil::tempDir("forms-cli");
    testutil::writeText(dir + "/form.yaml", form.yaml().toStdString());
    std::string output;
    const int rc
        = testutil::run(std::string(REPALIGN_CLI) + " train --config " + dir + "/form.yaml --out " + dir + "/run -q", &output);
    QVERIFY2(rc == 0, output.c_str());
    QVERIFY(QFileInfo::exists(QString::fromStdString(dir + "/run/run.yaml")));
    QVERIFY(QFileInfo::exists(QString::fromStdString(dir + "/run/metrics.csv")));
}

void TestGuiForms::formIsBasePlusCliOverrides()
{
    // The form is its base config plus `key.path=value` overrides: `repalign-cli train --config
    // BASE --set ...` with the same overrides runs the same resolved config the form shows.
    TrainFormPanel form;
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("data.train")))->setText(QStringLiteral("shapes:32:1"));
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("data.val")))->setText(QStringLiteral("shapes:32:1"));
    qobject_cast<QSpinBox*>(form.field(QStringLiteral("optimization.epochs")))->setValue(1);
    qobject_cast<QSpinBox*>(form.field(QStringLiteral("optimization.batch_size")))->setValue(8);
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.max_steps_per_epoch")))->setText(QStringLiteral("1"));
    // Adam: the base's SGD momentum/nesterov/dampening are removed (the parser rejects them for adam).
    qobject_cast<QComboBox*>(form.field(QStringLiteral("optimization.optimizer")))->setCurrentText(QStringLiteral("adam"));
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.optimizer_params.lr")))->setText(QStringLiteral("0.002"));
    qobject_cast<QComboBox*>(form.field(QStringLiteral("optimization.lr_scheduling")))
        ->setCurrentText(QStringLiteral("constant"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    QVERIFY(form.baseYaml().contains(QStringLiteral("momentum")));
    QVERIFY(!form.yaml().contains(QStringLiteral("momentum")));
    const QStringList overrides = form.overrides();
    QVERIFY2(overrides.contains(QStringLiteral("optimization.optimizer_params.lr=0.002")),
        qPrintable(overrides.join(QLatin1Char(' '))));
    QVERIFY(overrides.contains(QStringLiteral("optimization.optimizer_params.momentum=null")));
    const TrainConfig c = form.config();
    QCOMPARE(c.optimizer.type, std::string("adam"));
    QCOMPARE(c.optimizer.lr, 0.002);
    // The YAML the form saves reads back to the same config.
    TrainConfig saved = parseTrainConfig(form.yaml().toStdString(), "<form>");
    QCOMPARE(QString::fromStdString(trainConfigToYaml(saved)), QString::fromStdString(trainConfigToYaml(c)));

    const std::string dir = testutil::tempDir("forms-overrides");
    testutil::writeText(dir + "/base.yaml", form.baseYaml().toStdString());
    std::string command = std::string(REPALIGN_CLI) + " train --config " + dir + "/base.yaml --out " + dir + "/run -q";
    for (const QString& o : overrides) {
        QVERIFY(!o.contains(QLatin1Char('\'')));
        command += " --set '" + o.toStdString() + "'";
    }
    std::string output;
    QVERIFY2(testutil::run(command, &output) == 0, output.c_str());
    TrainConfig ran = loadTrainConfig(dir + "/run/run.yaml");
    TrainConfig shown = c;
    ran.origin.clear();
    shown.origin.clear();
    QCOMPARE(QString::fromStdString(trainConfigToYaml(ran)), QString::fromStdString(trainConfigToYaml(shown)));
}

void TestGuiForms::analysisIIOnSynthesised()
{
    // analyze --ii-on synth|synth:FILE on the form: no checkpoint or data needed, a missing file
    // named beside the file field, and the key round-trips through the analysis config.
    AnalysisFormPanel form;
    QVERIFY(!form.validateNow()); // dataset MEIs: a checkpoint is required
    QComboBox* iiOn = nullptr;
    for (QComboBox* c : form.findChildren<QComboBox*>())
        if (c->findData(QStringLiteral("file")) >= 0 && c->findData(QStringLiteral("synth")) >= 0)
            iiOn = c;
    QVERIFY(iiOn);
    auto* file = qobject_cast<QLineEdit*>(form.field(QStringLiteral("ii_on")));
    QVERIFY(file && !file->isEnabled());
    iiOn->setCurrentIndex(iiOn->findData(QStringLiteral("synth")));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    QCOMPARE(form.options().iiOn, std::string("synth"));
    iiOn->setCurrentIndex(iiOn->findData(QStringLiteral("file")));
    QVERIFY(file->isEnabled());
    const std::string dir = testutil::tempDir("forms-ii-on");
    file->setText(QString::fromStdString(dir + "/missing.h5"));
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("ii_on")).contains(QStringLiteral("does not exist")), qPrintable(form.errorText()));
    testutil::writeText(dir + "/vis.h5", "x");
    file->setText(QString::fromStdString(dir + "/vis.h5"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    QCOMPARE(form.options().iiOn, "synth:" + dir + "/vis.h5");
    const AnalyzeOptions back = parseAnalyzeConfig(form.yaml().toStdString(), "x.yaml");
    QCOMPARE(back.iiOn, "synth:" + dir + "/vis.h5");
    AnalysisFormPanel again;
    again.setOptions(back);
    QVERIFY(again.validateNow());
    QCOMPARE(again.options().iiOn, back.iiOn);
    QVERIFY(qobject_cast<QLineEdit*>(again.field(QStringLiteral("ii_on")))->isEnabled());
    // The parser names the key and the valid values.
    bool threw = false;
    try {
        parseAnalyzeConfig("ii_on: synthetic\n", "x.yaml");
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(
            QStringLiteral("key 'ii_on' has invalid value 'synthetic' (valid: dataset, synth, synth:FILE)"));
    }
    QVERIFY(threw);
}

void TestGuiForms::checkpointFieldsListTheProject()
{
    const QString project = QString::fromStdString(testutil::tempDir("forms-project"));
    writeRun(project + QStringLiteral("/baseline"), QStringLiteral("shapes:40:4"),
        {QStringLiteral("last.pt"), QStringLiteral("best_acc.pt")});
    writeRun(project + QStringLiteral("/runs/other"), QStringLiteral("shapes:40:4"), {QStringLiteral("last.pt")});
    SetupPanel setup;
    QSignalSpy scanned(&setup, &SetupPanel::projectScanned);
    setup.setProjectPath(project);
    QTRY_VERIFY(scanned.count() >= 1);
    for (ConfigForm* form : {static_cast<ConfigForm*>(setup.tuneForm()), static_cast<ConfigForm*>(setup.analysisForm())}) {
        QComboBox* combo
            = checkpointCombo(form, form == setup.tuneForm() ? QStringLiteral("base.checkpoint") : QStringLiteral("checkpoint"));
        QVERIFY(combo && combo->isEditable());
        QCOMPARE(combo->count(), 3);
        QCOMPARE(combo->itemText(0), QStringLiteral("baseline ▸ best_acc.pt"));
        QCOMPARE(combo->itemData(0).toString(), project + QStringLiteral("/baseline/checkpoints/best_acc.pt"));
        QCOMPARE(combo->itemText(1), QStringLiteral("baseline ▸ last.pt"));
        QCOMPARE(combo->itemText(2), QStringLiteral("runs/other ▸ last.pt"));
        // Choosing an entry puts its path into the YAML; a typed path is taken as typed.
        combo->setCurrentIndex(2);
        QVERIFY(form->yaml().contains(project + QStringLiteral("/runs/other/checkpoints/last.pt")));
        combo->setEditText(QStringLiteral("/elsewhere/model.pth"));
        QVERIFY(form->yaml().contains(QStringLiteral("/elsewhere/model.pth")));
    }
    // A new checkpoint appears after a rescan; what the field holds is kept.
    setup.tuneForm()->setBaseCheckpoint(project + QStringLiteral("/baseline/checkpoints/last.pt"));
    touch(project + QStringLiteral("/runs/other/checkpoints/best_loss.pt"));
    const int before = scanned.count();
    setup.rescanProject();
    QTRY_VERIFY(scanned.count() > before);
    QComboBox* combo = checkpointCombo(setup.tuneForm(), QStringLiteral("base.checkpoint"));
    QCOMPARE(combo->count(), 4);
    QCOMPARE(combo->currentText(), QStringLiteral("baseline ▸ last.pt"));
    QVERIFY(setup.tuneForm()->yaml().contains(QStringLiteral("checkpoint: \"%1/baseline/checkpoints/last.pt\"").arg(project)));
}

void TestGuiForms::checkpointReadInBackground()
{
    // A VGG checkpoint: once read (off the UI thread), the layer lists are the VGG's taps.
    const std::string dir = testutil::tempDir("forms-inspect");
    torch::manual_seed(0);
    TapNet net = createModel("vgg11_cifar10");
    Checkpoint ck;
    ck.model = "vgg11_cifar10";
    ck.epoch = 3;
    for (auto& [n, t] : net->stateDict())
        ck.stateDict[n] = t;
    saveCheckpoint(dir + "/vgg.pt", ck);
    const QString path = QString::fromStdString(dir + "/vgg.pt");

    TuneFormPanel tune;
    QSignalSpy tuneRead(&tune, &TuneFormPanel::checkpointInspected);
    auto* tap = qobject_cast<QComboBox*>(tune.field(QStringLiteral("tap")));
    QVERIFY(tap->findText(QStringLiteral("layer4")) >= 0);
    tune.setBaseCheckpoint(path);
    QCOMPARE(tuneRead.count(), 0); // debounced, not read while typing
    QTRY_COMPARE(tuneRead.count(), 1);
    QCOMPARE(tune.inspectedModel(), QStringLiteral("vgg11_cifar10"));
    QVERIFY2(tune.checkpointNote().contains(QStringLiteral("epoch 3")), qPrintable(tune.checkpointNote()));
    QVERIFY(tap->findText(QStringLiteral("features.28")) >= 0);
    QCOMPARE(tap->findText(QStringLiteral("layer4")), -1);

    AnalysisFormPanel analysis;
    QSignalSpy analysisRead(&analysis, &AnalysisFormPanel::checkpointInspected);
    analysis.setData(QStringLiteral("shapes:20:1"));
    analysis.setCheckpoint(path);
    QTRY_COMPARE(analysisRead.count(), 1);
    auto* layer = qobject_cast<QComboBox*>(analysis.field(QStringLiteral("layer")));
    QVERIFY(layer->findText(QStringLiteral("features.28")) >= 0);
    // layer4 is not a tap of the architecture the file records: named beside the field.
    layer->setEditable(true);
    layer->setCurrentText(QStringLiteral("layer4"));
    QVERIFY(!analysis.validateNow());
    QVERIFY2(
        analysis.fieldError(QStringLiteral("layer")).contains(QStringLiteral("vgg11_cifar10")), qPrintable(analysis.errorText()));
    layer->setCurrentText(QStringLiteral("features.28"));
    QVERIFY2(analysis.validateNow(), qPrintable(analysis.errorText()));

    // A path that is not there says so.
    tune.setBaseCheckpoint(QStringLiteral("/nowhere/x.pt"));
    QTRY_COMPARE(tuneRead.count(), 2);
    QVERIFY2(tune.checkpointNote().contains(QStringLiteral("does not exist")), qPrintable(tune.checkpointNote()));
    QCOMPARE(tune.inspectedModel(), QString());
}

void TestGuiForms::runContextActionsFillTheForms()
{
    const QString project = QString::fromStdString(testutil::tempDir("forms-runmenu"));
    const QString run = project + QStringLiteral("/baseline");
    writeRun(run, QStringLiteral("shapes:40:4"),
        {QStringLiteral("last.pt"), QStringLiteral("best_loss.pt"), QStringLiteral("best_acc.pt")});
    SetupPanel setup;
    QSignalSpy scanned(&setup, &SetupPanel::projectScanned);
    setup.setProjectPath(project);
    QTRY_VERIFY(scanned.count() >= 1);
    setup.fineTuneFrom(run);
    QCOMPARE(setup.currentForm(), static_cast<ConfigForm*>(setup.tuneForm()));
    QCOMPARE(setup.tuneForm()->yaml().contains(run + QStringLiteral("/checkpoints/best_acc.pt")), true);
    QCOMPARE(setup.tuneForm()->runName(), QStringLiteral("baseline-tuned"));
    setup.analyse(run);
    QCOMPARE(setup.currentForm(), static_cast<ConfigForm*>(setup.analysisForm()));
    setup.analysisForm()->validateNow();
    const AnalyzeOptions o = parseAnalyzeConfig(setup.analysisForm()->yaml().toStdString(), "form");
    QCOMPARE(o.checkpoint, (run + QStringLiteral("/checkpoints/best_acc.pt")).toStdString());
    QCOMPARE(o.data, std::string("shapes:40:4")); // the data the run was validated on
}

void TestGuiForms::presets()
{
    qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("forms-presets-config")));
    const QString project = QString::fromStdString(testutil::tempDir("forms-presets"));
    touch(project + QStringLiteral("/data/demo-cifar/test_batch.bin"), QByteArray(3073, '\0'));
    TrainFormPanel form;
    form.setProjectPath(project);
    const QStringList keys = form.presetKeys();
    QVERIFY(keys.contains(QStringLiteral("reference")));
    QVERIFY(keys.contains(QStringLiteral("demo")));
    QVERIFY2(
        keys.contains(QStringLiteral(":/configs/demo_baseline_fashion_mnist.yaml")), qPrintable(keys.join(QLatin1Char(' '))));
    QVERIFY(!keys.contains(QStringLiteral(":/configs/demo_tune_virtual_cortex.yaml"))); // a tuning config
    // The demo's recipe on the project's demo data.
    form.applyPreset(QStringLiteral("demo"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    TrainConfig c = form.config();
    QCOMPARE(c.epochs, 2);
    QCOMPARE(c.batchSize, 64);
    QCOMPARE(c.trainSpec, (QStringLiteral("cifar10:") + project + QStringLiteral("/data/demo-cifar")).toStdString());
    // The reference study: 150 epochs at batch 256.
    form.applyPreset(QStringLiteral("reference"));
    c = form.config();
    QCOMPARE(c.epochs, 150);
    QCOMPARE(c.batchSize, 256);
    QCOMPARE(c.schedule.warmupEpochs, 45.0);
    QCOMPARE(form.currentPreset(), QStringLiteral("reference"));
    // A shipped config, exactly as the file says.
    form.applyPreset(QStringLiteral(":/configs/demo_baseline_fashion_mnist.yaml"));
    c = form.config();
    QCOMPARE(c.dataset, std::string("fashion_mnist"));
    QCOMPARE(c.epochs, 10);
    QCOMPARE(c.optimizer.lr, 0.05);
    QVERIFY_THROWS_EXCEPTION(Error, form.applyPreset(QStringLiteral("fastest")));
    // In the demo project the window starts the baseline form on the demo's recipe.
    MainWindow window;
    window.openProject(project);
    QCOMPARE(window.setup()->trainForm()->currentPreset(), QStringLiteral("demo"));
    QCOMPARE(window.setup()->trainForm()->config().epochs, 2);
}

void TestGuiForms::durationEstimate()
{
    const QString project = QString::fromStdString(testutil::tempDir("forms-estimate"));
    SetupPanel setup;
    QSignalSpy updated(&setup, &SetupPanel::estimateUpdated);
    setup.setProjectPath(project);
    auto* train = qobject_cast<QLineEdit*>(setup.trainForm()->field(QStringLiteral("data.train")));
    auto* val = qobject_cast<QLineEdit*>(setup.trainForm()->field(QStringLiteral("data.val")));
    train->setText(QStringLiteral("shapes:320:1"));
    val->setText(QStringLiteral("shapes:32:2"));
    qobject_cast<QSpinBox*>(setup.trainForm()->field(QStringLiteral("optimization.batch_size")))->setValue(16);
    qobject_cast<QSpinBox*>(setup.trainForm()->field(QStringLiteral("optimization.epochs")))->setValue(150);
    QTRY_VERIFY(updated.count() >= 1);
    QTRY_VERIFY2(setup.estimateText().contains(QStringLiteral("no measurement yet on cpu")), qPrintable(setup.estimateText()));
    // A run on this device measured 16 images/s: 150 x 320 images take 50 minutes.
    writeRun(project + QStringLiteral("/baseline"), QStringLiteral("shapes:40:4"), {QStringLiteral("last.pt")});
    const int before = updated.count();
    setup.rescanProject();
    QTRY_VERIFY(updated.count() > before);
    QTRY_VERIFY2(setup.estimateText().contains(QStringLiteral("50 min")), qPrintable(setup.estimateText()));
    QVERIFY2(setup.estimateText().contains(QStringLiteral("baseline")), qPrintable(setup.estimateText()));
}

void TestGuiForms::demoProjectIsTheCliOne()
{
    QCOMPARE(MainWindow::demoProjectPath().toStdString(), defaultDemoProjectDir());
    qputenv("REPALIGN_DEMO_DIR", "/tmp/repalign-demo-elsewhere");
    QCOMPARE(MainWindow::demoProjectPath(), QStringLiteral("/tmp/repalign-demo-elsewhere"));
    qunsetenv("REPALIGN_DEMO_DIR");
}

QTEST_MAIN(TestGuiForms)
#include "test_gui_forms.moc"
