#include "analysisformpanel.h"

#include "common/error.h"
#include "data/dataset.h"
#include "models/registry.h"
#include "run/analyze_config.h"
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

AnalysisFormPanel::AnalysisFormPanel(QWidget* parent)
    : ConfigForm(parent)
{
    const auto [left, right] = addColumns();

    QFormLayout* what = addSection(tr("Model and data"), left);
    m_preset = new QComboBox;
    m_preset->addItem(tr("Workbench defaults (layer4, centre, k = 5, ii_diagonal exclude)"), QStringLiteral("defaults"));
    m_preset->addItem(
        tr("Reference study (layer4, centre, k = 5, LPIPS at 64 px, ii_diagonal include)"), QStringLiteral("reference"));
    m_preset->setToolTip(tr("Fills the layer, aggregation, k, LPIPS side and II convention; every field stays editable. "
                            "The reference's published II values use ii_diagonal include."));
    what->addRow(tr("Preset:"), m_preset);
    connect(m_preset, &QComboBox::activated, this, [this](int index) { applyPreset(m_preset->itemData(index).toString()); });
    m_name = addNameRow(what, tr("Analysis name:"), QStringLiteral("layer4"), QStringLiteral("name"),
        tr("Written as analysis/<name>.h5 in the checkpoint's run"));
    m_checkpoint = addCheckpointRow(what, tr("Checkpoint:"), tr("Checkpoints (*.pt *.pth);;All files (*)"),
        tr("checkpoint (.pt / .pth)"), QStringLiteral("checkpoint"));
    QLabel* checkpointNote = addNote(what);
    m_model = modelChoice(tr("from the checkpoint"));
    addRow(what, tr("Architecture:"), m_model, QStringLiteral("model"));
    m_data = addDataRow(what, tr("Data:"), tr("cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]"), QStringLiteral("data"));
    m_split = new QComboBox;
    m_split->addItems({QStringLiteral("test"), QStringLiteral("train"), QStringLiteral("val")});
    addRow(what, tr("Split:"), m_split, QStringLiteral("split"));
    m_maxImages = new QLineEdit(QStringLiteral("0"));
    addRow(what, tr("Max images:"), m_maxImages, QStringLiteral("max_images"), tr("Use only the first N images (0 = all)"));

    QFormLayout* units = addSection(tr("Units and MEIs"), left);
    m_layer = new QComboBox;
    addRow(units, tr("Layer:"), m_layer, QStringLiteral("layer"), tr("The model's taps, in forward order"));
    m_aggregation = new QComboBox;
    for (const std::string& a : aggregationNames())
        m_aggregation->addItem(QString::fromStdString(a));
    addRow(units, tr("Aggregation:"), m_aggregation, QStringLiteral("aggregation"),
        tr("center = element [H/2, W/2] (the reference); flatten keeps every element"));
    m_k = new QSpinBox;
    m_k->setRange(2, 100);
    addRow(units, tr("MEIs per unit (k):"), m_k, QStringLiteral("k"));
    m_bottomK = new QCheckBox(tr("Also keep the k least exciting images"));
    addRow(units, QString(), m_bottomK, QStringLiteral("bottom_k"));
    left->addStretch(1);

    QFormLayout* ii = addSection(tr("Interpretability Index"), right);
    m_lpips = new QLineEdit;
    m_lpips->setPlaceholderText(tr("search the usual places (empty) or random:SEED"));
    addRow(ii, tr("LPIPS weights:"), pathField(m_lpips, false, tr("PyTorch weights (*.pth *.pt);;All files (*)")),
        QStringLiteral("lpips_weights"),
        tr("AlexNet + LPIPS v0.1 linear layers; random:SEED gives an uncalibrated LPIPS (marked everywhere)"));
    m_lpipsResize = new QSpinBox;
    m_lpipsResize->setRange(0, 1024);
    m_lpipsResize->setSpecialValueText(tr("as is"));
    addRow(ii, tr("LPIPS input side:"), m_lpipsResize, QStringLiteral("lpips_resize"),
        tr("MEIs are resized to this side first (reference: 32 → 64)"));
    m_diagonal = new QComboBox;
    m_diagonal->addItem(tr("exclude (pairs i<j)"), QStringLiteral("exclude"));
    m_diagonal->addItem(tr("include (reference numbers)"), QStringLiteral("include"));
    addRow(ii, tr("II convention:"), m_diagonal, QStringLiteral("ii_diagonal"),
        tr("include averages the full k×k matrix with its zero diagonal, as the reference code"));
    auto* diagonalNote
        = new QLabel(tr("To compare with the reference's published numbers choose include: its mean over the full k×k matrix "
                        "counts the k diagonal entries, so II-LPIPS and II-color are (k−1)/k of the pairwise (exclude) mean "
                        "(0.8 at k = 5; II-color is also negated), and II-label is (1 + (k−1)·share)/k."));
    diagonalNote->setWordWrap(true);
    diagonalNote->setEnabled(false);
    ii->addRow(QString(), diagonalNote);
    // analyze --ii-on: the II over the dataset MEIs, or over each unit's synthesised images.
    m_iiOn = new QComboBox;
    m_iiOn->addItem(tr("the dataset MEIs"), QStringLiteral("dataset"));
    m_iiOn->addItem(tr("synthesised images in this analysis file (/synth)"), QStringLiteral("synth"));
    m_iiOn->addItem(tr("synthesised images of another file"), QStringLiteral("file"));
    addRow(ii, tr("II on:"), m_iiOn, QString(),
        tr("Synthesised images: the II over each unit's images from Visualise (repalign-cli visualize), added to the "
           "analysis file as /ii_synth; needs no checkpoint or data"));
    m_synthFile = new QLineEdit;
    m_synthFile->setPlaceholderText(tr("a file with /synth (repalign-cli visualize --out FILE)"));
    m_synthFile->setEnabled(false);
    addRow(ii, tr("Synthesised images:"), pathField(m_synthFile, false, tr("HDF5 files (*.h5 *.hdf5);;All files (*)")),
        QStringLiteral("ii_on"), tr("The file whose /synth is read; the II is written to this analysis's file"));
    connect(m_iiOn, &QComboBox::currentIndexChanged, this,
        [this] { m_synthFile->setEnabled(m_iiOn->currentData().toString() == QLatin1String("file")); });

    const SystemFields sys = addSystemSection(right, {tr("System"), tr("Device:"), tr("CPU threads:"), tr("all cores"), {}},
        QStringLiteral("device"), QStringLiteral("threads"));
    m_device = sys.device;
    m_threads = sys.threads;
    m_batch = addBatchRow(sys.form, tr("Batch size:"), QStringLiteral("batch_size"));
    m_precision = new QComboBox;
    m_precision->addItems({QStringLiteral("fp32"), QStringLiteral("bf16"), QStringLiteral("fp16")});
    addRow(sys.form, tr("Precision:"), m_precision, QStringLiteral("precision"),
        tr("the model's forward pass; bf16: autocast on the CPU or CUDA (LPIPS stays fp32); fp16: CUDA only"));
    right->addStretch(1);

    connect(m_model, &QComboBox::currentIndexChanged, this, &AnalysisFormPanel::updateTaps);
    inspectCheckpoints(m_checkpoint, checkpointNote, {tr("Reading the checkpoint…"), tr("%1 does not exist")},
        &AnalysisFormPanel::describe, [this] { updateTaps(); });
    updateTaps();
    setOptions(AnalyzeOptions());
}

QString AnalysisFormPanel::tapModel() const
{
    QString model = m_model->currentData().toString();
    if (model.isEmpty())
        model = inspectedModel();
    return model;
}

QString AnalysisFormPanel::describe(const CheckpointSummary& s)
{
    QString note = s.model.empty() ? tr("architecture not recorded (choose it below)") : QString::fromStdString(s.model);
    if (s.epoch > 0)
        note += tr(" · epoch %1").arg(s.epoch);
    if (!s.readouts.empty())
        note += tr(" · tuned (readout %1)").arg(QString::fromStdString(s.readouts.front()));
    return note;
}

void AnalysisFormPanel::updateTaps()
{
    // The registry's static table: no model is built. Before the checkpoint is read, the
    // ResNet taps are offered.
    QString model = tapModel();
    if (model.isEmpty())
        model = QStringLiteral("resnet18_cifar10");
    if (model == m_tapsModel && m_layer->count() > 0) {
        scheduleValidate();
        return;
    }
    m_tapsModel = model;
    const QString current = m_layer->currentText();
    QSignalBlocker block(m_layer);
    m_layer->clear();
    try {
        for (const std::string& t : modelTaps(model.toStdString()))
            m_layer->addItem(QString::fromStdString(t));
    } catch (const Error&) {
    }
    m_layer->setCurrentText(current.isEmpty() ? QStringLiteral("layer4") : current);
    scheduleValidate();
}

void AnalysisFormPanel::setCheckpoint(const QString& path)
{
    setCheckpointPath(m_checkpoint, path);
}
void AnalysisFormPanel::setData(const QString& spec)
{
    m_data->setText(spec);
}

QStringList AnalysisFormPanel::presetKeys() const
{
    QStringList keys;
    for (int i = 0; i < m_preset->count(); ++i)
        keys << m_preset->itemData(i).toString();
    return keys;
}

void AnalysisFormPanel::applyPreset(const QString& key)
{
    const int index = m_preset->findData(key);
    if (index < 0)
        throw Error(
            "unknown preset '" + key.toStdString() + "' (valid: " + presetKeys().join(QStringLiteral(", ")).toStdString() + ")");
    m_preset->setCurrentIndex(index);
    const AnalyzeOptions d; // the reference's layer, aggregation, k and LPIPS side are the defaults
    updateTaps();
    m_layer->setCurrentText(QString::fromStdString(d.layer));
    m_aggregation->setCurrentText(QString::fromStdString(d.aggregation));
    m_k->setValue(d.k);
    m_lpipsResize->setValue(d.lpipsResize);
    m_diagonal->setCurrentIndex(key == QLatin1String("reference") ? 1 : 0);
    validateNow();
}

void AnalysisFormPanel::setOptions(const AnalyzeOptions& o)
{
    setBaseYaml(QString::fromStdString(analyzeConfigToYaml(o)));
    setCheckpointPath(m_checkpoint, QString::fromStdString(o.checkpoint));
    setModelChoice(m_model, QString::fromStdString(o.model));
    updateTaps();
    m_data->setText(QString::fromStdString(o.data));
    m_split->setCurrentText(QString::fromStdString(o.split));
    m_layer->setCurrentText(QString::fromStdString(o.layer));
    m_aggregation->setCurrentText(QString::fromStdString(o.aggregation));
    m_k->setValue(o.k);
    m_bottomK->setChecked(o.bottomK);
    m_lpips->setText(QString::fromStdString(o.lpipsWeights));
    m_lpipsResize->setValue(o.lpipsResize);
    m_diagonal->setCurrentIndex(o.iiDiagonal == IIDiagonal::Include ? 1 : 0);
    const bool synthFile = o.iiOn.rfind("synth:", 0) == 0;
    m_iiOn->setCurrentIndex(m_iiOn->findData(synthFile ? QStringLiteral("file") : QString::fromStdString(o.iiOn)));
    m_synthFile->setText(synthFile ? QString::fromStdString(o.iiOn.substr(6)) : QString());
    m_synthFile->setEnabled(synthFile);
    m_maxImages->setText(QString::number(o.maxImages));
    m_device->setCurrentText(QString::fromStdString(o.device));
    m_threads->setValue(o.threads);
    m_batch->setValue(o.batchSize);
    m_precision->setCurrentText(QString::fromStdString(o.precision));
    if (!o.out.empty())
        m_name->setText(QFileInfo(QString::fromStdString(o.out)).completeBaseName());
    validateNow();
}

QString AnalysisFormPanel::iiOn() const
{
    const QString mode = m_iiOn->currentData().toString();
    return mode == QLatin1String("file") ? QStringLiteral("synth:") + m_synthFile->text().trimmed() : mode;
}

QStringList AnalysisFormPanel::overrides() const
{
    return {assignText(QStringLiteral("name"), runName()), assignText(QStringLiteral("checkpoint"), checkpointPath(m_checkpoint)),
        assignText(QStringLiteral("model"), m_model->currentData().toString(), true),
        assignText(QStringLiteral("data"), m_data->text().trimmed()),
        assign(QStringLiteral("split"), scalar(m_split->currentText())),
        assign(QStringLiteral("max_images"), scalar(m_maxImages->text())),
        assignText(QStringLiteral("layer"), m_layer->currentText()),
        assign(QStringLiteral("aggregation"), scalar(m_aggregation->currentText())),
        assign(QStringLiteral("k"), QString::number(m_k->value())),
        assignBool(QStringLiteral("bottom_k"), m_bottomK->isChecked()),
        assignText(QStringLiteral("lpips_weights"), m_lpips->text().trimmed()),
        assign(QStringLiteral("lpips_resize"), QString::number(m_lpipsResize->value())),
        assign(QStringLiteral("ii_diagonal"), m_diagonal->currentData().toString()), assignText(QStringLiteral("ii_on"), iiOn()),
        assign(QStringLiteral("device"), scalar(m_device->currentText())),
        assign(QStringLiteral("threads"), QString::number(m_threads->value())),
        assign(QStringLiteral("batch_size"), QString::number(m_batch->value())),
        assign(QStringLiteral("precision"), scalar(m_precision->currentText()))};
}

AnalyzeOptions AnalysisFormPanel::options() const
{
    // The core's parser, as `repalign-cli analyze --config` reads the same YAML; the layer is
    // checked against the architecture the checkpoint records once it has been read.
    AnalyzeOptions o = parseAnalyzeConfig(baseYaml().toStdString(), "<form>", {}, overrideList());
    if (o.model.empty() && !inspectedModel().isEmpty())
        requireAnalyzeLayer(o.layer, inspectedModel().toStdString(), "<form>");
    o.out.clear();
    return o;
}

QString AnalysisFormPanel::check() const
{
    return checkWith(
        tr("<form>: key 'name' must be a file name (not empty, no '/', not starting with '.')"), [this] { options(); });
}

void AnalysisFormPanel::loadYamlFile(const QString& path)
{
    AnalyzeOptions o = loadAnalyzeConfig(path.toStdString());
    if (o.out.empty())
        o.out = QFileInfo(path).completeBaseName().toStdString() + ".h5";
    setOptions(o);
}

QString AnalysisFormPanel::cliCommand(const QString& yamlFile, const QString& outDir) const
{
    return QStringLiteral("repalign-cli analyze --config %1 --out \"%2/%3.h5\"").arg(yamlFile, outDir, runName());
}

} // namespace repalign::gui
