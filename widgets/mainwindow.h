#pragma once
/// @file mainwindow.h
/// The workbench window: the project in a sidebar tree, central tabs Setup / Monitor /
/// Neurons / Distributions, the job dock, a status bar with the device and the current job's
/// progress and ETA. Lives in repalign_widgets (not app/gui) so the tests drive the real window.
#include <QMainWindow>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QTimer;
class QProgressBar;
class QTabWidget;
class QTreeView;
class QCustomPlot;
class QPushButton;

namespace repalign {
struct DemoResult;
struct ProgressEvent;
} // namespace repalign

namespace repalign::gui {

class DistributionsView;
class JobDock;
class JobQueueModel;
class MetricsModel;
class MonitorView;
class NeuronsView;
class ProjectModel;
class SetupPanel;
struct JobSpec;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a project folder (created when missing) and remembers it.
    void openProject(const QString& path);
    QString projectPath() const;
    /// The demo project under the user's data folder.
    static QString demoProjectPath();

    JobQueueModel* jobs() const { return m_jobs; }
    ProjectModel* project() const { return m_project; }
    MetricsModel* metrics() const { return m_metrics; }
    SetupPanel* setup() const { return m_setup; }
    MonitorView* monitor() const { return m_monitor; }
    NeuronsView* neurons() const { return m_neurons; }
    DistributionsView* distributions() const { return m_distributions; }
    QTabWidget* tabs() const { return m_tabs; }

    /// Queues a job; its run (if any) is followed in the Monitor as it starts.
    int launch(const JobSpec& spec);
    /// The whole demo pipeline (baseline → tune → analyse both → behave both → compare) as one job.
    int runDemoPipeline();
    /// Queues @p spec as the demo pipeline (makeDemoJob(options, result)): when it has finished,
    /// showDemoResult(*result).
    int launchDemo(const JobSpec& spec, std::shared_ptr<DemoResult> result);
    /// After the demo: its summary and comparison tables in a panel above the tabs, and
    /// Distributions ▸ Behaviour with the demo's baseline and tuned behaviour files (read by the
    /// view, off the UI thread); without them the II distributions of its two analyses.
    void showDemoResult(const DemoResult& result);
    /// What the demo panel shows (summary lines, then the comparison tables); empty while hidden.
    QString demoResultText() const;

public Q_SLOTS:
    void newProject();
    void openProjectDialog();
    void openRunDialog();
    void importNsd();
    void importCheckpoint();
    /// The in-app psychophysics runner (full screen) for a plan folder of the project or chosen.
    void runPsychophysics();
    void exportFigure();
    void showPreferences();
    void showAbout();
    void showDocumentation();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    /// The "Run demo pipeline" offer above the tabs (shown while the project has no runs).
    void buildDemoBanner();
    /// The panel showDemoResult fills: the demo's summary and comparison tables, dismissable.
    void buildDemoResultPanel();
    /// Status bar: run states, the current job with its progress, the device.
    void buildStatusBar();
    void restoreSettings();
    void onSelectionChanged();
    /// The selected run's state in the status bar and the runs other processes work on in the
    /// job dock, both naming a data-parallel run's world size.
    void updateRunStates();
    void onProgress(int id, const repalign::ProgressEvent& event);
    void updateDemoBanner();
    void refreshAnalysisLists();
    void treeContextMenu(const QPoint& pos);
    void exportPlot(QCustomPlot* plot, const QString& name);
    void exportWidget(QWidget* widget, const QString& name);
    void exportMeiFigure();
    QString suggestFigurePath(const QString& name) const;

    ProjectModel* m_project;
    MetricsModel* m_metrics;
    JobQueueModel* m_jobs;
    QTreeView* m_tree;
    QTabWidget* m_tabs;
    SetupPanel* m_setup;
    MonitorView* m_monitor;
    NeuronsView* m_neurons;
    DistributionsView* m_distributions;
    JobDock* m_jobDock;
    QWidget* m_demoBanner;
    QPushButton* m_demoButton;
    QWidget* m_demoResult;
    QLabel* m_demoSummary;
    QPlainTextEdit* m_demoTables;
    QLabel* m_device;
    QLabel* m_jobLabel;
    QLabel* m_runState; ///< the selected run's state, with its ranks when data-parallel
    QTimer* m_runStateTimer;
    QProgressBar* m_progress;
    bool m_closing = false;
    QString m_lastAnalysis;
};

} // namespace repalign::gui
