#pragma once
/// @file setuppanel.h
/// The Setup tab: baseline training, neural fine-tuning and analysis forms with Launch,
/// Save/Load YAML and "Export for cluster" (YAML + sbatch script running repalign-cli).
#include "jobqueuemodel.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTabWidget;

namespace repalign::gui {

class AnalysisFormPanel;
class ConfigForm;
class TrainFormPanel;
class TuneFormPanel;

class SetupPanel : public QWidget {
    Q_OBJECT
public:
    explicit SetupPanel(QWidget* parent = nullptr);

    void setProjectPath(const QString& path)
    {
        m_project = path;
        updateState();
    }
    TrainFormPanel* trainForm() const { return m_train; }
    TuneFormPanel* tuneForm() const { return m_tune; }
    AnalysisFormPanel* analysisForm() const { return m_analysis; }
    ConfigForm* currentForm() const;
    /// 0 baseline, 1 fine-tune, 2 analysis.
    void showForm(int index);

    /// Builds the job for the current form (run folder inside the project). Throws
    /// repalign::Error when the form is invalid or no project is open.
    JobSpec buildJob() const;
    /// Writes the current form's YAML and an sbatch script into @p folder; returns the script.
    QString exportForCluster(const QString& folder) const;

public Q_SLOTS:
    void launch();
    void saveYaml();
    void loadYaml();
    void exportForClusterDialog();

Q_SIGNALS:
    void launchRequested(const repalign::gui::JobSpec& spec);
    void message(const QString& text);

private:
    void updateState();
    QString m_project;
    QTabWidget* m_tabs;
    TrainFormPanel* m_train;
    TuneFormPanel* m_tune;
    AnalysisFormPanel* m_analysis;
    QPushButton* m_launch;
    QLabel* m_status;
};

} // namespace repalign::gui
