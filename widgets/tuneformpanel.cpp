#include "tuneformpanel.h"

#include "common/error.h"
#include "models/registry.h"
#include "run/checkpoint_info.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace repalign::gui {

TuneFormPanel::TuneFormPanel(QWidget* parent)
    : ConfigForm(parent)
{
    const auto [left, right] = addColumns();

    QFormLayout* base = addSection(tr("Base model and brain data"), left);
    m_name = addNameRow(base, tr("Run name:"), QStringLiteral("tuned"), QStringLiteral("run.name"),
        tr("Folder created in the project for this run"));
    m_checkpoint = addCheckpointRow(base, tr("Base checkpoint:"), tr("Checkpoints (*.pt *.pth);;All files (*)"),
        tr("baseline checkpoint (.pt / .pth)"), QStringLiteral("base.checkpoint"),
        tr("The trained baseline; a copy becomes the student, the original the frozen teacher"));
    QLabel* checkpointNote = addNote(base);
    m_model = modelChoice(tr("from the checkpoint"));
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
    m_precision = new QComboBox;
    m_precision->addItems({QStringLiteral("fp32"), QStringLiteral("bf16"), QStringLiteral("fp16")});
    addRow(m_opt.form, tr("Precision:"), m_precision, QStringLiteral("optimization.precision"),
        tr("bf16: autocast on the CPU or CUDA (faster only with native bf16, see repalign-cli devices); fp16: CUDA only"));

    m_sched = addScheduleSection(right);
    // Bundle images are resized first, then cropped/flipped/normalised; validation uses the
    // same resize and normalisation without the random parts, as the reference does.
    m_tf = addTransformSection(right, /*withResize=*/true);

    const SystemFields sys = addSystemSection(right, {tr("System"), tr("Device:"), tr("CPU threads:"), tr("all cores"), {}},
        QStringLiteral("system.device"), QStringLiteral("system.threads"));
    m_device = sys.device;
    m_threads = sys.threads;
    m_seed = new QLineEdit;
    addRow(sys.form, tr("Seed:"), m_seed, QStringLiteral("seed"));
    right->addStretch(1);

    connect(m_model, &QComboBox::currentIndexChanged, this, &TuneFormPanel::updateTaps);
    inspectCheckpoints(m_checkpoint, checkpointNote, {tr("Reading the checkpoint…"), tr("%1 does not exist")},
        &TuneFormPanel::describe, [this] { updateTaps(); });
    updateTaps();
    setConfig(TuneConfig());
}

QString TuneFormPanel::tapModel() const
{
    QString model = m_model->currentData().toString();
    if (model.isEmpty())
        model = inspectedModel();
    if (model.isEmpty())
        model = m_loadedBaseModel.isEmpty() ? QStringLiteral("resnet18_cifar10") : m_loadedBaseModel;
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

void TuneFormPanel::setConfig(const TuneConfig& c)
{
    setBaseYaml(QString::fromStdString(tuneConfigToYaml(c)));
    m_loadedBaseModel = QString::fromStdString(c.baseModel);
    m_loadedOptimizer = QString::fromStdString(c.optimizer.type);
    m_loadedLrInit = c.schedule.lrInit;
    setCheckpointPath(m_checkpoint, QString::fromStdString(c.baseCheckpoint));
    setModelChoice(m_model, QString::fromStdString(c.baseModel));
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
    m_precision->setCurrentText(QString::fromStdString(c.precision));
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

QStringList TuneFormPanel::overrides() const
{
    QStringList rois;
    for (const QString& r : m_rois->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        rois << quoted(r.trimmed());
    QStringList o {assign(QStringLiteral("system.device"), scalar(m_device->currentText())),
        assign(QStringLiteral("system.threads"), QString::number(m_threads->value())),
        assignText(QStringLiteral("base.checkpoint"), checkpointPath(m_checkpoint)),
        assignText(QStringLiteral("base.model"), m_model->currentData().toString(), true),
        assignText(QStringLiteral("bundle"), m_bundle->text().trimmed()),
        assign(QStringLiteral("rois"), QLatin1Char('[') + rois.join(QStringLiteral(", ")) + QLatin1Char(']')),
        assign(QStringLiteral("tap"), scalar(m_tap->currentText())),
        assign(QStringLiteral("readout.pooling"), scalar(m_pooling->currentText())),
        assign(QStringLiteral("readout.activation"), scalar(m_activation->currentText())),
        assignBool(QStringLiteral("readout.freeze_backbone"), m_freeze->isChecked()),
        assign(QStringLiteral("alpha"), scalar(m_alpha->text()))};
    o << transformOverrides(m_tf, m_tf.resize->value());
    // Keeps the loaded config's split of the first step's rate (optimizer_params.lr, from the
    // base) from the constant rate (lr_init, the rate field) while the optimizer stays the same;
    // otherwise the rate field is lr.
    const bool splitLr = m_sched.type->currentText() == QLatin1String("constant") && m_loadedLrInit > 0
        && m_opt.optimizer->currentText() == m_loadedOptimizer;
    o << optimisationOverrides(m_opt, !splitLr) << scheduleOverrides(m_sched, splitLr ? m_opt.lr->text() : QString())
      << assign(QStringLiteral("optimization.precision"), scalar(m_precision->currentText()))
      << assignText(QStringLiteral("classification_val"), m_classVal->text().trimmed());
    const QString weight = m_rehearsalWeight->text().trimmed();
    if (m_rehearsalData->text().trimmed().isEmpty() && (weight.isEmpty() || weight.toDouble() == 0))
        o << assign(QStringLiteral("rehearsal"), QStringLiteral("null"));
    else
        o << assignText(QStringLiteral("rehearsal.data"), m_rehearsalData->text().trimmed())
          << assign(QStringLiteral("rehearsal.weight"), scalar(weight))
          << assign(QStringLiteral("rehearsal.batch_size"), QString::number(m_rehearsalBatch->value()));
    o << assign(QStringLiteral("seed"), scalar(m_seed->text()));
    return o;
}

TuneConfig TuneFormPanel::config() const
{
    return parseTuneConfig(baseYaml().toStdString(), "<form>", overrideList());
}

QString TuneFormPanel::check() const
{
    if (!isPlainName(runName()))
        return tr("<form>: key 'run.name' must be a folder name (not empty, no '/', not starting with '.')");
    if (checkpointPath(m_checkpoint).isEmpty())
        return tr("<form>: key 'base.checkpoint' is required: choose the baseline checkpoint to tune");
    if (m_bundle->text().trimmed().isEmpty())
        return tr("<form>: key 'bundle' is required: choose an NSD bundle (File ▸ Import NSD… writes one)");
    return checkWith({}, [this] { config(); });
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
