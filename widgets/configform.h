#pragma once
/// @file configform.h
/// Base of the Setup forms: fields registered with the YAML key they map to, validation as
/// the user types (the same parser the CLI uses, so the message is the CLI's message) with
/// the message shown beside the field the parser names.
///
/// A form writes no YAML by hand: it holds a base config (the preset or the loaded file, as the
/// core writes it) and turns its fields into `key.path=value` overrides, which the core parser
/// applies exactly as it applies `repalign-cli train|tune|analyze --set` (yamlutil::applyOverride).
/// Validation, the job, Save YAML and Export for cluster all go through base + overrides.
#include <QHash>

#include <array>
#include <functional>

#include <QLabel>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QSpinBox;
class QGroupBox;
class QLineEdit;
class QVBoxLayout;

#include "run/config.h"

namespace repalign {
struct CheckpointSummary;
}

namespace repalign::gui {

class ConfigForm : public QWidget {
    Q_OBJECT
public:
    explicit ConfigForm(QWidget* parent = nullptr);

    /// The config the form started from (its preset or the loaded file) as YAML.
    QString baseYaml() const { return m_baseYaml; }
    /// The form's fields as `key.path=value` overrides of baseYaml() (what `--set` takes; a
    /// value of null removes the key).
    virtual QStringList overrides() const = 0;
    /// The form as YAML in the schema the CLI reads: baseYaml() with overrides() applied by the
    /// core (yamlWithOverrides); the base itself if the overrides cannot be applied.
    QString yaml() const;
    /// Parses yaml() with the core parser; returns the error message, empty when valid.
    virtual QString check() const = 0;
    /// Fills the form from a YAML file; throws repalign::Error with the parser's message.
    virtual void loadYamlFile(const QString& path) = 0;
    /// Short name for files and jobs ("train", "tune", "analyze").
    virtual QString kind() const = 0;
    /// Run directory / output name typed by the user (the name field, trimmed).
    QString runName() const;
    /// The `repalign-cli` command line that runs @p yamlFile writing to @p outDir.
    virtual QString cliCommand(const QString& yamlFile, const QString& outDir) const = 0;

    /// Validates now; returns true when valid. Shows the message beside its field.
    bool validateNow();
    bool isValid() const { return m_error.isEmpty(); }
    QString errorText() const { return m_error; }
    /// The message beside the field for @p key ("optimization.optimizer_params.lr"), empty if none.
    QString fieldError(const QString& key) const;
    /// The field widget registered for @p key (tests type into it).
    QWidget* field(const QString& key) const { return m_fields.value(key); }
    QStringList fieldKeys() const { return m_fields.keys(); }

    /// A checkpoint the project holds: the label the checkpoint fields show for it
    /// ("baseline ▸ best_acc.pt") and its path.
    struct ProjectCheckpoint {
        QString label;
        QString path;
    };
    /// Offers @p checkpoints in this form's checkpoint fields (keeps what each field holds).
    void setProjectCheckpoints(const QList<ProjectCheckpoint>& checkpoints);
    /// The architecture the inspected checkpoint records, once read (empty before, or when it
    /// records none); only in the forms that inspect their checkpoint (inspectCheckpoints).
    QString inspectedModel() const { return m_inspectedModel; }
    /// The line under the checkpoint field: what the file holds, or why it cannot be read.
    QString checkpointNote() const;

Q_SIGNALS:
    void validityChanged(bool valid, const QString& message);
    void changed();
    /// The checkpoint was read in the background (the note and the layer list are updated).
    void checkpointInspected();

protected:
    /// The `lr_scheduling` block, shared by the training and tuning forms.
    struct ScheduleFields {
        QFormLayout* form = nullptr;
        QComboBox* type = nullptr;
        QLineEdit *warmupStart = nullptr, *baseLr = nullptr, *warmup = nullptr, *maxEpochs = nullptr, *etaMin = nullptr;
        QComboBox* firstStep = nullptr; ///< `optimization.first_step_lr`
    };
    /// The `optimization` basics shared by the training and tuning forms: epochs, batch size,
    /// the smoke-run cap and the optimiser with its parameters (momentum and Nesterov only for sgd).
    struct OptimisationFields {
        QFormLayout* form = nullptr;
        QSpinBox *epochs = nullptr, *batch = nullptr;
        QComboBox* optimizer = nullptr;
        QLineEdit *maxSteps = nullptr, *lr = nullptr, *weightDecay = nullptr, *momentum = nullptr;
        QCheckBox* nesterov = nullptr;
    };
    /// The `train_transforms` block (validation gets the same resize and normalisation).
    struct TransformFields {
        QSpinBox* resize = nullptr; ///< only where the form offers a resize
        QSpinBox *crop = nullptr, *padding = nullptr;
        QCheckBox* flip = nullptr;
        QLineEdit *mean = nullptr, *std = nullptr;
    };
    /// Adds the section; its parameters are enabled only for linear_warmup_cosine_decay.
    ScheduleFields addScheduleSection(QVBoxLayout* column);
    TransformFields addTransformSection(QVBoxLayout* column, bool withResize);
    /// Adds the section with @p optimizers in the optimiser box (the first is the form's default).
    OptimisationFields addOptimisationSection(QVBoxLayout* column, const QStringList& optimizers);
    /// Fills the section; @p lr is the rate shown (the tuning form shows a constant schedule's lr_init).
    static void setOptimisation(const OptimisationFields& f, int epochs, int batchSize, std::int64_t maxStepsPerEpoch,
        const OptimizerConfig& optimizer, double lr);
    /// `optimization.lr_scheduling` and its parameters (only for the warm-up/cosine schedule)
    /// as overrides; lr_init is removed unless @p lrInit is given (a constant schedule's rate).
    static QStringList scheduleOverrides(const ScheduleFields& f, const QString& lrInit = {});
    /// `optimization.epochs ... optimizer_params` as overrides; the lr field is the optimiser's
    /// lr when @p withLr (else the base's lr stays). momentum/nesterov/dampening are removed for adam.
    static QStringList optimisationOverrides(const OptimisationFields& f, bool withLr = true);
    /// `train_transforms` and `val_transforms` as overrides (validation gets the resize and
    /// the normalisation, no crop or flip); @p resize is the side, -1 = keep.
    static QStringList transformOverrides(const TransformFields& f, int resize);
    /// `key=value` with @p value already YAML (a number, a quoted string, a list, null).
    static QString assign(const QString& key, const QString& value) { return key + QLatin1Char('=') + value; }
    /// `key="text"`, or `key=null` (the key removed) when @p text is empty and @p nullWhenEmpty.
    static QString assignText(const QString& key, const QString& text, bool nullWhenEmpty = false);
    static QString assignBool(const QString& key, bool value);
    /// The overrides as the core takes them.
    std::vector<std::string> overrideList() const;
    /// Sets the base config's YAML (call from the forms' setConfig / setOptions).
    void setBaseYaml(const QString& yaml) { m_baseYaml = yaml; }
    static void setSchedule(const ScheduleFields& f, const ScheduleConfig& c, int epochs);
    static void setTransforms(const TransformFields& f, const TransformConfig& c);

    /// The panel's layout: two columns side by side, of equal stretch.
    struct Columns {
        QVBoxLayout* left = nullptr;
        QVBoxLayout* right = nullptr;
    };
    Columns addColumns();
    /// The run / output name row (runName() reads it): a line edit holding @p initial.
    QLineEdit* addNameRow(
        QFormLayout* form, const QString& label, const QString& initial, const QString& key, const QString& help);
    /// The checkpoint row: a checkpointField() with @p placeholder, mapped to @p key.
    QComboBox* addCheckpointRow(QFormLayout* form, const QString& label, const QString& filter, const QString& placeholder,
        const QString& key, const QString& help = {});
    /// The architecture box: @p fromCheckpoint (data: empty) first, then the registry's models.
    static QComboBox* modelChoice(const QString& fromCheckpoint);
    /// Selects @p name in a modelChoice() box (empty = the checkpoint's; the first entry when
    /// the registry has no such name).
    static void setModelChoice(QComboBox* combo, const QString& name);
    /// The data-spec row (folder browse with the cifar10 prefix).
    QLineEdit* addDataRow(QFormLayout* form, const QString& label, const QString& placeholder, const QString& key);
    /// The `System` section's device and CPU-thread fields.
    struct SystemFields {
        QFormLayout* form = nullptr;
        QComboBox* device = nullptr;
        QSpinBox* threads = nullptr;
    };
    /// Labels and texts of the System section (translated by the form that adds it).
    struct SystemTexts {
        QString title, device, threads, allCores, deviceHelp;
    };
    SystemFields addSystemSection(
        QVBoxLayout* column, const SystemTexts& texts, const QString& deviceKey, const QString& threadsKey);
    /// A plain line edit mapped to @p key.
    QLineEdit* addLineRow(QFormLayout* form, const QString& label, const QString& key, const QString& help = {});
    /// A batch-size spin box (1..65536) mapped to @p key.
    QSpinBox* addBatchRow(QFormLayout* form, const QString& label, const QString& key);
    /// True when @p name can be a file or folder name: not empty, no '/' (nor '\\' when
    /// @p noBackslash), not starting with '.'.
    static bool isPlainName(const QString& name, bool noBackslash = false);
    /// check()'s shape: @p nameError when runName() is no plain name, else the message of the
    /// Error @p parse throws (empty when it throws none).
    QString checkWith(const QString& nameError, const std::function<void()>& parse, bool noBackslash = false) const;
    /// Texts of the checkpoint inspection (translated by the form).
    struct InspectTexts {
        QString reading; ///< shown while the file is read
        QString missing; ///< "%1 does not exist"
    };
    /// Reads the checkpoint in @p combo off the UI thread once typing pauses (300 ms) and shows
    /// describe(summary), or why it cannot be read, in @p note; a result for an older text is
    /// dropped. @p updated is called after inspectedModel() changes (then checkpointInspected()
    /// is emitted, except when the field was emptied).
    void inspectCheckpoints(QComboBox* combo, QLabel* note, const InspectTexts& texts,
        std::function<QString(const CheckpointSummary&)> describe, std::function<void()> updated);
    /// A greyed, word-wrapped note line under the fields of @p form.
    static QLabel* addNote(QFormLayout* form);

    QFormLayout* addSection(const QString& title, QVBoxLayout* column);
    /// Adds a row: the widget, with a message label under it, mapped to @p key.
    void addRow(QFormLayout* form, const QString& label, QWidget* widget, const QString& key, const QString& help = {});
    /// Connects a widget's change signal to revalidation.
    void watch(QWidget* widget);
    void scheduleValidate();
    /// "a: b" value text: numbers stay bare, anything else is a quoted YAML string.
    static QString scalar(const QString& text);
    static QString quoted(const QString& text);
    /// A number as the forms show it (10 significant digits).
    static QString num(double v);
    /// "a, b, c" for an RGB triple, and back to a YAML list (non-numbers quoted so the parser
    /// names them instead of failing on syntax).
    static QString triple(const std::array<double, 3>& a);
    static QString listYaml(const QString& text);
    /// A line edit with a browse button for files or folders; the folder case can prefix
    /// the chosen path with a data-spec kind taken from @p kindFn.
    QWidget* pathField(QLineEdit* edit, bool directory, const QString& filter = {}, std::function<QString()> prefix = {});
    /// An editable combo box for a checkpoint path that offers the project's checkpoints
    /// (setProjectCheckpoints) and a browse button for files outside it.
    QWidget* checkpointField(QComboBox* combo, const QString& filter);
    /// The path in a checkpoint field: the listed checkpoint whose label it shows, else the text.
    static QString checkpointPath(const QComboBox* combo);
    /// Shows @p path in a checkpoint field (as its label when the project lists it).
    static void setCheckpointPath(QComboBox* combo, const QString& path);

private:
    void showError(const QString& message);
    void inspectCheckpoint();
    QLineEdit* m_nameField = nullptr;
    // Checkpoint inspection (inspectCheckpoints).
    QComboBox* m_inspected = nullptr;
    QLabel* m_checkpointNote = nullptr;
    InspectTexts m_inspectTexts;
    std::function<QString(const CheckpointSummary&)> m_describe;
    std::function<void()> m_inspectUpdated;
    QTimer m_inspectTimer;
    int m_inspectGeneration = 0;
    QString m_inspectedModel;
    QHash<QString, QWidget*> m_fields;
    QHash<QString, QLabel*> m_errors;
    QString m_error;
    QString m_shownKey;
    QTimer m_timer;
    QList<QComboBox*> m_checkpointFields;
    QString m_baseYaml;
};

} // namespace repalign::gui
