#pragma once
/// @file setuppanel.h
/// The Setup tab: baseline training, neural fine-tuning, analysis and behaviour forms with Launch,
/// Save/Load YAML and "Export for cluster" (YAML + sbatch script running repalign-cli).
#include "jobqueuemodel.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTabWidget;

namespace repalign::gui {

class AnalysisFormPanel;
class BehaveFormPanel;
class ConfigForm;
class TrainFormPanel;
class TuneFormPanel;

class SetupPanel : public QWidget {
    Q_OBJECT
public:
    explicit SetupPanel(QWidget* parent = nullptr);

    /// Sets the project runs are written to; its checkpoints are listed in the forms (scanned
    /// off the UI thread).
    void setProjectPath(const QString& path);
    /// Scans the project again (debounced; call when its runs or checkpoints change).
    void rescanProject();
    /// The checkpoint of @p runDir the forms start from (best_acc.pt, best_loss.pt, last.pt, ...),
    /// from the last scan; empty when it has none.
    QString preferredCheckpoint(const QString& runDir) const;
    /// Fills the fine-tuning form from a run (its preferred checkpoint) and shows it.
    void fineTuneFrom(const QString& runDir);
    /// Fills the analysis form from a run (its preferred checkpoint and validation data) and shows it.
    void analyse(const QString& runDir);
    /// The text next to Launch: the estimated duration of the baseline run, or why there is none.
    QString estimateText() const;
    TrainFormPanel* trainForm() const { return m_train; }
    TuneFormPanel* tuneForm() const { return m_tune; }
    AnalysisFormPanel* analysisForm() const { return m_analysis; }
    BehaveFormPanel* behaveForm() const { return m_behave; }
    ConfigForm* currentForm() const;
    /// 0 baseline, 1 fine-tune, 2 analysis, 3 behaviour.
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
    /// A project scan finished and the forms list its checkpoints.
    void projectScanned();
    /// The duration estimate next to Launch was updated.
    void estimateUpdated();

private:
    void updateState();
    void scanNow();
    void updateEstimate();
    QString m_project;
    QTimer m_scanTimer;
    QTimer m_estimateTimer;
    int m_estimateGeneration = 0;
    bool m_scanning = false;
    bool m_scanAgain = false;
    QList<QPair<QString, QString>> m_checkpoints; ///< (run dir, checkpoint path), each run's preferred first
    QLabel* m_estimate;
    QTabWidget* m_tabs;
    TrainFormPanel* m_train;
    TuneFormPanel* m_tune;
    AnalysisFormPanel* m_analysis;
    BehaveFormPanel* m_behave;
    QPushButton* m_launch;
    QLabel* m_status;
};

} // namespace repalign::gui
