#pragma once
/// @file trainformpanel.h
/// Setup form for baseline training: one field per key of the reference YAML schema (plus
/// the workbench extensions), an LR-curve preview, validation as you type.
#include "configform.h"

#include "run/config.h"

class QCustomPlot;

namespace repalign::gui {

class TrainFormPanel : public ConfigForm {
    Q_OBJECT
public:
    explicit TrainFormPanel(QWidget* parent = nullptr);

    QStringList overrides() const override;
    QString check() const override;
    void loadYamlFile(const QString& path) override;
    QString kind() const override { return QStringLiteral("train"); }
    QString cliCommand(const QString& yamlFile, const QString& outDir) const override;

    /// Fills every field from @p config.
    void setConfig(const TrainConfig& config);
    /// The parsed form (throws repalign::Error when invalid).
    TrainConfig config() const;
    void setRunName(const QString& name);
    /// Steps per epoch the LR preview assumes (from the data spec and batch size).
    std::int64_t estimatedStepsPerEpoch() const;

    /// The project the demo preset looks for its data in (PROJECT/data/demo-cifar).
    void setProjectPath(const QString& path);
    /// Fills the form from a preset: "reference" (the reference study's recipe), "demo" (the
    /// demo pipeline's baseline, on the project's demo data), or a shipped config's path
    /// (":/configs/NAME.yaml"). Throws repalign::Error for an unknown key.
    void applyPreset(const QString& key);
    QStringList presetKeys() const;
    QString currentPreset() const;
    /// The reference study's recipe with a CPU device.
    static TrainConfig referenceConfig();

private:
    OptimisationFields m_opt;
    ScheduleFields m_sched;
    TransformFields m_tf;
    void updateModelInfo();
    QString demoDataDir() const;
    QComboBox* m_preset;
    QString m_project;
    void updatePreview();
    QLineEdit* m_name;
    QComboBox* m_dataset;
    QLineEdit* m_train;
    QLineEdit* m_val;
    QComboBox* m_model;
    QLabel* m_modelInfo;
    QComboBox* m_precision;
    QComboBox* m_device;
    QSpinBox* m_threads;
    QSpinBox* m_workers;
    QLineEdit* m_seed;
    QCheckBox* m_saveLast;
    QCheckBox* m_saveBestLoss;
    QCheckBox* m_saveBestAcc;
    QCustomPlot* m_preview;
};

} // namespace repalign::gui
