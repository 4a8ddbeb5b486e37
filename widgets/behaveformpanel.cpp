#include "behaveformpanel.h"

#include "common/error.h"
#include "run/config.h"
#include "run/dataspec.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace repalign::gui {

namespace {

/// The form's keys: the `repalign-cli behave` options (pgd-linf / pgd-l2 become --pgd NORM:EPS).
const QStringList& formKeys()
{
    static const QStringList keys = {QStringLiteral("name"), QStringLiteral("checkpoint"), QStringLiteral("model"),
        QStringLiteral("data"), QStringLiteral("split"), QStringLiteral("max-images"), QStringLiteral("human"),
        QStringLiteral("human-raw"), QStringLiteral("corruptions"), QStringLiteral("corruption-names"),
        QStringLiteral("reference"), QStringLiteral("pgd-linf"), QStringLiteral("pgd-l2"), QStringLiteral("pgd-steps"),
        QStringLiteral("pgd-step-fraction"), QStringLiteral("pgd-random-start"), QStringLiteral("pgd-images"),
        QStringLiteral("bins"), QStringLiteral("bootstrap"), QStringLiteral("seed"), QStringLiteral("device"),
        QStringLiteral("threads"), QStringLiteral("batch-size")};
    return keys;
}

[[noreturn]] void fail(const QString& key, const std::string& what)
{
    throw Error("<form>: key '" + key.toStdString() + "' " + what);
}

std::int64_t integerField(const QLineEdit* e, const QString& key, std::int64_t min)
{
    bool ok = false;
    const qlonglong v = e->text().trimmed().toLongLong(&ok);
    if (!ok || v < min)
        fail(key, "must be a whole number >= " + std::to_string(min) + " (got '" + e->text().trimmed().toStdString() + "')");
    return v;
}

/// A value as a shell word: bare when it is plain, else in single quotes.
QString shellWord(const QString& s)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:,=+@%-]+$"));
    if (plain.match(s).hasMatch())
        return s;
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

QString epsText(const std::vector<double>& eps)
{
    QStringList parts;
    for (double e : eps)
        parts << QString::number(e, 'g', 10);
    return parts.join(QLatin1Char(','));
}

/// One `key: value` line of yaml(): the value unquoted (double-quoted strings unescaped).
QString unquote(const QString& raw, const QString& origin, int line)
{
    const QString v = raw.trimmed();
    if (!v.startsWith(QLatin1Char('"')))
        return v;
    if (v.size() < 2 || !v.endsWith(QLatin1Char('"')))
        throw Error(origin.toStdString() + ":" + std::to_string(line) + ": unterminated string " + v.toStdString());
    QString out;
    for (int i = 1; i < v.size() - 1; ++i) {
        if (v[i] == QLatin1Char('\\') && i + 1 < v.size() - 1) {
            ++i;
            out += v[i] == QLatin1Char('n') ? QLatin1Char('\n') : v[i];
        } else {
            out += v[i];
        }
    }
    return out;
}

} // namespace

BehaveFormPanel::BehaveFormPanel(QWidget* parent)
    : ConfigForm(parent)
{
    const auto [left, right] = addColumns();

    QFormLayout* what = addSection(tr("Model and data"), left);
    m_name = addNameRow(what, tr("Output name:"), QStringLiteral("behave"), QStringLiteral("name"),
        tr("Written as analysis/<name>.h5 in the checkpoint's run; an existing analysis of that name gains /behaviour"));
    m_checkpoint = addCheckpointRow(what, tr("Checkpoint:"), tr("Checkpoints (*.pt *.pth);;All files (*)"),
        tr("checkpoint (.pt / .pth)"), QStringLiteral("checkpoint"));
    m_model = modelChoice(tr("from the checkpoint"));
    addRow(what, tr("Architecture:"), m_model, QStringLiteral("model"));
    m_data = addDataRow(what, tr("Data:"), tr("cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]"), QStringLiteral("data"));
    m_split = new QComboBox;
    m_split->addItems({QStringLiteral("test"), QStringLiteral("train")});
    addRow(what, tr("Split:"), m_split, QStringLiteral("split"), tr("CIFAR-10H and CIFAR-10-C are of the CIFAR-10 test set"));
    m_maxImages = new QLineEdit(QStringLiteral("-1"));
    addRow(what, tr("Max images:"), m_maxImages, QStringLiteral("max-images"), tr("The first N images of the split (-1 = all)"));

    QFormLayout* human = addSection(tr("Human agreement (CIFAR-10H)"), left);
    m_human = new QLineEdit;
    m_human->setPlaceholderText(tr("cifar10h-probs.npy or cifar10h-counts.npy (empty: none)"));
    addRow(human, tr("Human labels:"), pathField(m_human, false, tr("NumPy arrays (*.npy);;All files (*)")),
        QStringLiteral("human"), tr("Cross-entropy, agreement with the majority and κ against the human label distribution"));
    m_humanRaw = new QLineEdit;
    m_humanRaw->setPlaceholderText(tr("cifar10h-raw.csv (optional)"));
    addRow(human, tr("Annotators:"), pathField(m_humanRaw, false, tr("CSV files (*.csv);;All files (*)")),
        QStringLiteral("human-raw"), tr("Error consistency (κ) per annotator, its median and CI"));
    QFormLayout* corr = addSection(tr("Corruptions (CIFAR-10-C)"), left);
    m_corruptions = new QLineEdit;
    m_corruptions->setPlaceholderText(tr("folder with <corruption>.npy and labels.npy (empty: none)"));
    addRow(corr, tr("Folder:"), pathField(m_corruptions, true), QStringLiteral("corruptions"),
        tr("The published CIFAR-10-C, or a folder written by repalign-cli corrupt"));
    m_corruptionNames = new QLineEdit;
    m_corruptionNames->setPlaceholderText(tr("all in the folder, or e.g. fog,contrast"));
    addRow(corr, tr("Only:"), m_corruptionNames, QStringLiteral("corruption-names"));
    m_reference = new QLineEdit;
    m_reference->setPlaceholderText(tr("behave .h5 of a reference model (CE, mCE; optional)"));
    addRow(corr, tr("Reference:"), pathField(m_reference, false, tr("HDF5 files (*.h5 *.hdf5);;All files (*)")),
        QStringLiteral("reference"));
    left->addStretch(1);

    QFormLayout* pgd = addSection(tr("PGD robustness"), right);
    m_linf = new QLineEdit(QStringLiteral("1,2,4,8"));
    m_linf->setPlaceholderText(tr("empty: no L∞ attack"));
    addRow(pgd, tr("L∞ ε (×1/255):"), m_linf, QStringLiteral("pgd-linf"), tr("Comma-separated, in 1/255 pixel steps"));
    m_l2 = new QLineEdit;
    m_l2->setPlaceholderText(tr("e.g. 0.25,0.5,1 (empty: no L2 attack)"));
    addRow(pgd, tr("L2 ε:"), m_l2, QStringLiteral("pgd-l2"), tr("Comma-separated, pixels in [0, 1]"));
    m_steps = new QSpinBox;
    m_steps->setRange(1, 10000);
    addRow(pgd, tr("Steps:"), m_steps, QStringLiteral("pgd-steps"));
    m_stepFraction = new QLineEdit;
    addRow(pgd, tr("Step size (× ε):"), m_stepFraction, QStringLiteral("pgd-step-fraction"));
    m_randomStart = new QCheckBox(tr("Start at a random point of the ε-ball"));
    addRow(pgd, QString(), m_randomStart, QStringLiteral("pgd-random-start"));
    m_pgdImages = new QLineEdit;
    addRow(pgd, tr("Images:"), m_pgdImages, QStringLiteral("pgd-images"), tr("PGD on the first N evaluated images (-1 = all)"));

    QFormLayout* stats = addSection(tr("Calibration and statistics"), right);
    m_bins = new QSpinBox;
    m_bins->setRange(1, 1000);
    addRow(stats, tr("Calibration bins:"), m_bins, QStringLiteral("bins"), tr("Equal-width confidence bins of the ECE"));
    m_bootstrap = new QSpinBox;
    m_bootstrap->setRange(0, 1000000);
    addRow(stats, tr("Bootstrap resamples:"), m_bootstrap, QStringLiteral("bootstrap"), tr("For the human metrics' 95% CIs"));
    m_seed = new QLineEdit;
    addRow(stats, tr("Seed:"), m_seed, QStringLiteral("seed"), tr("Random starts and bootstrap resamples"));

    const SystemFields sys = addSystemSection(right, {tr("System"), tr("Device:"), tr("CPU threads:"), tr("all cores"), {}},
        QStringLiteral("device"), QStringLiteral("threads"));
    m_device = sys.device;
    m_threads = sys.threads;
    m_batch = addBatchRow(sys.form, tr("Batch size:"), QStringLiteral("batch-size"));
    right->addStretch(1);

    setBaseYaml(QString()); // no base config: the fields are the whole mapping (block style)
    setOptions(behaviour::BehaveOptions());
    m_linf->setText(QStringLiteral("1,2,4,8"));
    validateNow();
}

void BehaveFormPanel::setCheckpoint(const QString& path)
{
    setCheckpointPath(m_checkpoint, path);
}

void BehaveFormPanel::setData(const QString& spec)
{
    m_data->setText(spec);
}

void BehaveFormPanel::setOptions(const behaviour::BehaveOptions& o)
{
    setCheckpointPath(m_checkpoint, QString::fromStdString(o.checkpoint));
    setModelChoice(m_model, QString::fromStdString(o.model));
    m_data->setText(QString::fromStdString(o.data));
    m_split->setCurrentText(QString::fromStdString(o.split));
    m_maxImages->setText(QString::number(o.maxImages));
    m_human->setText(QString::fromStdString(o.human));
    m_humanRaw->setText(QString::fromStdString(o.humanRaw));
    m_corruptions->setText(QString::fromStdString(o.corruptions));
    QStringList names;
    for (const std::string& n : o.corruptionNames)
        names << QString::fromStdString(n);
    m_corruptionNames->setText(names.join(QLatin1Char(',')));
    m_reference->setText(QString::fromStdString(o.reference));
    m_linf->clear();
    m_l2->clear();
    for (const behaviour::PgdRequest& p : o.pgd)
        (p.norm == "l2" ? m_l2 : m_linf)->setText(epsText(p.eps));
    m_steps->setValue(o.pgdSteps);
    m_stepFraction->setText(QString::number(o.pgdStepFraction, 'g', 10));
    m_randomStart->setChecked(o.pgdRandomStart);
    m_pgdImages->setText(QString::number(o.pgdImages));
    m_bins->setValue(o.bins);
    m_bootstrap->setValue(o.bootstrap);
    m_seed->setText(QString::number(o.seed));
    m_device->setCurrentText(QString::fromStdString(o.device));
    m_threads->setValue(o.threads);
    m_batch->setValue(o.batchSize);
    if (!o.out.empty())
        m_name->setText(QFileInfo(QString::fromStdString(o.out)).completeBaseName());
    validateNow();
}

behaviour::BehaveOptions BehaveFormPanel::options() const
{
    behaviour::BehaveOptions o;
    o.checkpoint = checkpointPath(m_checkpoint).toStdString();
    if (o.checkpoint.empty())
        fail(QStringLiteral("checkpoint"), "is required (a .pt or .pth file)");
    if (!QFileInfo(QString::fromStdString(o.checkpoint)).isFile())
        fail(QStringLiteral("checkpoint"), "'" + o.checkpoint + "' does not exist");
    o.model = m_model->currentData().toString().toStdString();
    o.data = m_data->text().trimmed().toStdString();
    if (o.data.empty())
        fail(QStringLiteral("data"), "is required (a data spec such as cifar10:DIR or shapes:200)");
    try {
        parseDataSpec(o.data);
    } catch (const Error& e) {
        fail(QStringLiteral("data"), std::string(": ") + e.what());
    }
    o.split = m_split->currentText().toStdString();
    o.maxImages = integerField(m_maxImages, QStringLiteral("max-images"), -1);
    if (o.maxImages == 0)
        fail(QStringLiteral("max-images"), "must be -1 (all) or a positive number of images");
    auto file = [](const QLineEdit* e, const QString& key, bool folder) {
        const QString p = e->text().trimmed();
        if (!p.isEmpty() && !(folder ? QFileInfo(p).isDir() : QFileInfo(p).isFile()))
            fail(key, "'" + p.toStdString() + (folder ? "' is not a folder" : "' does not exist"));
        return p.toStdString();
    };
    o.human = file(m_human, QStringLiteral("human"), false);
    o.humanRaw = file(m_humanRaw, QStringLiteral("human-raw"), false);
    if (!o.humanRaw.empty() && o.human.empty())
        fail(QStringLiteral("human-raw"), "needs the human labels (cifar10h-probs.npy or cifar10h-counts.npy) as well");
    o.corruptions = file(m_corruptions, QStringLiteral("corruptions"), true);
    for (const QString& n : m_corruptionNames->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!n.trimmed().isEmpty())
            o.corruptionNames.push_back(n.trimmed().toStdString());
    if (!o.corruptionNames.empty() && o.corruptions.empty())
        fail(QStringLiteral("corruption-names"), "needs the corruptions folder as well");
    o.reference = file(m_reference, QStringLiteral("reference"), false);
    if (!o.reference.empty() && o.corruptions.empty())
        fail(QStringLiteral("reference"), "needs the corruptions folder as well (CE is a corruption error)");
    for (const auto& [edit, norm] : {std::pair {m_linf, "linf"}, std::pair {m_l2, "l2"}}) {
        const QString eps = edit->text().simplified().remove(QLatin1Char(' '));
        if (eps.isEmpty())
            continue;
        try {
            o.pgd.push_back(behaviour::parsePgdRequest(std::string(norm) + ":" + eps.toStdString()));
        } catch (const Error& e) {
            fail(QStringLiteral("pgd-") + QLatin1String(norm), std::string(": ") + e.what());
        }
    }
    o.pgdSteps = m_steps->value();
    bool ok = false;
    o.pgdStepFraction = m_stepFraction->text().trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(o.pgdStepFraction) || o.pgdStepFraction <= 0)
        fail(QStringLiteral("pgd-step-fraction"),
            "must be a positive number (step size = ε × fraction; got '" + m_stepFraction->text().trimmed().toStdString() + "')");
    o.pgdRandomStart = m_randomStart->isChecked();
    o.pgdImages = integerField(m_pgdImages, QStringLiteral("pgd-images"), -1);
    if (o.pgdImages == 0)
        fail(QStringLiteral("pgd-images"), "must be -1 (all) or a positive number of images");
    o.bins = m_bins->value();
    o.bootstrap = m_bootstrap->value();
    o.seed = static_cast<std::uint64_t>(integerField(m_seed, QStringLiteral("seed"), 0));
    o.device = m_device->currentText().trimmed().toStdString();
    o.threads = m_threads->value();
    o.batchSize = m_batch->value();
    return o;
}

QString BehaveFormPanel::check() const
{
    return checkWith(
        tr("<form>: key 'name' must be a file name (not empty, no '/', not starting with '.')"), [this] { options(); });
}

QStringList BehaveFormPanel::overrides() const
{
    // Keys as the behave options; an empty optional file drops its key.
    QStringList o;
    o << assignText(QStringLiteral("name"), runName()) << assignText(QStringLiteral("checkpoint"), checkpointPath(m_checkpoint))
      << assignText(QStringLiteral("model"), m_model->currentData().toString(), true)
      << assignText(QStringLiteral("data"), m_data->text().trimmed())
      << assign(QStringLiteral("split"), scalar(m_split->currentText()))
      << assign(QStringLiteral("max-images"), scalar(m_maxImages->text()));
    for (const auto& [key, edit] : {std::pair {"human", m_human}, std::pair {"human-raw", m_humanRaw},
             std::pair {"corruptions", m_corruptions}, std::pair {"corruption-names", m_corruptionNames},
             std::pair {"reference", m_reference}, std::pair {"pgd-linf", m_linf}, std::pair {"pgd-l2", m_l2}})
        o << assignText(QLatin1String(key), edit->text().trimmed(), true);
    o << assign(QStringLiteral("pgd-steps"), QString::number(m_steps->value()))
      << assign(QStringLiteral("pgd-step-fraction"), scalar(m_stepFraction->text()))
      << assign(QStringLiteral("pgd-random-start"), m_randomStart->isChecked() ? QStringLiteral("on") : QStringLiteral("off"))
      << assign(QStringLiteral("pgd-images"), scalar(m_pgdImages->text()))
      << assign(QStringLiteral("bins"), QString::number(m_bins->value()))
      << assign(QStringLiteral("bootstrap"), QString::number(m_bootstrap->value()))
      << assign(QStringLiteral("seed"), scalar(m_seed->text()))
      << assign(QStringLiteral("device"), scalar(m_device->currentText()))
      << assign(QStringLiteral("threads"), QString::number(m_threads->value()))
      << assign(QStringLiteral("batch-size"), QString::number(m_batch->value()));
    return o;
}

void BehaveFormPanel::loadYamlFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        throw Error("cannot read '" + path.toStdString() + "'");
    // The core's YAML reader checks the syntax (line and column) and writes the mapping one key a line.
    const std::string normalised = yamlWithOverrides(f.readAll().toStdString(), {}, path.toStdString());
    const QStringList lines = QString::fromStdString(normalised).split(QLatin1Char('\n'));
    QHash<QString, QString> values;
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const int colon = line.indexOf(QLatin1Char(':'));
        const QString key = colon > 0 ? line.left(colon).trimmed() : QString();
        if (key.isEmpty())
            throw Error(
                path.toStdString() + ":" + std::to_string(i + 1) + ": expected 'key: value', got '" + line.toStdString() + "'");
        if (!formKeys().contains(key))
            throw Error(path.toStdString() + ": key '" + key.toStdString()
                + "' is not a behave setting (valid: " + formKeys().join(QStringLiteral(", ")).toStdString() + ")");
        values.insert(key, unquote(line.mid(colon + 1), path, i + 1));
    }
    setOptions(behaviour::BehaveOptions()); // what the file leaves out is the default (no PGD, no human files)
    auto text = [&](const QString& key, QLineEdit* e) {
        if (values.contains(key))
            e->setText(values.value(key));
    };
    auto number = [&](const QString& key, QSpinBox* s) {
        if (!values.contains(key))
            return;
        bool ok = false;
        const int v = values.value(key).toInt(&ok);
        if (!ok || v < s->minimum() || v > s->maximum())
            throw Error(path.toStdString() + ": key '" + key.toStdString() + "' must be a whole number in "
                + std::to_string(s->minimum()) + ".." + std::to_string(s->maximum()) + " (got '" + values.value(key).toStdString()
                + "')");
        s->setValue(v);
    };
    auto choice = [&](const QString& key, QComboBox* c, const QStringList& valid) {
        if (!values.contains(key))
            return;
        const QString v = values.value(key);
        if (!valid.isEmpty() && !valid.contains(v))
            throw Error(path.toStdString() + ": key '" + key.toStdString() + "' must be one of "
                + valid.join(QStringLiteral(", ")).toStdString() + " (got '" + v.toStdString() + "')");
        c->setCurrentText(v);
    };
    text(QStringLiteral("name"), m_name);
    if (!values.contains(QStringLiteral("name")))
        m_name->setText(QFileInfo(path).completeBaseName());
    if (values.contains(QStringLiteral("checkpoint")))
        setCheckpointPath(m_checkpoint, values.value(QStringLiteral("checkpoint")));
    if (values.contains(QStringLiteral("model"))) {
        const int mi = m_model->findData(values.value(QStringLiteral("model")));
        if (mi < 0)
            throw Error(path.toStdString() + ": key 'model' names no known architecture ('"
                + values.value(QStringLiteral("model")).toStdString() + "')");
        m_model->setCurrentIndex(mi);
    } else {
        m_model->setCurrentIndex(0);
    }
    text(QStringLiteral("data"), m_data);
    choice(QStringLiteral("split"), m_split, {QStringLiteral("test"), QStringLiteral("train")});
    text(QStringLiteral("max-images"), m_maxImages);
    text(QStringLiteral("human"), m_human);
    text(QStringLiteral("human-raw"), m_humanRaw);
    text(QStringLiteral("corruptions"), m_corruptions);
    text(QStringLiteral("corruption-names"), m_corruptionNames);
    text(QStringLiteral("reference"), m_reference);
    text(QStringLiteral("pgd-linf"), m_linf);
    text(QStringLiteral("pgd-l2"), m_l2);
    number(QStringLiteral("pgd-steps"), m_steps);
    text(QStringLiteral("pgd-step-fraction"), m_stepFraction);
    if (values.contains(QStringLiteral("pgd-random-start"))) {
        const QString v = values.value(QStringLiteral("pgd-random-start"));
        if (v != QLatin1String("on") && v != QLatin1String("off"))
            throw Error(path.toStdString() + ": key 'pgd-random-start' must be on or off (got '" + v.toStdString() + "')");
        m_randomStart->setChecked(v == QLatin1String("on"));
    }
    text(QStringLiteral("pgd-images"), m_pgdImages);
    number(QStringLiteral("bins"), m_bins);
    number(QStringLiteral("bootstrap"), m_bootstrap);
    text(QStringLiteral("seed"), m_seed);
    choice(QStringLiteral("device"), m_device, {});
    number(QStringLiteral("threads"), m_threads);
    number(QStringLiteral("batch-size"), m_batch);
    validateNow();
}

QStringList BehaveFormPanel::cliArguments(const QString& out) const
{
    const behaviour::BehaveOptions o = options();
    QStringList a;
    auto add = [&a](const QString& option, const QString& value) { a << option << shellWord(value); };
    add(QStringLiteral("--checkpoint"), QString::fromStdString(o.checkpoint));
    if (!o.model.empty())
        add(QStringLiteral("--model"), QString::fromStdString(o.model));
    add(QStringLiteral("--data"), QString::fromStdString(o.data));
    add(QStringLiteral("--split"), QString::fromStdString(o.split));
    if (o.maxImages >= 0)
        add(QStringLiteral("--max-images"), QString::number(o.maxImages));
    if (!o.human.empty())
        add(QStringLiteral("--human"), QString::fromStdString(o.human));
    if (!o.humanRaw.empty())
        add(QStringLiteral("--human-raw"), QString::fromStdString(o.humanRaw));
    if (!o.corruptions.empty())
        add(QStringLiteral("--corruptions"), QString::fromStdString(o.corruptions));
    if (!o.corruptionNames.empty()) {
        QStringList names;
        for (const std::string& n : o.corruptionNames)
            names << QString::fromStdString(n);
        add(QStringLiteral("--corruption-names"), names.join(QLatin1Char(',')));
    }
    if (!o.reference.empty())
        add(QStringLiteral("--reference"), QString::fromStdString(o.reference));
    for (const behaviour::PgdRequest& p : o.pgd)
        add(QStringLiteral("--pgd"), QString::fromStdString(p.norm) + QLatin1Char(':') + epsText(p.eps));
    if (!o.pgd.empty()) {
        add(QStringLiteral("--pgd-steps"), QString::number(o.pgdSteps));
        add(QStringLiteral("--pgd-step-fraction"), QString::number(o.pgdStepFraction, 'g', 10));
        add(QStringLiteral("--pgd-random-start"), o.pgdRandomStart ? QStringLiteral("on") : QStringLiteral("off"));
        add(QStringLiteral("--pgd-images"), QString::number(o.pgdImages));
    }
    add(QStringLiteral("--bins"), QString::number(o.bins));
    if (!o.human.empty())
        add(QStringLiteral("--bootstrap"), QString::number(o.bootstrap));
    add(QStringLiteral("--seed"), QString::number(o.seed));
    add(QStringLiteral("--batch-size"), QString::number(o.batchSize));
    add(QStringLiteral("--device"), QString::fromStdString(o.device));
    if (o.threads > 0)
        add(QStringLiteral("--threads"), QString::number(o.threads));
    add(QStringLiteral("--out"), out);
    return a;
}

QString BehaveFormPanel::cliCommand(const QString&, const QString& outDir) const
{
    // behave has no config file: the command line carries every setting of the form.
    return QStringLiteral("repalign-cli behave ")
        + cliArguments(QStringLiteral("%1/%2.h5").arg(outDir, runName())).join(QLatin1Char(' '));
}

} // namespace repalign::gui
