#include "analysisformpanel.h"

#include "common/error.h"
#include "data/dataset.h"
#include "models/registry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTextStream>
#include <QVBoxLayout>

namespace repalign::gui {

namespace {
const QStringList kKeys = {QStringLiteral("checkpoint"),   QStringLiteral("model"),       QStringLiteral("data"),
                           QStringLiteral("split"),        QStringLiteral("layer"),       QStringLiteral("aggregation"),
                           QStringLiteral("k"),            QStringLiteral("bottom_k"),    QStringLiteral("lpips_weights"),
                           QStringLiteral("lpips_resize"), QStringLiteral("ii_diagonal"), QStringLiteral("max_images"),
                           QStringLiteral("device"),       QStringLiteral("threads"),     QStringLiteral("batch_size"),
                           QStringLiteral("name")};
} // namespace

AnalysisFormPanel::AnalysisFormPanel(QWidget* parent) : ConfigForm(parent)
{
    auto* columns = new QHBoxLayout(this);
    auto* left = new QVBoxLayout;
    auto* right = new QVBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);

    QFormLayout* what = addSection(tr("Model and data"), left);
    m_name = new QLineEdit(QStringLiteral("layer4"));
    addRow(what, tr("Analysis name:"), m_name, QStringLiteral("name"),
           tr("Written as analysis/<name>.h5 in the checkpoint's run"));
    m_checkpoint = new QLineEdit;
    m_checkpoint->setPlaceholderText(tr("checkpoint (.pt / .pth)"));
    addRow(what, tr("Checkpoint:"), pathField(m_checkpoint, false, tr("Checkpoints (*.pt *.pth);;All files (*)")),
           QStringLiteral("checkpoint"));
    m_model = new QComboBox;
    m_model->addItem(tr("from the checkpoint"), QString());
    for (const std::string& n : modelNames())
        m_model->addItem(QString::fromStdString(n), QString::fromStdString(n));
    addRow(what, tr("Architecture:"), m_model, QStringLiteral("model"));
    m_data = new QLineEdit;
    m_data->setPlaceholderText(tr("cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]"));
    addRow(what, tr("Data:"), pathField(m_data, true, {}, [] { return QStringLiteral("cifar10"); }), QStringLiteral("data"));
    m_split = new QComboBox;
    m_split->addItems({QStringLiteral("test"), QStringLiteral("train")});
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

    QFormLayout* sys = addSection(tr("System"), right);
    m_device = new QComboBox;
    m_device->setEditable(true);
    m_device->addItems({QStringLiteral("cpu"), QStringLiteral("cuda"), QStringLiteral("cuda:0")});
    addRow(sys, tr("Device:"), m_device, QStringLiteral("device"));
    m_threads = new QSpinBox;
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all cores"));
    addRow(sys, tr("CPU threads:"), m_threads, QStringLiteral("threads"));
    m_batch = new QSpinBox;
    m_batch->setRange(1, 65536);
    addRow(sys, tr("Batch size:"), m_batch, QStringLiteral("batch_size"));
    right->addStretch(1);

    connect(m_model, &QComboBox::currentIndexChanged, this, &AnalysisFormPanel::updateTaps);
    updateTaps();
    setOptions(AnalyzeOptions());
}

void AnalysisFormPanel::updateTaps()
{
    QString model = m_model->currentData().toString();
    if (model.isEmpty())
        model = QStringLiteral("resnet18_cifar10");
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
    m_checkpoint->setText(path);
}
void AnalysisFormPanel::setData(const QString& spec)
{
    m_data->setText(spec);
}
QString AnalysisFormPanel::runName() const
{
    return m_name->text().trimmed();
}

void AnalysisFormPanel::setOptions(const AnalyzeOptions& o)
{
    m_checkpoint->setText(QString::fromStdString(o.checkpoint));
    const int mi = m_model->findData(QString::fromStdString(o.model));
    m_model->setCurrentIndex(mi < 0 ? 0 : mi);
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
    m_maxImages->setText(QString::number(o.maxImages));
    m_device->setCurrentText(QString::fromStdString(o.device));
    m_threads->setValue(o.threads);
    m_batch->setValue(o.batchSize);
    if (!o.out.empty())
        m_name->setText(QFileInfo(QString::fromStdString(o.out)).completeBaseName());
    validateNow();
}

QString AnalysisFormPanel::yaml() const
{
    QString y;
    QTextStream o(&y);
    o << "# Analysis settings written by RepAlign Workbench (keys = repalign-cli analyze options)\n";
    o << "name: " << quoted(runName()) << "\n";
    o << "checkpoint: " << quoted(m_checkpoint->text().trimmed()) << "\n";
    if (!m_model->currentData().toString().isEmpty())
        o << "model: " << m_model->currentData().toString() << "\n";
    o << "data: " << quoted(m_data->text().trimmed()) << "\n";
    o << "split: " << m_split->currentText() << "\n";
    o << "max_images: " << scalar(m_maxImages->text()) << "\n";
    o << "layer: " << scalar(m_layer->currentText()) << "\n";
    o << "aggregation: " << scalar(m_aggregation->currentText()) << "\n";
    o << "k: " << m_k->value() << "\n";
    o << "bottom_k: " << (m_bottomK->isChecked() ? "true" : "false") << "\n";
    o << "lpips_weights: " << quoted(m_lpips->text().trimmed()) << "\n";
    o << "lpips_resize: " << m_lpipsResize->value() << "\n";
    o << "ii_diagonal: " << m_diagonal->currentData().toString() << "\n";
    o << "device: " << scalar(m_device->currentText()) << "\n";
    o << "threads: " << m_threads->value() << "\n";
    o << "batch_size: " << m_batch->value() << "\n";
    return y;
}

AnalyzeOptions AnalysisFormPanel::parseYaml(const QString& text, const QString& origin)
{
    AnalyzeOptions o;
    const std::string org = origin.toStdString();
    static const QRegularExpression line(QStringLiteral("^([A-Za-z_]+)\\s*:\\s*(.*?)\\s*$"));
    auto fail = [&](const QString& key, const std::string& what) {
        throw Error(org + ": key '" + key.toStdString() + "' " + what);
    };
    auto integer = [&](const QString& key, const QString& v, long long lo, long long hi) {
        bool ok = false;
        const long long n = v.toLongLong(&ok);
        if (!ok)
            fail(key, "must be an integer, got '" + v.toStdString() + "'");
        if (n < lo || n > hi)
            fail(key, "= " + std::to_string(n) + " is out of range (valid: " + std::to_string(lo) + ".." + std::to_string(hi) + ")");
        return n;
    };
    for (QString raw : text.split(QLatin1Char('\n'))) {
        // Strip comments outside quotes.
        bool inQuote = false;
        for (int i = 0; i < raw.size(); ++i) {
            if (raw[i] == QLatin1Char('"'))
                inQuote = !inQuote;
            if (raw[i] == QLatin1Char('#') && !inQuote) {
                raw.truncate(i);
                break;
            }
        }
        if (raw.trimmed().isEmpty())
            continue;
        const auto m = line.match(raw);
        if (!m.hasMatch())
            throw Error(org + ": line '" + raw.trimmed().toStdString() + "' is not 'key: value'");
        const QString key = m.captured(1);
        QString v = m.captured(2);
        if (v.size() >= 2 && v.startsWith(QLatin1Char('"')) && v.endsWith(QLatin1Char('"')))
            v = v.mid(1, v.size() - 2).replace(QStringLiteral("\\\""), QStringLiteral("\"")).replace(QStringLiteral("\\\\"), QStringLiteral("\\"));
        const std::string s = v.toStdString();
        if (!kKeys.contains(key))
            throw Error(org + ": unknown key '" + key.toStdString() + "' (valid: " + kKeys.join(QStringLiteral(", ")).toStdString() + ")");
        if (key == QLatin1String("checkpoint"))
            o.checkpoint = s;
        else if (key == QLatin1String("model")) {
            if (!s.empty() && !isModelName(s))
                fail(key, "has invalid value '" + s + "' (valid: " + joinChoices(modelNames()) + ")");
            o.model = s;
        } else if (key == QLatin1String("data"))
            o.data = s;
        else if (key == QLatin1String("split")) {
            if (s != "test" && s != "train" && s != "val")
                fail(key, "has invalid value '" + s + "' (valid: test, train)");
            o.split = s;
        } else if (key == QLatin1String("layer"))
            o.layer = s;
        else if (key == QLatin1String("aggregation")) {
            try {
                requireAggregation(s);
            } catch (const Error& e) {
                fail(key, std::string("is invalid: ") + e.what());
            }
            o.aggregation = s;
        } else if (key == QLatin1String("k"))
            o.k = static_cast<int>(integer(key, v, 2, 1000));
        else if (key == QLatin1String("bottom_k"))
            o.bottomK = v == QLatin1String("true") || v == QLatin1String("True");
        else if (key == QLatin1String("lpips_weights"))
            o.lpipsWeights = s;
        else if (key == QLatin1String("lpips_resize"))
            o.lpipsResize = static_cast<int>(integer(key, v, 0, 4096));
        else if (key == QLatin1String("ii_diagonal")) {
            if (s != "include" && s != "exclude")
                fail(key, "has invalid value '" + s + "' (valid: include, exclude)");
            o.iiDiagonal = parseIIDiagonal(s);
        } else if (key == QLatin1String("max_images"))
            o.maxImages = integer(key, v, 0, 1LL << 40);
        else if (key == QLatin1String("device")) {
            if (s != "cpu" && s != "cuda" && s.rfind("cuda:", 0) != 0)
                fail(key, "has invalid value '" + s + "' (valid: cpu, cuda, cuda:N)");
            o.device = s;
        } else if (key == QLatin1String("threads"))
            o.threads = static_cast<int>(integer(key, v, 0, 1024));
        else if (key == QLatin1String("batch_size"))
            o.batchSize = static_cast<int>(integer(key, v, 1, 65536));
        else if (key == QLatin1String("name"))
            o.out = s.empty() ? s : s + ".h5";
    }
    if (o.checkpoint.empty())
        fail(QStringLiteral("checkpoint"), "is required: choose the checkpoint to analyse");
    if (o.data.empty())
        fail(QStringLiteral("data"), "is required (cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED])");
    try {
        parseDataSpec(o.data);
    } catch (const Error& e) {
        fail(QStringLiteral("data"), std::string("is invalid: ") + e.what());
    }
    const std::string model = o.model.empty() ? "resnet18_cifar10" : o.model;
    const auto taps = modelTaps(model);
    if (std::find(taps.begin(), taps.end(), o.layer) == taps.end())
        fail(QStringLiteral("layer"), "has invalid value '" + o.layer + "' for " + model + " (valid: " + joinChoices(taps) + ")");
    if (!o.lpipsWeights.empty() && o.lpipsWeights.rfind("random:", 0) != 0 && !QFileInfo::exists(QString::fromStdString(o.lpipsWeights)))
        fail(QStringLiteral("lpips_weights"), "names '" + o.lpipsWeights + "', which does not exist (leave empty to search, or random:SEED)");
    return o;
}

AnalyzeOptions AnalysisFormPanel::options() const
{
    AnalyzeOptions o = parseYaml(yaml(), QStringLiteral("<form>"));
    o.out.clear();
    return o;
}

QString AnalysisFormPanel::check() const
{
    const QString name = runName();
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.startsWith(QLatin1Char('.')))
        return tr("<form>: key 'name' must be a file name (not empty, no '/', not starting with '.')");
    try {
        options();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void AnalysisFormPanel::loadYamlFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw Error("cannot read '" + path.toStdString() + "'");
    AnalyzeOptions o = parseYaml(QString::fromUtf8(f.readAll()), path);
    if (o.out.empty())
        o.out = QFileInfo(path).completeBaseName().toStdString() + ".h5";
    setOptions(o);
}

QString AnalysisFormPanel::cliCommand(const QString& /*yamlFile*/, const QString& outDir) const
{
    AnalyzeOptions o;
    try {
        o = options();
    } catch (const Error&) {
    }
    QStringList args = {QStringLiteral("repalign-cli analyze"),
                        QStringLiteral("--checkpoint \"%1\"").arg(QString::fromStdString(o.checkpoint)),
                        QStringLiteral("--data \"%1\"").arg(QString::fromStdString(o.data)),
                        QStringLiteral("--split %1").arg(QString::fromStdString(o.split)),
                        QStringLiteral("--layer %1").arg(QString::fromStdString(o.layer)),
                        QStringLiteral("--aggregation %1").arg(QString::fromStdString(o.aggregation)),
                        QStringLiteral("--k %1").arg(o.k),
                        QStringLiteral("--ii-diagonal %1").arg(QString::fromLatin1(iiDiagonalName(o.iiDiagonal))),
                        QStringLiteral("--lpips-resize %1").arg(o.lpipsResize),
                        QStringLiteral("--device %1").arg(QString::fromStdString(o.device))};
    if (!o.model.empty())
        args << QStringLiteral("--model %1").arg(QString::fromStdString(o.model));
    if (!o.lpipsWeights.empty())
        args << QStringLiteral("--lpips-weights \"%1\"").arg(QString::fromStdString(o.lpipsWeights));
    if (o.bottomK)
        args << QStringLiteral("--bottom-k");
    if (o.maxImages > 0)
        args << QStringLiteral("--max-images %1").arg(o.maxImages);
    args << QStringLiteral("--out \"%1/%2.h5\"").arg(outDir, runName());
    return args.join(QStringLiteral(" \\\n    "));
}

} // namespace repalign::gui
