#pragma once
/// @file analysisformpanel.h
/// Setup form for an interpretability analysis: checkpoint, data, layer (the model's taps),
/// aggregation, k, LPIPS weights and the II convention. Its YAML is a flat mapping whose keys
/// are the `repalign-cli analyze` options (checkpoint, data, layer, ii_diagonal, ...).
#include "configform.h"

#include "interp/analysis.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace repalign::gui {

class AnalysisFormPanel : public ConfigForm {
    Q_OBJECT
public:
    explicit AnalysisFormPanel(QWidget* parent = nullptr);

    QString yaml() const override;
    QString check() const override;
    void loadYamlFile(const QString& path) override;
    QString kind() const override { return QStringLiteral("analyze"); }
    QString runName() const override;
    QString cliCommand(const QString& yamlFile, const QString& outDir) const override;

    /// Options for AnalyzeJob (out is left empty: the caller puts the file in the run).
    AnalyzeOptions options() const;
    void setOptions(const AnalyzeOptions& options);
    void setCheckpoint(const QString& path);
    void setData(const QString& spec);
    /// Parses the flat analysis YAML; throws repalign::Error naming the key.
    static AnalyzeOptions parseYaml(const QString& text, const QString& origin);

private:
    void updateTaps();
    QLineEdit* m_name;
    QLineEdit* m_checkpoint;
    QComboBox* m_model;
    QLineEdit* m_data;
    QComboBox* m_split;
    QComboBox* m_layer;
    QComboBox* m_aggregation;
    QSpinBox* m_k;
    QLineEdit* m_lpips;
    QSpinBox* m_lpipsResize;
    QComboBox* m_diagonal;
    QCheckBox* m_bottomK;
    QLineEdit* m_maxImages;
    QComboBox* m_device;
    QSpinBox* m_threads;
    QSpinBox* m_batch;
};

} // namespace repalign::gui
