#pragma once
/// @file analysisformpanel.h
/// Setup form for an interpretability analysis: checkpoint, data, layer (the model's taps),
/// aggregation, k, LPIPS weights and the II convention. Its YAML is the analysis config
/// (train/analyze_config.h): a flat mapping whose keys are the `repalign-cli analyze` options,
/// read by `repalign-cli analyze --config` and by this form with the same core parser.
#include "configform.h"

#include "interpret/analysis.h"

namespace repalign::gui {

class AnalysisFormPanel : public ConfigForm {
    Q_OBJECT
public:
    explicit AnalysisFormPanel(QWidget* parent = nullptr);

    QStringList overrides() const override;
    QString check() const override;
    void loadYamlFile(const QString& path) override;
    QString kind() const override { return QStringLiteral("analyze"); }
    QString cliCommand(const QString& yamlFile, const QString& outDir) const override;

    /// Options for AnalyzeJob (out is left empty: the caller puts the file in the run).
    AnalyzeOptions options() const;
    void setOptions(const AnalyzeOptions& options);
    void setCheckpoint(const QString& path);
    void setData(const QString& spec);
    /// Fills the study settings (layer, aggregation, k, LPIPS side, ii_diagonal) with a preset:
    /// "reference" (the reference study's numbers: layer4, centre, k 5, LPIPS at 64 px,
    /// ii_diagonal include) or "defaults" (the same with the pairwise ii_diagonal exclude).
    /// Throws Error for another key.
    void applyPreset(const QString& key);
    /// The preset keys, in the order the form offers them.
    QStringList presetKeys() const;

private:
    void updateTaps();
    /// The `ii_on` value the II fields give: dataset, synth or synth:FILE.
    QString iiOn() const;
    QString tapModel() const;
    /// The note under the checkpoint field for what it holds.
    static QString describe(const CheckpointSummary& summary);
    QLineEdit* m_name;
    QComboBox* m_checkpoint;
    QString m_tapsModel;
    QComboBox* m_model;
    QLineEdit* m_data;
    QComboBox* m_split;
    QComboBox* m_layer;
    QComboBox* m_aggregation;
    QSpinBox* m_k;
    QLineEdit* m_lpips;
    QSpinBox* m_lpipsResize;
    QComboBox* m_diagonal;
    QComboBox* m_iiOn; ///< dataset | synth | file (synth:FILE with m_synthFile)
    QLineEdit* m_synthFile;
    QComboBox* m_preset;
    QCheckBox* m_bottomK;
    QLineEdit* m_maxImages;
    QComboBox* m_device;
    QSpinBox* m_threads;
    QSpinBox* m_batch;
    QComboBox* m_precision;
};

} // namespace repalign::gui
