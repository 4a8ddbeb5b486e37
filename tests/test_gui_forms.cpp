// Setup forms: the YAML they write is what the CLI parser accepts (and what the CLI runs), and
// bad values are rejected with the parser's message shown beside the field it names.
#include "analysisformpanel.h"
#include "setuppanel.h"
#include "testutil.h"
#include "trainformpanel.h"
#include "tuneformpanel.h"

#include "common/error.h"
#include "train/config.h"
#include "train/tune_config.h"

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
};

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
    QVERIFY2(form.fieldError(QStringLiteral("optimization.lr_scheduling_params.warmup_steps")).contains(QStringLiteral("smaller than max_steps")),
             qPrintable(form.errorText()));
    warm->setText(QStringLiteral("45"));
    QVERIFY(form.validateNow());

    // Two numbers where three are needed.
    auto* mean = qobject_cast<QLineEdit*>(form.field(QStringLiteral("train_transforms.norm_mean")));
    mean->setText(QStringLiteral("0.5, 0.5"));
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("train_transforms.norm_mean")).contains(QStringLiteral("3")), qPrintable(form.errorText()));
    mean->setText(QStringLiteral("0.5, 0.5, 0.5"));

    // A device the CLI does not know, listing the valid choices.
    auto* device = qobject_cast<QComboBox*>(form.field(QStringLiteral("system.device")));
    device->setCurrentText(QStringLiteral("tpu"));
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("system.device")).contains(QStringLiteral("cpu, cuda, cuda:N")), qPrintable(form.errorText()));
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
    QCOMPARE(c.optimizer.lr, 1e-4);
    QCOMPARE(c.optimizer.weightDecay, 0.01);
    QCOMPARE(c.epochs, 10);
    QCOMPARE(c.batchSize, 128);
    QCOMPARE(c.rois, std::vector<std::string>{"V4"});
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
    custom.trainTransforms.resize = 40;
    custom.trainTransforms.cropSize = 36;
    custom.trainTransforms.padding = 2;
    custom.trainTransforms.horizontalFlip = false;
    custom.trainTransforms.mean = {{0.5, 0.5, 0.5}};
    custom.trainTransforms.std = {{0.25, 0.25, 0.25}};
    custom.valTransforms.resize = 40;
    custom.valTransforms.mean = custom.trainTransforms.mean;
    custom.valTransforms.std = custom.trainTransforms.std;
    const QString file = QDir(QDir::tempPath()).filePath(QStringLiteral("repalign-tune-form-%1.yaml").arg(QCoreApplication::applicationPid()));
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
    QVERIFY2(form.fieldError(QStringLiteral("optimization.lr_scheduling_params.warmup_steps")).contains(QStringLiteral("max_steps")),
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
    // The YAML reads back to the same options.
    const AnalyzeOptions back = AnalysisFormPanel::parseYaml(form.yaml(), QStringLiteral("x.yaml"));
    QCOMPARE(back.checkpoint, o.checkpoint);
    QCOMPARE(back.data, o.data);
    QCOMPARE(back.lpipsResize, o.lpipsResize);
    // Bad data spec and a misspelt key.
    form.setData(QStringLiteral("imagenet:/x"));
    QVERIFY(!form.validateNow());
    QVERIFY2(!form.fieldError(QStringLiteral("data")).isEmpty(), qPrintable(form.errorText()));
    bool threw = false;
    try {
        AnalysisFormPanel::parseYaml(QStringLiteral("checkpoint: a.pt\ndata: shapes:10\nlayr: layer4\n"), QStringLiteral("x.yaml"));
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("unknown key 'layr'"));
    }
    QVERIFY(threw);
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
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.lr_scheduling_params.warmup_steps")))->setText(QStringLiteral("0"));
    qobject_cast<QLineEdit*>(form.field(QStringLiteral("optimization.lr_scheduling_params.max_steps")))->setText(QStringLiteral("1"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    const std::string dir = testutil::tempDir("forms-cli");
    testutil::writeText(dir + "/form.yaml", form.yaml().toStdString());
    std::string output;
    const int rc = testutil::run(std::string(REPALIGN_CLI) + " train --config " + dir + "/form.yaml --out " + dir + "/run -q", &output);
    QVERIFY2(rc == 0, output.c_str());
    QVERIFY(QFileInfo::exists(QString::fromStdString(dir + "/run/run.yaml")));
    QVERIFY(QFileInfo::exists(QString::fromStdString(dir + "/run/metrics.csv")));
}

QTEST_MAIN(TestGuiForms)
#include "test_gui_forms.moc"
