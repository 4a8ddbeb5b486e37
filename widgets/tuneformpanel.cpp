#include "tuneformpanel.h"

#include "background.h"

#include "common/error.h"
#include "models/registry.h"
#include "run/checkpoint_info.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTextStream>
#include <QVBoxLayout>

namespace repalign::gui {

TuneFormPanel::TuneFormPanel(QWidget* parent)
    : ConfigForm(parent)
{
    auto* columns = new QHBoxLayout(this);
    auto* left = new QVBoxLayout;
    auto* right = new QVBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);

    QFormLayout* base = addSection(tr("Base model and brain data"), left);
    m_name = new QLineEdit(QStringLiteral("tuned"));
    addRow(base, tr("Run name:"), m_name, QStringLiteral("run.name"), tr("Folder created in the project for this run"));
    m_checkpoint = new QComboBox;
    QWidget* checkpointBox = checkpointField(m_checkpoint, tr("Checkpoints (*.pt *.pth);;All files (*)"));
    m_checkpoint->lineEdit()->setPlaceholderText(tr("baseline checkpoint (.pt / .pth)"));
    addRow(base, tr("Base checkpoint:"), checkpointBox, QStringLiteral("base.checkpoint"),
        tr("The trained baseline; a copy becomes the student, the original the frozen teacher"));
    m_checkpointNote = new QLabel;
    m_checkpointNote->setEnabled(false);
    m_checkpointNote->setWordWrap(true);
    m_checkpointNote->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    base->addRow(QString(), m_checkpointNote);
    m_model = new QComboBox;
    m_model->addItem(tr("from the checkpoint"), QString());
    for (const std::string& n : modelNames())
        m_model->addItem(QString::fromStdString(n), QString::fromStdString(n));
    addRow(base, tr("Architecture:"), m_model, QStringLiteral("base.model"),
        tr("Only needed for PyTorch files that do not record it"));
    m_bundle = new QLineEdit;
    m_bundle->setPlaceholderText(tr("NSD bundle (.h5)"));
    addRow(base, tr("Bundle:"), pathField(m_bundle, false, tr("NSD bundles (*.h5 *.hdf5);;All files (*)")),
        QStringLiteral("bundle"), tr("Stimuli and voxel responses (File ▸ Import NSD… writes one)"));
    m_rois = new QLineEdit(QStringLiteral("V4"));
    addRow(base, tr("ROIs:"), m_rois, QStringLiteral("rois"), tr("Comma-separated; one readout per ROI"));
    m_classVal = new QLineEdit;
    addRow(base, tr("Accuracy data:"), m_classVal, QStringLiteral("classification_val"),
        tr("Data spec for the per-epoch classification accuracy; auto = the data the base run was validated on "
           "(else CIFAR-10 where found); none = skip"));

    QFormLayout* readout = addSection(tr("Readout and distillation"), left);
    m_tap = new QComboBox;
    addRow(readout, tr("Layer:"), m_tap, QStringLiteral("tap"), tr("Layer the readout reads"));
    m_pooling = new QComboBox;
    m_pooling->addItems({QStringLiteral("flatten"), QStringLiteral("mean")});
    addRow(readout, tr("Pooling:"), m_pooling, QStringLiteral("readout.pooling"),
        tr("flatten: every element (512×2×2 = 2048 inputs); mean: spatial mean"));
    m_activation = new QComboBox;
    m_activation->addItems({QStringLiteral("none"), QStringLiteral("elu1")});
    addRow(readout, tr("Output activation:"), m_activation, QStringLiteral("readout.activation"));
    m_freeze = new QCheckBox(tr("Freeze the backbone (train only the readout)"));
    addRow(readout, QString(), m_freeze, QStringLiteral("readout.freeze_backbone"));
    m_alpha = new QLineEdit;
    addRow(readout, tr("Alpha (KD weight):"), m_alpha, QStringLiteral("alpha"),
        tr("loss = MSE + alpha · KL(student ‖ teacher); 0 = no distillation"));

    QFormLayout* reh = addSection(tr("Rehearsal (original task)"), left);
    m_rehearsalData = new QLineEdit;
    m_rehearsalData->setPlaceholderText(tr("off (e.g. cifar10:data)"));
    addRow(reh, tr("Rehearsal data:"), m_rehearsalData, QStringLiteral("rehearsal.data"),
        tr("Data spec of the original task; each step also draws a batch of its training split"));
    m_rehearsalWeight = new QLineEdit;
    addRow(reh, tr("Rehearsal weight:"), m_rehearsalWeight, QStringLiteral("rehearsal.weight"),
        tr("loss += weight · cross-entropy on the true labels; 0 = off"));
    m_rehearsalBatch = new QSpinBox;
    m_rehearsalBatch->setRange(0, 65536);
    m_rehearsalBatch->setSpecialValueText(tr("as the tuning batch"));
    addRow(reh, tr("Rehearsal batch size:"), m_rehearsalBatch, QStringLiteral("rehearsal.batch_size"));
    left->addStretch(1);

    m_opt = addOptimisationSection(right, {QStringLiteral("adam"), QStringLiteral("sgd")});

    m_sched = addScheduleSection(right);
    // Bundle images are resized first, then cropped/flipped/normalised; validation uses the
    // same resize and normalisation without the random parts, as the reference does.
    m_tf = addTransformSection(right, /*withResize=*/true);

    QFormLayout* sys = addSection(tr("System"), right);
    m_device = new QComboBox;
    m_device->setEditable(true);
    m_device->addItems({QStringLiteral("cpu"), QStringLiteral("cuda"), QStringLiteral("cuda:0")});
    addRow(sys, tr("Device:"), m_device, QStringLiteral("system.device"));
    m_threads = new QSpinBox;
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all cores"));
    addRow(sys, tr("CPU threads:"), m_threads, QStringLiteral("system.threads"));
    m_seed = new QLineEdit;
    addRow(sys, tr("Seed:"), m_seed, QStringLiteral("seed"));
    right->addStretch(1);

    connect(m_model, &QComboBox::currentIndexChanged, this, &TuneFormPanel::updateTaps);
    // The checkpoint is read (architecture, tensors, readouts) off the UI thread, once typing pauses.
    m_inspectTimer.setSingleShot(true);
    m_inspectTimer.setInterval(300);
    connect(&m_inspectTimer, &QTimer::timeout, this, &TuneFormPanel::inspectCheckpoint);
    connect(m_checkpoint, &QComboBox::currentTextChanged, this, [this] {
        ++m_inspectGeneration; // a result for an older text is dropped
        m_inspectTimer.start();
    });
    updateTaps();
    setConfig(TuneConfig());
}

QString TuneFormPanel::tapModel() const
{
    QString model = m_model->currentData().toString();
    if (model.isEmpty())
        model = m_inspectedModel;
    if (model.isEmpty())
        model = QString::fromStdString(m_loaded.baseModel.empty() ? "resnet18_cifar10" : m_loaded.baseModel);
    return model;
}

void TuneFormPanel::updateTaps()
{
    // The registry's static table: no model is built.
    const QString model = tapModel();
    if (model == m_tapsModel && m_tap->count() > 0)
        return;
    m_tapsModel = model;
    const QString current = m_tap->currentText();
    QSignalBlocker block(m_tap);
    m_tap->clear();
    try {
        for (const std::string& t : modelTaps(model.toStdString()))
            m_tap->addItem(QString::fromStdString(t));
    } catch (const Error&) {
    }
    m_tap->setCurrentText(current.isEmpty() ? QStringLiteral("layer4") : current);
}

void TuneFormPanel::inspectCheckpoint()
{
    const QString path = checkpointPath(m_checkpoint);
    const int generation = m_inspectGeneration;
    if (path.isEmpty()) {
        m_checkpointNote->clear();
        m_inspectedModel.clear();
        updateTaps();
        return;
    }
    m_checkpointNote->setText(tr("Reading the checkpoint…"));
    struct Result {
        bool ok = false;
        CheckpointSummary summary;
        QString error;
    };
    runInBackground(
        this,
        [path] {
            Result r;
            try {
                if (!QFileInfo(path).isFile())
                    r.error = tr("%1 does not exist").arg(path);
                else {
                    r.summary = repalign::inspectCheckpoint(path.toStdString());
                    r.ok = true;
                }
            } catch (const std::exception& e) {
                r.error = QString::fromUtf8(e.what());
            }
            return r;
        },
        [this, generation](Result r) {
            if (generation != m_inspectGeneration)
                return; // the field changed meanwhile
            m_inspectedModel = r.ok ? QString::fromStdString(r.summary.model) : QString();
            m_checkpointNote->setText(r.ok ? describe(r.summary) : r.error);
            updateTaps();
            Q_EMIT checkpointInspected();
        });
}

QString TuneFormPanel::describe(const CheckpointSummary& s)
{
    QStringList parts;
    parts << (s.model.empty() ? tr("architecture not recorded (choose it below)") : QString::fromStdString(s.model));
    if (s.epoch > 0)
        parts << tr("epoch %1").arg(s.epoch);
    if (s.bestValAcc >= 0)
        parts << tr("best accuracy %1").arg(s.bestValAcc, 0, 'f', 3);
    parts << tr("%n tensor(s)", nullptr, static_cast<int>(s.tensors));
    if (!s.readouts.empty()) {
        QStringList areas;
        for (const std::string& a : s.readouts)
            areas << QString::fromStdString(a);
        parts << tr("readouts: %1").arg(areas.join(QStringLiteral(", ")));
    }
    return parts.join(QStringLiteral(" · "));
}

QString TuneFormPanel::inspectedModel() const
{
    return m_inspectedModel;
}

QString TuneFormPanel::checkpointNote() const
{
    return m_checkpointNote->text();
}

void TuneFormPanel::setRunName(const QString& name)
{
    m_name->setText(name);
}
void TuneFormPanel::setBaseCheckpoint(const QString& path)
{
    setCheckpointPath(m_checkpoint, path);
}
void TuneFormPanel::setBundle(const QString& path)
{
    m_bundle->setText(path);
}
QString TuneFormPanel::runName() const
{
    return m_name->text().trimmed();
}

void TuneFormPanel::setConfig(const TuneConfig& c)
{
    m_loaded = c;
    setCheckpointPath(m_checkpoint, QString::fromStdString(c.baseCheckpoint));
    const int mi = m_model->findData(QString::fromStdString(c.baseModel));
    m_model->setCurrentIndex(mi < 0 ? 0 : mi);
    m_bundle->setText(QString::fromStdString(c.bundle));
    QStringList rois;
    for (const auto& r : c.rois)
        rois << QString::fromStdString(r);
    m_rois->setText(rois.join(QStringLiteral(", ")));
    updateTaps();
    m_tap->setCurrentText(QString::fromStdString(c.tap));
    m_pooling->setCurrentText(QString::fromStdString(c.pooling));
    m_activation->setCurrentText(QString::fromStdString(c.activation));
    m_freeze->setChecked(c.freezeBackbone);
    m_alpha->setText(num(c.alpha));
    // The rate the run trains at: a constant schedule's lr_init where the config splits it from
    // the optimizer's own lr (the notebook's Adam 1e-3 first step, then 1e-4).
    setOptimisation(m_opt, c.epochs, c.batchSize, c.maxStepsPerEpoch, c.optimizer,
        c.schedule.type == "constant" && c.schedule.lrInit > 0 ? c.schedule.lrInit : c.optimizer.lr);
    setSchedule(m_sched, c.schedule, c.epochs);
    setTransforms(m_tf, c.trainTransforms);
    m_classVal->setText(QString::fromStdString(c.classificationVal));
    m_rehearsalData->setText(QString::fromStdString(c.rehearsal.data));
    m_rehearsalWeight->setText(num(c.rehearsal.weight));
    m_rehearsalBatch->setValue(c.rehearsal.batchSize);
    m_device->setCurrentText(QString::fromStdString(c.device));
    m_threads->setValue(c.threads);
    m_seed->setText(QString::number(c.seed));
    validateNow();
}

QString TuneFormPanel::yaml() const
{
    QString y;
    QTextStream o(&y);
    o << "# Neural fine-tuning config written by RepAlign Workbench\n";
    o << "system:\n  device: " << scalar(m_device->currentText()) << "\n  num_workers: " << m_loaded.numWorkers
      << "\n  threads: " << m_threads->value() << "\n";
    o << "base:\n  checkpoint: " << quoted(checkpointPath(m_checkpoint)) << "\n";
    if (!m_model->currentData().toString().isEmpty())
        o << "  model: " << m_model->currentData().toString() << "\n";
    if (!m_loaded.baseKey.empty())
        o << "  key: " << quoted(QString::fromStdString(m_loaded.baseKey)) << "\n";
    o << "bundle: " << quoted(m_bundle->text().trimmed()) << "\n";
    QStringList rois;
    for (const QString& r : m_rois->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        rois << quoted(r.trimmed());
    o << "rois: [" << rois.join(QStringLiteral(", ")) << "]\n";
    o << "tap: " << scalar(m_tap->currentText()) << "\n";
    o << "readout:\n  pooling: " << scalar(m_pooling->currentText()) << "\n  activation: " << scalar(m_activation->currentText())
      << "\n  freeze_backbone: " << (m_freeze->isChecked() ? "true" : "false") << "\n";
    o << "alpha: " << scalar(m_alpha->text()) << "\n";
    writeTransforms(o, m_tf, m_tf.resize->value());
    const bool sgd = m_opt.optimizer->currentText() == QLatin1String("sgd");
    o << "optimization:\n  epochs: " << m_opt.epochs->value() << "\n  batch_size: " << m_opt.batch->value() << "\n";
    o << "  optimizer: " << scalar(m_opt.optimizer->currentText()) << "\n";
    // Keeps the loaded config's split of the first step's rate (optimizer_params.lr) from the
    // constant rate (lr_init) while the optimizer stays the same; otherwise lr is the rate.
    const bool splitLr = m_sched.type->currentText() == QLatin1String("constant") && m_loaded.schedule.lrInit > 0
        && m_opt.optimizer->currentText() == QString::fromStdString(m_loaded.optimizer.type);
    o << "  optimizer_params:\n    lr: " << (splitLr ? num(m_loaded.optimizer.lr) : scalar(m_opt.lr->text()))
      << "\n    weight_decay: " << scalar(m_opt.weightDecay->text()) << "\n";
    if (sgd)
        o << "    momentum: " << scalar(m_opt.momentum->text())
          << "\n    nesterov: " << (m_opt.nesterov->isChecked() ? "True" : "False") << "\n";
    else
        o << "    betas: [" << num(m_loaded.optimizer.beta1) << ", " << num(m_loaded.optimizer.beta2)
          << "]\n    eps: " << num(m_loaded.optimizer.eps) << "\n";
    writeSchedule(o, m_sched);
    if (splitLr)
        o << "  lr_scheduling_params:\n    lr_init: " << scalar(m_opt.lr->text()) << "\n";
    o << "  max_steps_per_epoch: " << scalar(m_opt.maxSteps->text()) << "\n";
    o << "classification_val: " << quoted(m_classVal->text().trimmed()) << "\n";
    o << "classification_max_images: " << m_loaded.classificationMaxImages << "\n";
    if (!m_rehearsalData->text().trimmed().isEmpty()
        || (!m_rehearsalWeight->text().trimmed().isEmpty() && m_rehearsalWeight->text().trimmed().toDouble() != 0))
        o << "rehearsal:\n  data: " << quoted(m_rehearsalData->text().trimmed())
          << "\n  weight: " << scalar(m_rehearsalWeight->text()) << "\n  batch_size: " << m_rehearsalBatch->value() << "\n";
    o << "seed: " << scalar(m_seed->text()) << "\n";
    return y;
}

TuneConfig TuneFormPanel::config() const
{
    return parseTuneConfig(yaml().toStdString(), "<form>");
}

QString TuneFormPanel::check() const
{
    const QString name = runName();
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.startsWith(QLatin1Char('.')))
        return tr("<form>: key 'run.name' must be a folder name (not empty, no '/', not starting with '.')");
    if (checkpointPath(m_checkpoint).isEmpty())
        return tr("<form>: key 'base.checkpoint' is required: choose the baseline checkpoint to tune");
    if (m_bundle->text().trimmed().isEmpty())
        return tr("<form>: key 'bundle' is required: choose an NSD bundle (File ▸ Import NSD… writes one)");
    try {
        config();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void TuneFormPanel::loadYamlFile(const QString& path)
{
    setConfig(loadTuneConfig(path.toStdString()));
    m_name->setText(QFileInfo(path).completeBaseName());
}

QString TuneFormPanel::cliCommand(const QString& yamlFile, const QString& outDir) const
{
    return QStringLiteral("repalign-cli tune --config %1 --out %2").arg(yamlFile, outDir);
}

} // namespace repalign::gui
