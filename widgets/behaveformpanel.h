#pragma once
/// @file behaveformpanel.h
/// Setup form for a behavioural profile (`repalign-cli behave`): checkpoint, data, the output
/// name in the checkpoint's run, CIFAR-10H human files, a CIFAR-10-C folder, PGD (ε per norm,
/// steps, step size, random start, images) and the system settings. Its YAML (Save YAML) is a
/// flat mapping whose keys are the `repalign-cli behave` options (behave has no config file:
/// Export for cluster writes the whole command line); validation uses the core's own parsers
/// (data spec, PGD requests) and names the field; Launch queues the behave job (corejobs.h).
#include "configform.h"

#include "behaviour/behave.h"

namespace repalign::gui {

class BehaveFormPanel : public ConfigForm {
    Q_OBJECT
public:
    explicit BehaveFormPanel(QWidget* parent = nullptr);

    QStringList overrides() const override;
    QString check() const override;
    void loadYamlFile(const QString& path) override;
    QString kind() const override { return QStringLiteral("behave"); }
    QString cliCommand(const QString& yamlFile, const QString& outDir) const override;

    /// Options for the behave job, checked as the CLI checks them (out is left empty: the caller
    /// puts the file in the run). Throws repalign::Error naming the option.
    behaviour::BehaveOptions options() const;
    void setOptions(const behaviour::BehaveOptions& options);
    void setCheckpoint(const QString& path);
    void setData(const QString& spec);
    /// The `repalign-cli behave` arguments of the form, writing to @p out (shell-quoted).
    QStringList cliArguments(const QString& out) const;

private:
    QLineEdit* m_name;
    QComboBox* m_checkpoint;
    QComboBox* m_model;
    QLineEdit* m_data;
    QComboBox* m_split;
    QLineEdit* m_maxImages;
    QLineEdit* m_human;
    QLineEdit* m_humanRaw;
    QLineEdit* m_corruptions;
    QLineEdit* m_corruptionNames;
    QLineEdit* m_reference;
    QLineEdit* m_linf;
    QLineEdit* m_l2;
    QSpinBox* m_steps;
    QLineEdit* m_stepFraction;
    QCheckBox* m_randomStart;
    QLineEdit* m_pgdImages;
    QSpinBox* m_bins;
    QSpinBox* m_bootstrap;
    QLineEdit* m_seed;
    QComboBox* m_device;
    QSpinBox* m_threads;
    QSpinBox* m_batch;
};

} // namespace repalign::gui
