#include "configform.h"

#include "background.h"

#include "common/error.h"
#include "models/registry.h"
#include "run/checkpoint_info.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace repalign::gui {

ConfigForm::ConfigForm(QWidget* parent)
    : QWidget(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(120);
    connect(&m_timer, &QTimer::timeout, this, &ConfigForm::validateNow);
}

ConfigForm::Columns ConfigForm::addColumns()
{
    auto* columns = new QHBoxLayout(this);
    Columns c {new QVBoxLayout, new QVBoxLayout};
    columns->addLayout(c.left, 1);
    columns->addLayout(c.right, 1);
    return c;
}

QLineEdit* ConfigForm::addNameRow(
    QFormLayout* form, const QString& label, const QString& initial, const QString& key, const QString& help)
{
    m_nameField = new QLineEdit(initial);
    addRow(form, label, m_nameField, key, help);
    return m_nameField;
}

QString ConfigForm::runName() const
{
    return m_nameField ? m_nameField->text().trimmed() : QString();
}

QComboBox* ConfigForm::addCheckpointRow(QFormLayout* form, const QString& label, const QString& filter,
    const QString& placeholder, const QString& key, const QString& help)
{
    auto* combo = new QComboBox;
    QWidget* box = checkpointField(combo, filter);
    combo->lineEdit()->setPlaceholderText(placeholder);
    addRow(form, label, box, key, help);
    return combo;
}

QComboBox* ConfigForm::modelChoice(const QString& fromCheckpoint)
{
    auto* combo = new QComboBox;
    combo->addItem(fromCheckpoint, QString());
    for (const std::string& n : modelNames())
        combo->addItem(QString::fromStdString(n), QString::fromStdString(n));
    return combo;
}

void ConfigForm::setModelChoice(QComboBox* combo, const QString& name)
{
    const int i = combo->findData(name);
    combo->setCurrentIndex(i < 0 ? 0 : i);
}

QLineEdit* ConfigForm::addDataRow(QFormLayout* form, const QString& label, const QString& placeholder, const QString& key)
{
    auto* edit = new QLineEdit;
    edit->setPlaceholderText(placeholder);
    addRow(form, label, pathField(edit, true, {}, [] { return QStringLiteral("cifar10"); }), key);
    return edit;
}

ConfigForm::SystemFields ConfigForm::addSystemSection(
    QVBoxLayout* column, const SystemTexts& texts, const QString& deviceKey, const QString& threadsKey)
{
    SystemFields f;
    f.form = addSection(texts.title, column);
    f.device = new QComboBox;
    f.device->setEditable(true);
    f.device->addItems({QStringLiteral("cpu"), QStringLiteral("cuda"), QStringLiteral("cuda:0")});
    addRow(f.form, texts.device, f.device, deviceKey, texts.deviceHelp);
    f.threads = new QSpinBox;
    f.threads->setRange(0, 1024);
    f.threads->setSpecialValueText(texts.allCores);
    addRow(f.form, texts.threads, f.threads, threadsKey);
    return f;
}

QLineEdit* ConfigForm::addLineRow(QFormLayout* form, const QString& label, const QString& key, const QString& help)
{
    auto* edit = new QLineEdit;
    addRow(form, label, edit, key, help);
    return edit;
}

QSpinBox* ConfigForm::addBatchRow(QFormLayout* form, const QString& label, const QString& key)
{
    auto* batch = new QSpinBox;
    batch->setRange(1, 65536);
    addRow(form, label, batch, key);
    return batch;
}

bool ConfigForm::isPlainName(const QString& name, bool noBackslash)
{
    return !(name.isEmpty() || name.contains(QLatin1Char('/')) || (noBackslash && name.contains(QLatin1Char('\\')))
        || name.startsWith(QLatin1Char('.')));
}

QString ConfigForm::checkWith(const QString& nameError, const std::function<void()>& parse, bool noBackslash) const
{
    if (!isPlainName(runName(), noBackslash))
        return nameError;
    try {
        parse();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QLabel* ConfigForm::addNote(QFormLayout* form)
{
    auto* note = new QLabel;
    note->setEnabled(false);
    note->setWordWrap(true);
    note->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    form->addRow(QString(), note);
    return note;
}

void ConfigForm::inspectCheckpoints(QComboBox* combo, QLabel* note, const InspectTexts& texts,
    std::function<QString(const CheckpointSummary&)> describe, std::function<void()> updated)
{
    m_inspected = combo;
    m_checkpointNote = note;
    m_inspectTexts = texts;
    m_describe = std::move(describe);
    m_inspectUpdated = std::move(updated);
    // The checkpoint is read (architecture, tensors, readouts) off the UI thread, once typing pauses.
    m_inspectTimer.setSingleShot(true);
    m_inspectTimer.setInterval(300);
    connect(&m_inspectTimer, &QTimer::timeout, this, &ConfigForm::inspectCheckpoint);
    connect(combo, &QComboBox::currentTextChanged, this, [this] {
        ++m_inspectGeneration; // a result for an older text is dropped
        m_inspectTimer.start();
    });
}

QString ConfigForm::checkpointNote() const
{
    return m_checkpointNote ? m_checkpointNote->text() : QString();
}

void ConfigForm::inspectCheckpoint()
{
    const QString path = checkpointPath(m_inspected);
    const int generation = m_inspectGeneration;
    if (path.isEmpty()) {
        m_checkpointNote->clear();
        m_inspectedModel.clear();
        m_inspectUpdated();
        return;
    }
    m_checkpointNote->setText(m_inspectTexts.reading);
    struct Result {
        bool ok = false;
        CheckpointSummary summary;
        QString error;
    };
    runInBackground(
        this,
        [path, missing = m_inspectTexts.missing] {
            Result r;
            try {
                if (!QFileInfo(path).isFile()) {
                    r.error = missing.arg(path);
                } else {
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
            m_checkpointNote->setText(r.ok ? m_describe(r.summary) : r.error);
            m_inspectUpdated();
            Q_EMIT checkpointInspected();
        });
}

QFormLayout* ConfigForm::addSection(const QString& title, QVBoxLayout* column)
{
    auto* box = new QGroupBox(title);
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    column->addWidget(box);
    return form;
}

void ConfigForm::addRow(QFormLayout* form, const QString& label, QWidget* widget, const QString& key, const QString& help)
{
    auto* holder = new QWidget;
    auto* v = new QVBoxLayout(holder);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(2);
    v->addWidget(widget);
    auto* error = new QLabel;
    error->setWordWrap(true);
    error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    error->setVisible(false);
    error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(error);
    if (!help.isEmpty()) {
        widget->setToolTip(help);
        widget->setWhatsThis(help);
    }
    form->addRow(label, holder);
    if (!key.isEmpty()) {
        // For composite rows (path + browse button, combo + note) the editable child is the field.
        QWidget* field = widget;
        if (!qobject_cast<QLineEdit*>(widget) && !qobject_cast<QComboBox*>(widget) && !qobject_cast<QAbstractButton*>(widget)
            && !qobject_cast<QSpinBox*>(widget)) {
            if (auto* c = widget->findChild<QComboBox*>(QString(), Qt::FindDirectChildrenOnly))
                field = c;
            else if (auto* e = widget->findChild<QLineEdit*>())
                field = e;
            else if (auto* c = widget->findChild<QComboBox*>())
                field = c;
        }
        m_fields.insert(key, field);
        m_errors.insert(key, error);
        widget->setAccessibleName(label);
    }
    watch(widget);
}

void ConfigForm::watch(QWidget* widget)
{
    if (auto* e = qobject_cast<QLineEdit*>(widget))
        connect(e, &QLineEdit::textChanged, this, &ConfigForm::scheduleValidate);
    else if (auto* c = qobject_cast<QComboBox*>(widget)) {
        connect(c, &QComboBox::currentTextChanged, this, &ConfigForm::scheduleValidate);
    } else if (auto* s = qobject_cast<QSpinBox*>(widget))
        connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &ConfigForm::scheduleValidate);
    else if (auto* b = qobject_cast<QCheckBox*>(widget))
        connect(b, &QCheckBox::toggled, this, &ConfigForm::scheduleValidate);
    else if (auto* t = qobject_cast<QPlainTextEdit*>(widget))
        connect(t, &QPlainTextEdit::textChanged, this, &ConfigForm::scheduleValidate);
    else
        for (QObject* child : widget->children())
            if (auto* w = qobject_cast<QWidget*>(child))
                watch(w);
}

void ConfigForm::scheduleValidate()
{
    Q_EMIT changed();
    m_timer.start();
}

bool ConfigForm::validateNow()
{
    m_timer.stop();
    const QString message = check();
    showError(message);
    return message.isEmpty();
}

void ConfigForm::showError(const QString& message)
{
    const bool changedState = message != m_error;
    m_error = message;
    for (QLabel* l : m_errors) {
        l->clear();
        l->setVisible(false);
    }
    for (QWidget* w : m_fields)
        w->setStyleSheet(QString());
    m_shownKey.clear();
    if (!message.isEmpty()) {
        // The parser names the key: "FILE: key 'optimization.optimizer_params.lr' must be ...".
        static const QRegularExpression keyRe(QStringLiteral("(?:key|Schlüssel) '([^']+)'"));
        const auto m = keyRe.match(message);
        QString key = m.hasMatch() ? m.captured(1) : QString();
        // A message about a parent key (a list, a block) goes to the first field under it.
        if (!key.isEmpty() && !m_errors.contains(key))
            for (auto it = m_errors.begin(); it != m_errors.end(); ++it)
                if (it.key().startsWith(key + QLatin1Char('.')) || key.startsWith(it.key() + QLatin1Char('.'))) {
                    key = it.key();
                    break;
                }
        QString shown = message;
        // Drop the "<form>: " origin prefix: the field is right there.
        const int colon = shown.indexOf(QStringLiteral(": "));
        if (colon > 0 && shown.left(colon).startsWith(QLatin1Char('<')))
            shown = shown.mid(colon + 2);
        if (m_errors.contains(key)) {
            m_errors[key]->setText(shown);
            m_errors[key]->setVisible(true);
            if (auto* w = m_fields.value(key); w && (qobject_cast<QLineEdit*>(w) || qobject_cast<QComboBox*>(w)))
                w->setStyleSheet(QStringLiteral("border: 1px solid #c0392b; border-radius: 2px;"));
            m_shownKey = key;
        }
    }
    if (changedState)
        Q_EMIT validityChanged(message.isEmpty(), message);
}

QString ConfigForm::fieldError(const QString& key) const
{
    QLabel* l = m_errors.value(key);
    return l && !l->isHidden() ? l->text() : QString();
}

ConfigForm::ScheduleFields ConfigForm::addScheduleSection(QVBoxLayout* column)
{
    ScheduleFields f;
    f.form = addSection(tr("Learning-rate schedule"), column);
    f.type = new QComboBox;
    f.type->addItems({QStringLiteral("constant"), QStringLiteral("linear_warmup_cosine_decay")});
    addRow(f.form, tr("Schedule:"), f.type, QStringLiteral("optimization.lr_scheduling"));
    f.warmupStart
        = addLineRow(f.form, tr("Warm-up start LR:"), QStringLiteral("optimization.lr_scheduling_params.warmup_start_lr"));
    f.baseLr = addLineRow(f.form, tr("Base LR:"), QStringLiteral("optimization.lr_scheduling_params.base_lr"));
    f.warmup = addLineRow(f.form, tr("Warm-up (epochs):"), QStringLiteral("optimization.lr_scheduling_params.warmup_steps"),
        tr("In epochs, as the reference configs give it; the LR changes every step"));
    f.maxEpochs = addLineRow(f.form, tr("Decay ends (epoch):"), QStringLiteral("optimization.lr_scheduling_params.max_steps"));
    f.etaMin = addLineRow(f.form, tr("Minimum LR:"), QStringLiteral("optimization.lr_scheduling_params.eta_min"));
    f.firstStep = new QComboBox;
    f.firstStep->addItems({QStringLiteral("reference"), QStringLiteral("schedule")});
    addRow(f.form, tr("First step's rate:"), f.firstStep, QStringLiteral("optimization.first_step_lr"),
        tr("reference: step 0 at the optimiser's own rate, as the reference code does (its scheduler sets a "
           "rate only after the first optimizer.step()); schedule: the schedule from step 0"));
    connect(f.type, &QComboBox::currentTextChanged, this, [f](const QString& s) {
        const bool warm = s == QLatin1String("linear_warmup_cosine_decay");
        for (QLineEdit* e : {f.warmupStart, f.baseLr, f.warmup, f.maxEpochs, f.etaMin})
            e->setEnabled(warm);
    });
    return f;
}

ConfigForm::OptimisationFields ConfigForm::addOptimisationSection(QVBoxLayout* column, const QStringList& optimizers)
{
    OptimisationFields f;
    f.form = addSection(tr("Optimisation"), column);
    f.epochs = new QSpinBox;
    f.epochs->setRange(1, 100000);
    addRow(f.form, tr("Epochs:"), f.epochs, QStringLiteral("optimization.epochs"));
    f.batch = new QSpinBox;
    f.batch->setRange(1, 65536);
    addRow(f.form, tr("Batch size:"), f.batch, QStringLiteral("optimization.batch_size"),
        tr("Per process: a data-parallel run of N ranks steps on N times this many images"));
    f.maxSteps = addLineRow(f.form, tr("Max steps per epoch:"), QStringLiteral("optimization.max_steps_per_epoch"),
        tr("Caps each epoch for smoke runs; 0 = whole epoch"));
    f.optimizer = new QComboBox;
    f.optimizer->addItems(optimizers);
    addRow(f.form, tr("Optimiser:"), f.optimizer, QStringLiteral("optimization.optimizer"));
    f.lr = addLineRow(f.form, tr("Learning rate:"), QStringLiteral("optimization.optimizer_params.lr"));
    f.weightDecay = addLineRow(f.form, tr("Weight decay:"), QStringLiteral("optimization.optimizer_params.weight_decay"),
        tr("L2 penalty added to the gradient (as torch.optim)"));
    f.momentum = addLineRow(f.form, tr("Momentum:"), QStringLiteral("optimization.optimizer_params.momentum"));
    f.nesterov = new QCheckBox(tr("Nesterov momentum"));
    addRow(f.form, QString(), f.nesterov, QStringLiteral("optimization.optimizer_params.nesterov"));
    connect(f.optimizer, &QComboBox::currentTextChanged, this, [f](const QString& s) {
        const bool sgd = s == QLatin1String("sgd");
        f.momentum->setEnabled(sgd);
        f.nesterov->setEnabled(sgd);
    });
    return f;
}

void ConfigForm::setOptimisation(const OptimisationFields& f, int epochs, int batchSize, std::int64_t maxStepsPerEpoch,
    const OptimizerConfig& optimizer, double lr)
{
    f.epochs->setValue(epochs);
    f.batch->setValue(batchSize);
    f.maxSteps->setText(QString::number(maxStepsPerEpoch));
    f.optimizer->setCurrentText(QString::fromStdString(optimizer.type));
    f.lr->setText(num(lr));
    f.weightDecay->setText(num(optimizer.weightDecay));
    f.momentum->setText(num(optimizer.momentum));
    f.nesterov->setChecked(optimizer.nesterov);
    const bool sgd = optimizer.type == "sgd";
    f.momentum->setEnabled(sgd);
    f.nesterov->setEnabled(sgd);
}

ConfigForm::TransformFields ConfigForm::addTransformSection(QVBoxLayout* column, bool withResize)
{
    TransformFields f;
    QFormLayout* aug = addSection(tr("Augmentation and normalisation"), column);
    if (withResize) {
        f.resize = new QSpinBox;
        f.resize->setRange(8, 4096);
        addRow(aug, tr("Resize to:"), f.resize, QStringLiteral("train_transforms.resize"),
            tr("Side the bundle images are resized to before cropping (the reference: 32)"));
    }
    f.crop = new QSpinBox;
    f.crop->setRange(0, 4096);
    f.crop->setSpecialValueText(tr("no crop"));
    addRow(aug, tr("Random crop size:"), f.crop, QStringLiteral("train_transforms.random_crop.size"));
    f.padding = new QSpinBox;
    f.padding->setRange(0, 256);
    addRow(aug, tr("Crop padding:"), f.padding, QStringLiteral("train_transforms.random_crop.padding"));
    f.flip = new QCheckBox(tr("Random horizontal flip"));
    addRow(aug, QString(), f.flip, QStringLiteral("train_transforms.horizontal_flip"));
    f.mean = new QLineEdit;
    addRow(aug, tr("Mean (R, G, B):"), f.mean, QStringLiteral("train_transforms.norm_mean"),
        tr("Per-channel mean on the 0..1 scale"));
    f.std = new QLineEdit;
    addRow(aug, tr("Std (R, G, B):"), f.std, QStringLiteral("train_transforms.norm_std"));
    return f;
}

QStringList ConfigForm::scheduleOverrides(const ScheduleFields& f, const QString& lrInit)
{
    const QString p = QStringLiteral("optimization.lr_scheduling_params.");
    QStringList o {assign(QStringLiteral("optimization.lr_scheduling"), scalar(f.type->currentText())),
        assign(QStringLiteral("optimization.first_step_lr"), scalar(f.firstStep->currentText())),
        assign(p + QStringLiteral("lr_init"), lrInit.isEmpty() ? QStringLiteral("null") : scalar(lrInit))};
    if (f.type->currentText() == QLatin1String("linear_warmup_cosine_decay"))
        o << assign(p + QStringLiteral("warmup_start_lr"), scalar(f.warmupStart->text()))
          << assign(p + QStringLiteral("base_lr"), scalar(f.baseLr->text()))
          << assign(p + QStringLiteral("warmup_steps"), scalar(f.warmup->text()))
          << assign(p + QStringLiteral("max_steps"), scalar(f.maxEpochs->text()))
          << assign(p + QStringLiteral("eta_min"), scalar(f.etaMin->text()));
    return o;
}

QStringList ConfigForm::optimisationOverrides(const OptimisationFields& f, bool withLr)
{
    const QString p = QStringLiteral("optimization.optimizer_params.");
    QStringList o {assign(QStringLiteral("optimization.epochs"), QString::number(f.epochs->value())),
        assign(QStringLiteral("optimization.batch_size"), QString::number(f.batch->value())),
        assign(QStringLiteral("optimization.max_steps_per_epoch"), scalar(f.maxSteps->text())),
        assign(QStringLiteral("optimization.optimizer"), scalar(f.optimizer->currentText())),
        assign(p + QStringLiteral("weight_decay"), scalar(f.weightDecay->text()))};
    if (withLr)
        o << assign(p + QStringLiteral("lr"), scalar(f.lr->text()));
    if (f.optimizer->currentText() == QLatin1String("sgd"))
        o << assign(p + QStringLiteral("momentum"), scalar(f.momentum->text()))
          << assignBool(p + QStringLiteral("nesterov"), f.nesterov->isChecked());
    else
        o << assign(p + QStringLiteral("momentum"), QStringLiteral("null"))
          << assign(p + QStringLiteral("nesterov"), QStringLiteral("null"))
          << assign(p + QStringLiteral("dampening"), QStringLiteral("null"));
    return o;
}

QStringList ConfigForm::transformOverrides(const TransformFields& f, int resize)
{
    QStringList o;
    for (const bool train : {true, false}) {
        const QString p = train ? QStringLiteral("train_transforms.") : QStringLiteral("val_transforms.");
        o << assign(p + QStringLiteral("resize"), QString::number(resize));
        if (train && f.crop->value() > 0)
            o << assign(p + QStringLiteral("random_crop"), QStringLiteral("{}"))
              << assign(p + QStringLiteral("random_crop.size"), QString::number(f.crop->value()))
              << assign(p + QStringLiteral("random_crop.padding"), QString::number(f.padding->value()));
        else
            o << assign(p + QStringLiteral("random_crop"), QStringLiteral("{}"));
        o << assignBool(p + QStringLiteral("horizontal_flip"), train && f.flip->isChecked())
          << assign(p + QStringLiteral("norm_mean"), listYaml(f.mean->text()))
          << assign(p + QStringLiteral("norm_std"), listYaml(f.std->text()));
    }
    return o;
}

QString ConfigForm::assignText(const QString& key, const QString& text, bool nullWhenEmpty)
{
    return assign(key, nullWhenEmpty && text.isEmpty() ? QStringLiteral("null") : quoted(text));
}

QString ConfigForm::assignBool(const QString& key, bool value)
{
    return assign(key, value ? QStringLiteral("true") : QStringLiteral("false"));
}

std::vector<std::string> ConfigForm::overrideList() const
{
    std::vector<std::string> out;
    for (const QString& o : overrides())
        out.push_back(o.toStdString());
    return out;
}

QString ConfigForm::yaml() const
{
    try {
        return QString::fromStdString(yamlWithOverrides(m_baseYaml.toStdString(), overrideList(), "<form>"));
    } catch (const Error&) {
        return m_baseYaml;
    }
}

void ConfigForm::setSchedule(const ScheduleFields& f, const ScheduleConfig& c, int epochs)
{
    f.type->setCurrentText(QString::fromStdString(c.type));
    f.warmupStart->setText(num(c.warmupStartLr));
    f.baseLr->setText(num(c.baseLr));
    f.warmup->setText(num(c.warmupEpochs));
    f.maxEpochs->setText(num(c.maxEpochs > 0 ? c.maxEpochs : epochs)); // a usable end when switching to warm-up/cosine
    f.etaMin->setText(num(c.etaMin));
    f.firstStep->setCurrentText(QString::fromStdString(c.firstStepLr));
    const bool warm = c.type == "linear_warmup_cosine_decay";
    for (QLineEdit* e : {f.warmupStart, f.baseLr, f.warmup, f.maxEpochs, f.etaMin})
        e->setEnabled(warm);
}

void ConfigForm::setTransforms(const TransformFields& f, const TransformConfig& c)
{
    if (f.resize)
        f.resize->setValue(c.resize);
    f.crop->setValue(c.cropSize);
    f.padding->setValue(c.padding);
    f.flip->setChecked(c.horizontalFlip);
    f.mean->setText(triple(c.mean));
    f.std->setText(triple(c.std));
}

QString ConfigForm::num(double v)
{
    return QString::number(v, 'g', 10);
}

QString ConfigForm::triple(const std::array<double, 3>& a)
{
    return QStringLiteral("%1, %2, %3").arg(num(a[0]), num(a[1]), num(a[2]));
}

QString ConfigForm::listYaml(const QString& text)
{
    QStringList out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString p = part.trimmed();
        bool ok = false;
        p.toDouble(&ok);
        out << (ok ? p : QLatin1Char('"') + QString(p).replace(QLatin1Char('"'), QLatin1Char('\'')) + QLatin1Char('"'));
    }
    return QLatin1Char('[') + out.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QString ConfigForm::quoted(const QString& text)
{
    QString s = text;
    s.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    s.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    s.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return QLatin1Char('"') + s + QLatin1Char('"');
}

QString ConfigForm::scalar(const QString& text)
{
    static const QRegularExpression number(QStringLiteral("^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$"));
    const QString t = text.trimmed();
    if (number.match(t).hasMatch())
        return t;
    if (t == QLatin1String("true") || t == QLatin1String("false"))
        return t;
    return quoted(t);
}

namespace {

/// @p field with a "…" browse button (tool tip @p toolTip) beside it, in one widget.
std::pair<QWidget*, QToolButton*> withBrowseButton(QWidget* field, const QString& toolTip)
{
    auto* box = new QWidget;
    auto* h = new QHBoxLayout(box);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(4);
    h->addWidget(field, 1);
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(toolTip);
    h->addWidget(browse);
    return {box, browse};
}

} // namespace

QWidget* ConfigForm::pathField(QLineEdit* edit, bool directory, const QString& filter, std::function<QString()> prefix)
{
    const auto [box, browse] = withBrowseButton(edit, directory ? tr("Choose a folder") : tr("Choose a file"));
    connect(browse, &QToolButton::clicked, this, [this, edit, directory, filter, prefix] {
        QString current = edit->text();
        const int colon = current.indexOf(QLatin1Char(':'));
        if (prefix && colon > 0)
            current = current.mid(colon + 1);
        const QString chosen = directory ? QFileDialog::getExistingDirectory(this, tr("Choose a folder"), current)
                                         : QFileDialog::getOpenFileName(this, tr("Choose a file"), current, filter);
        if (chosen.isEmpty())
            return;
        edit->setText(prefix ? prefix() + QLatin1Char(':') + chosen : chosen);
    });
    return box;
}

QWidget* ConfigForm::checkpointField(QComboBox* combo, const QString& filter)
{
    combo->setEditable(true);
    combo->setInsertPolicy(QComboBox::NoInsert);
    combo->setCompleter(nullptr); // paths are typed as they are, never completed to a label
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(20);
    combo->setToolTip(tr("A checkpoint of this project's runs, or type or browse for any .pt / .pth file"));
    m_checkpointFields << combo;
    const auto [box, browse] = withBrowseButton(combo, tr("Choose a checkpoint file outside the project"));
    connect(browse, &QToolButton::clicked, this, [this, combo, filter] {
        const QString chosen = QFileDialog::getOpenFileName(this, tr("Choose a checkpoint"), checkpointPath(combo), filter);
        if (!chosen.isEmpty())
            setCheckpointPath(combo, chosen);
    });
    return box;
}

QString ConfigForm::checkpointPath(const QComboBox* combo)
{
    const QString text = combo->currentText().trimmed();
    const int i = combo->findText(text);
    return i >= 0 ? combo->itemData(i).toString() : text;
}

void ConfigForm::setCheckpointPath(QComboBox* combo, const QString& path)
{
    const int i = combo->findData(path);
    if (i >= 0 && !path.isEmpty())
        combo->setCurrentIndex(i);
    combo->setEditText(i >= 0 && !path.isEmpty() ? combo->itemText(i) : path);
}

void ConfigForm::setProjectCheckpoints(const QList<ProjectCheckpoint>& checkpoints)
{
    for (QComboBox* combo : m_checkpointFields) {
        // Unchanged list: nothing to do (the scan repeats as the project changes).
        bool same = combo->count() == checkpoints.size();
        for (int i = 0; same && i < checkpoints.size(); ++i)
            same = combo->itemText(i) == checkpoints[i].label && combo->itemData(i).toString() == checkpoints[i].path;
        if (same)
            continue;
        const QString path = checkpointPath(combo);
        const bool hadFocus = combo->lineEdit() && combo->lineEdit()->hasFocus();
        const int cursor = combo->lineEdit() ? combo->lineEdit()->cursorPosition() : 0;
        {
            const QSignalBlocker block(combo);
            combo->clear();
            for (const ProjectCheckpoint& c : checkpoints)
                combo->addItem(QIcon(QStringLiteral(":/icons/checkpoint.svg")), c.label, c.path);
            combo->setCurrentIndex(-1);
            setCheckpointPath(combo, path);
        }
        if (hadFocus && combo->lineEdit() && combo->currentText() == path)
            combo->lineEdit()->setCursorPosition(cursor);
    }
}

} // namespace repalign::gui
