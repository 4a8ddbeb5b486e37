#pragma once
/// @file tuneformpanel.h
/// Setup form for neural fine-tuning (Learning without Forgetting): base checkpoint, NSD
/// bundle, ROIs, readout, alpha, optimiser; maps one-to-one to the tuning YAML schema.
#include "configform.h"

#include "run/tune_config.h"

namespace repalign::gui {

class TuneFormPanel : public ConfigForm {
    Q_OBJECT
public:
    explicit TuneFormPanel(QWidget* parent = nullptr);

    QStringList overrides() const override;
    QString check() const override;
    void loadYamlFile(const QString& path) override;
    QString kind() const override { return QStringLiteral("tune"); }
    QString cliCommand(const QString& yamlFile, const QString& outDir) const override;

    void setConfig(const TuneConfig& config);
    TuneConfig config() const;
    void setBaseCheckpoint(const QString& path);
    void setBundle(const QString& path);
    void setRunName(const QString& name);

private:
    OptimisationFields m_opt;
    ScheduleFields m_sched;
    TransformFields m_tf;
    void updateTaps();
    QString tapModel() const;
    static QString describe(const CheckpointSummary& summary);
    QLineEdit* m_name;
    QComboBox* m_checkpoint;
    QString m_tapsModel;
    QComboBox* m_model;
    QLineEdit* m_bundle;
    QLineEdit* m_rois;
    QComboBox* m_tap;
    QComboBox* m_pooling;
    QComboBox* m_activation;
    QCheckBox* m_freeze;
    QLineEdit* m_alpha;
    QLineEdit* m_classVal;
    QLineEdit* m_rehearsalData;
    QLineEdit* m_rehearsalWeight;
    QSpinBox* m_rehearsalBatch;
    QComboBox* m_precision;
    QComboBox* m_device;
    QSpinBox* m_threads;
    QLineEdit* m_seed;
    // Of the config last set (the rest of it is the base YAML).
    QString m_loadedBaseModel, m_loadedOptimizer;
    double m_loadedLrInit = 0;
};

} // namespace repalign::gui
