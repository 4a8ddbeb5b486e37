#include "trainformpanel.h"

#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"
#include "data/dataset.h"
#include "models/registry.h"
#include "pipeline/demo.h"
#include "train/schedule.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace repalign::gui {

TrainFormPanel::TrainFormPanel(QWidget* parent)
    : ConfigForm(parent)
{
    const auto [left, right] = addColumns();

    // Run and data
    QFormLayout* run = addSection(tr("Run and data"), left);
    m_preset = new QComboBox;
    m_preset->addItem(tr("Reference study (ResNet-18, 150 epochs, batch 256)"), QStringLiteral("reference"));
    m_preset->addItem(tr("Demo on this machine (the demo's data, 2 epochs, batch 64)"), QStringLiteral("demo"));
    // The configs shipped with the program (share/repalign/configs; the same files are built in).
    // Built-in resources: reading them is a memory copy. Only training configs are offered.
    for (const QFileInfo& f :
        QDir(QStringLiteral(":/configs")).entryInfoList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name)) {
        QFile file(f.filePath());
        try {
            if (file.open(QIODevice::ReadOnly))
                parseTrainConfig(file.readAll().toStdString(), f.fileName().toStdString());
            m_preset->addItem(tr("Shipped config: %1").arg(f.completeBaseName()), f.filePath());
        } catch (const Error&) {
        }
    }
    m_preset->setToolTip(tr("Fills the form with a recipe; every field stays editable"));
    run->addRow(tr("Preset:"), m_preset);
    connect(m_preset, &QComboBox::activated, this, [this](int index) { applyPreset(m_preset->itemData(index).toString()); });
    m_name = addNameRow(run, tr("Run name:"), QStringLiteral("baseline"), QStringLiteral("run.name"),
        tr("Folder created in the project for this run"));
    m_dataset = new QComboBox;
    m_dataset->addItems({QStringLiteral("cifar10"), QStringLiteral("cifar10_224"), QStringLiteral("fashion_mnist"),
        QStringLiteral("mnist"), QStringLiteral("shapes"), QStringLiteral("custom")});
    addRow(run, tr("Dataset:"), m_dataset, QStringLiteral("dataset"),
        tr("Named dataset; the data specs below override where it is read from"));
    m_train = new QLineEdit;
    m_train->setPlaceholderText(tr("from the dataset (e.g. cifar10:/data/cifar-10-batches-bin)"));
    auto specPrefix = [this] {
        const QString d = m_dataset->currentText();
        if (d == QLatin1String("cifar10") || d == QLatin1String("cifar10_224"))
            return QStringLiteral("cifar10");
        if (d == QLatin1String("mnist") || d == QLatin1String("fashion_mnist"))
            return QStringLiteral("idx");
        return QStringLiteral("folder");
    };
    addRow(run, tr("Training data:"), pathField(m_train, true, {}, specPrefix), QStringLiteral("data.train"),
        tr("Data spec: cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]"));
    m_val = new QLineEdit;
    m_val->setPlaceholderText(tr("same source, test split"));
    addRow(run, tr("Validation data:"), pathField(m_val, true, {}, specPrefix), QStringLiteral("data.val"),
        tr("Data spec for the validation split"));
    m_model = new QComboBox;
    for (const std::string& name : modelNames())
        m_model->addItem(QString::fromStdString(name));
    m_modelInfo = new QLabel;
    m_modelInfo->setEnabled(false);
    auto* modelBox = new QWidget;
    auto* mh = new QHBoxLayout(modelBox);
    mh->setContentsMargins(0, 0, 0, 0);
    mh->addWidget(m_model, 1);
    mh->addWidget(m_modelInfo);
    addRow(run, tr("Model:"), modelBox, QStringLiteral("model"));
    connect(m_model, &QComboBox::currentTextChanged, this, &TrainFormPanel::updateModelInfo);

    // Optimisation
    m_opt = addOptimisationSection(left, {QStringLiteral("sgd"), QStringLiteral("adam")});
    QFormLayout* opt = m_opt.form;
    m_precision = new QComboBox;
    m_precision->addItems({QStringLiteral("fp32"), QStringLiteral("bf16"), QStringLiteral("fp16")});
    addRow(opt, tr("Precision:"), m_precision, QStringLiteral("optimization.precision"),
        tr("bf16: autocast on the CPU or CUDA (faster only with native bf16, see repalign-cli devices); fp16: CUDA only"));

    // Schedule
    m_sched = addScheduleSection(right);
    m_preview = new QCustomPlot;
    m_preview->setMinimumHeight(130);
    m_preview->setMaximumHeight(170);
    m_preview->addGraph();
    m_preview->graph(0)->setPen(QPen(paletteColor(0), 1.8));
    stylePlot(m_preview, 8);
    m_preview->xAxis->setLabel(tr("Epoch"));
    m_preview->yAxis->setLabel(tr("LR"));
    m_preview->yAxis->setNumberFormat(QStringLiteral("gb"));
    m_preview->setToolTip(tr("Learning rate over the run, per step"));
    m_sched.form->addRow(m_preview);

    // Augmentation
    m_tf = addTransformSection(right, /*withResize=*/false);

    // System
    const SystemFields system
        = addSystemSection(right, {tr("System"), tr("Device:"), tr("CPU threads:"), tr("all cores"), tr("cpu, cuda or cuda:N")},
            QStringLiteral("system.device"), QStringLiteral("system.threads"));
    QFormLayout* sys = system.form;
    m_device = system.device;
    m_threads = system.threads;
    m_workers = new QSpinBox;
    m_workers->setRange(0, 256);
    addRow(sys, tr("Data workers:"), m_workers, QStringLiteral("system.num_workers"));
    m_seed = new QLineEdit;
    addRow(sys, tr("Seed:"), m_seed, QStringLiteral("seed"));
    auto* ck = new QWidget;
    auto* ckl = new QHBoxLayout(ck);
    ckl->setContentsMargins(0, 0, 0, 0);
    m_saveLast = new QCheckBox(tr("last"));
    m_saveBestLoss = new QCheckBox(tr("best loss"));
    m_saveBestAcc = new QCheckBox(tr("best accuracy"));
    ckl->addWidget(m_saveLast);
    ckl->addWidget(m_saveBestLoss);
    ckl->addWidget(m_saveBestAcc);
    ckl->addStretch();
    addRow(sys, tr("Checkpoints:"), ck, QStringLiteral("checkpoint"));
    left->addStretch(1);
    right->addStretch(1);

    for (QWidget* w :
        std::initializer_list<QWidget*> {m_opt.epochs, m_opt.batch, m_opt.maxSteps, m_sched.type, m_sched.warmupStart,
            m_sched.baseLr, m_sched.warmup, m_sched.maxEpochs, m_sched.etaMin, m_opt.lr, m_train, m_opt.optimizer})
        watch(w);
    connect(this, &ConfigForm::changed, this, &TrainFormPanel::updatePreview);

    setConfig(referenceConfig());
}

TrainConfig TrainFormPanel::referenceConfig()
{
    // The reference recipe (the seed configs'), with a CPU device so that it runs here.
    TrainConfig reference;
    try {
        reference = parseTrainConfig("dataset: cifar10\nmodel: resnet18_cifar10\n", "<defaults>");
    } catch (const Error&) {
    }
    reference.optimizer.lr = 0.01;
    reference.optimizer.momentum = 0.9;
    reference.optimizer.weightDecay = 0.01;
    reference.optimizer.nesterov = true;
    reference.schedule.type = "linear_warmup_cosine_decay";
    reference.schedule.warmupEpochs = 45;
    reference.schedule.maxEpochs = 150;
    reference.trainTransforms.cropSize = 32;
    reference.trainTransforms.padding = 4;
    reference.trainTransforms.horizontalFlip = true;
    reference.trainTransforms.mean = {0.4914, 0.4822, 0.4465};
    reference.trainTransforms.std = {0.2470, 0.2435, 0.2616};
    reference.valTransforms.mean = reference.trainTransforms.mean;
    reference.valTransforms.std = reference.trainTransforms.std;
    return reference;
}

void TrainFormPanel::setProjectPath(const QString& path)
{
    m_project = path;
}

QString TrainFormPanel::demoDataDir() const
{
    const QString dir = QDir(m_project).filePath(QStringLiteral("data/demo-cifar"));
    return !m_project.isEmpty() && QFileInfo::exists(dir + QStringLiteral("/test_batch.bin")) ? dir : QString();
}

QStringList TrainFormPanel::presetKeys() const
{
    QStringList keys;
    for (int i = 0; i < m_preset->count(); ++i)
        keys << m_preset->itemData(i).toString();
    return keys;
}

QString TrainFormPanel::currentPreset() const
{
    return m_preset->currentData().toString();
}

void TrainFormPanel::applyPreset(const QString& key)
{
    const int index = m_preset->findData(key);
    if (index < 0)
        throw Error(
            "unknown preset '" + key.toStdString() + "' (valid: " + presetKeys().join(QStringLiteral(", ")).toStdString() + ")");
    m_preset->setCurrentIndex(index);
    if (key == QLatin1String("reference")) {
        setConfig(referenceConfig());
        return;
    }
    if (key == QLatin1String("demo")) {
        // The demo pipeline's baseline recipe, on the project's demo data when it has been
        // prepared (Run demo pipeline), else on the data the demo draws from.
        const QString data = demoDataDir();
        TrainConfig c
            = parseTrainConfig(demoBaselineYaml(DemoOptions(), data.isEmpty() ? std::string("-") : data.toStdString()), "<demo>");
        if (data.isEmpty()) {
            c.trainSpec = c.valSpec = demoSourceSpec();
            c.dataset = c.trainSpec.rfind("shapes:", 0) == 0 ? "shapes" : "fashion_mnist";
        }
        setConfig(c);
        return;
    }
    QFile f(key);
    if (!f.open(QIODevice::ReadOnly))
        throw Error("cannot read preset " + key.toStdString());
    setConfig(parseTrainConfig(f.readAll().toStdString(), QFileInfo(key).fileName().toStdString()));
}

void TrainFormPanel::updateModelInfo()
{
    // From the registry's static table: building the model to count would block the UI.
    try {
        const double millions = static_cast<double>(modelParameterCount(m_model->currentText().toStdString())) / 1e6;
        m_modelInfo->setText(tr("%1 M parameters").arg(QLocale().toString(millions, 'f', 2)));
    } catch (const Error&) {
        m_modelInfo->clear();
    }
}

void TrainFormPanel::setRunName(const QString& name)
{
    m_name->setText(name);
}

void TrainFormPanel::setConfig(const TrainConfig& c)
{
    setBaseYaml(QString::fromStdString(trainConfigToYaml(c)));
    m_dataset->setCurrentText(QString::fromStdString(c.dataset));
    m_train->setText(QString::fromStdString(c.trainSpec));
    m_val->setText(QString::fromStdString(c.valSpec));
    m_model->setCurrentText(QString::fromStdString(c.model));
    updateModelInfo();
    setOptimisation(m_opt, c.epochs, c.batchSize, c.maxStepsPerEpoch, c.optimizer, c.optimizer.lr);
    m_precision->setCurrentText(QString::fromStdString(c.precision));
    setSchedule(m_sched, c.schedule, c.epochs);
    setTransforms(m_tf, c.trainTransforms);
    m_device->setCurrentText(QString::fromStdString(c.device));
    m_threads->setValue(c.threads);
    m_workers->setValue(c.numWorkers);
    m_seed->setText(QString::number(c.seed));
    m_saveLast->setChecked(c.checkpoints.saveLast);
    m_saveBestLoss->setChecked(c.checkpoints.saveBestLoss);
    m_saveBestAcc->setChecked(c.checkpoints.saveBestAcc);
    validateNow();
    updatePreview();
}

QStringList TrainFormPanel::overrides() const
{
    QStringList o {assign(QStringLiteral("system.device"), scalar(m_device->currentText())),
        assign(QStringLiteral("system.num_workers"), QString::number(m_workers->value())),
        assign(QStringLiteral("system.threads"), QString::number(m_threads->value())),
        assign(QStringLiteral("dataset"), scalar(m_dataset->currentText())),
        assignText(QStringLiteral("data.train"), m_train->text().trimmed(), true),
        assignText(QStringLiteral("data.val"), m_val->text().trimmed(), true),
        assign(QStringLiteral("model"), scalar(m_model->currentText()))};
    o << transformOverrides(m_tf, -1) << optimisationOverrides(m_opt)
      << assign(QStringLiteral("optimization.precision"), scalar(m_precision->currentText())) << scheduleOverrides(m_sched)
      << assign(QStringLiteral("seed"), scalar(m_seed->text()))
      << assignBool(QStringLiteral("checkpoint.save_last"), m_saveLast->isChecked())
      << assignBool(QStringLiteral("checkpoint.save_best_loss"), m_saveBestLoss->isChecked())
      << assignBool(QStringLiteral("checkpoint.save_best_acc"), m_saveBestAcc->isChecked());
    return o;
}

TrainConfig TrainFormPanel::config() const
{
    return parseTrainConfig(baseYaml().toStdString(), "<form>", overrideList());
}

QString TrainFormPanel::check() const
{
    return checkWith(
        tr("<form>: key 'run.name' must be a folder name (not empty, no '/', not starting with '.')"), [this] { config(); },
        /*noBackslash=*/true);
}

void TrainFormPanel::loadYamlFile(const QString& path)
{
    setConfig(loadTrainConfig(path.toStdString()));
    const QString base = QFileInfo(path).completeBaseName();
    if (!base.isEmpty())
        m_name->setText(base);
}

QString TrainFormPanel::cliCommand(const QString& yamlFile, const QString& outDir) const
{
    return QStringLiteral("repalign-cli train --config %1 --out %2").arg(yamlFile, outDir);
}

std::int64_t TrainFormPanel::estimatedStepsPerEpoch() const
{
    bool ok = false;
    const qint64 cap = m_opt.maxSteps->text().toLongLong(&ok);
    std::int64_t images = 50000;
    const QString d = m_dataset->currentText();
    if (d == QLatin1String("mnist") || d == QLatin1String("fashion_mnist"))
        images = 60000;
    try {
        const DataSpec spec = parseDataSpec(m_train->text().trimmed().toStdString());
        if (spec.kind == "shapes" && spec.count > 0)
            images = spec.count;
    } catch (const Error&) {
    }
    std::int64_t steps = (images + m_opt.batch->value() - 1) / std::max(1, m_opt.batch->value());
    if (ok && cap > 0)
        steps = std::min<std::int64_t>(steps, cap);
    return std::max<std::int64_t>(1, steps);
}

void TrainFormPanel::updatePreview()
{
    TrainConfig c;
    try {
        c = config();
    } catch (const Error&) {
        return; // keep the last good curve while the user is typing
    }
    const std::int64_t perEpoch = estimatedStepsPerEpoch();
    const std::int64_t total = perEpoch * c.epochs;
    const int samples = static_cast<int>(std::min<std::int64_t>(total, 600));
    QVector<double> x(samples), y(samples);
    for (int i = 0; i < samples; ++i) {
        const std::int64_t step = samples > 1 ? i * (total - 1) / (samples - 1) : 0;
        x[i] = static_cast<double>(step) / perEpoch;
        y[i] = learningRate(c.schedule, step, perEpoch, c.optimizer.lr);
    }
    m_preview->graph(0)->setData(x, y, true);
    m_preview->rescaleAxes();
    const double top = m_preview->yAxis->range().upper;
    m_preview->yAxis->setRange(0, top > 0 ? top * 1.08 : 1);
    m_preview->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace repalign::gui
