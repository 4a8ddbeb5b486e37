#pragma once
/// @file studypanel.h
/// The Study tab: a study.yaml in an editor with a form for its grid, the validated plan, a run
/// through the job queue (never on the UI thread) or an export as SLURM job arrays, and the live
/// table of conditions with their state and progress read from the run folders, and the study
/// figure and comparison table of the finished analyses (as `figure --kind study` and
/// `study compare`), rebuilt off the UI thread when conditions finish.
#include "figureexport.h"

#include <QFont>
#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QCustomPlot;
class QFormLayout;
class QLabel;
class QLayout;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTimer;

namespace repalign {
struct StudyPlan;
struct SlurmOptions;
} // namespace repalign

namespace repalign::gui {

class JobQueueModel;
class StudyConditionsModel;
class StudyResultsView;

class StudyPanel : public QWidget {
    Q_OBJECT
public:
    explicit StudyPanel(JobQueueModel* jobs, QWidget* parent = nullptr);
    ~StudyPanel() override;

    /// Reads @p path (off the UI thread) into the editor; the folder defaults to its name.
    void loadStudy(const QString& path);
    /// The example studies shipped with the program (:/studies), by file name.
    static QStringList exampleStudies();
    /// Writes a copy of the example study @p name to @p path (its relative paths, the bundle,
    /// resolve next to the copy; off the UI thread) and loads the copy.
    void openExample(const QString& name, const QString& path);
    void setStudyText(const QString& text);
    QString studyText() const;
    QString studyFile() const;
    void setStudyFolder(const QString& dir);
    QString studyFolder() const;
    /// repalign-cli started for each condition (default: next to this program, else on PATH).
    void setExecutable(const QString& path);

    /// Appends an axis to the grid form (and the text's grid block).
    void addAxis(const QString& key, const QString& values);
    int axisCount() const;
    /// Marks the axes in @p rows of the grid form as one zip group (they advance together), or
    /// removes them from their groups; the text's zip: block and the plan preview follow.
    void zipAxes(const QList<int>& rows);
    void unzipAxes(const QList<int>& rows);

    /// Validates and expands the study off the UI thread; planned() or failed() follows.
    void plan();
    /// Plans, then queues the study run (conditions as child processes, at most jobs() at once).
    void run();
    /// Writes the SLURM scripts into the study folder (off the UI thread); exported() follows.
    void exportSlurm(const repalign::SlurmOptions& options);
    /// Reads the conditions' states from the study folder off the UI thread; refreshed() follows.
    void refresh();

    QPlainTextEdit* editor() const { return m_editor; }
    QTableWidget* gridTable() const { return m_grid; }
    QPlainTextEdit* planView() const { return m_planView; }
    QTableView* conditionsView() const { return m_conditionsView; }
    QStandardItemModel* conditions() const;
    QLabel* messageLabel() const { return m_message; }
    QSpinBox* jobsBox() const { return m_jobs; }

    /// Rebuilds the study figure and the comparison table from the finished analyses (off the
    /// UI thread: analysis files are read and the CIs bootstrapped there); figureUpdated()
    /// follows. Called when the axes' choice changes and when more analyses have finished.
    void updateFigure();
    QCustomPlot* figure() const;
    QComboBox* figureXBox() const;
    QComboBox* figureYBox() const;
    QComboBox* figureHueBox() const;
    QComboBox* figureY2Box() const;
    QTabWidget* resultTabs() const;
    /// Writes the study figure (PNG/SVG/PDF by suffix) at a preset; throws repalign::Error.
    void exportFigure(const QString& path, FigurePreset preset, int dpi = 300);
    /// The comparison table of the finished analyses: table | csv | markdown | latex; empty
    /// before the first figureUpdated().
    QString comparisonText(const QString& format) const;

Q_SIGNALS:
    void planned(int runs);
    void failed(const QString& message);
    void runQueued(int jobId);
    void exported(const QStringList& files);
    void refreshed();
    /// The figure was redrawn with @p points points (0: nothing to show yet, or an error).
    void figureUpdated(int points);
    /// "Export figure…" on the study figure (the main window's figure dialog and presets).
    void exportPlotRequested(QCustomPlot* plot, const QString& name);
    /// A train or tune condition was opened (Monitor).
    void openRunRequested(const QString& runDir);
    /// An analysis was opened (Neurons).
    void openAnalysisRequested(const QString& analysis);
    /// An analysis and its baseline's, to compare in Distributions.
    void compareRequested(const QStringList& analyses);

private:
    // The editor room (studypanel_editor.cpp).
    QFormLayout* buildFileRows();
    void buildEditor();
    QWidget* buildGridForm();
    static QFont monospaceFont();
    void openFile();
    void chooseExample(const QString& name);
    void saveFile();
    void chooseFolder();
    void exportDialog();
    void gridEdited();
    void textEdited();
    void rebuildGridForm();
    void previewZips();
    QString zipGroupOf(int row) const;
    /// Writes @p text to @p path off the UI thread (atomically); says "Saved" or the error.
    void saveInBackground(const QString& path, const QString& text);
    QString resolvedFolder() const;

    // Planning, running and the conditions (studypanel.cpp).
    QLayout* buildActions();
    void buildConditionsView();
    void activateCondition(const QModelIndex& index, bool compare);
    void conditionMenu(const QPoint& pos);
    void setPlan(std::shared_ptr<const repalign::StudyPlan> plan);
    QString executable() const;

    JobQueueModel* m_jobsModel;
    QLineEdit* m_file;
    QLineEdit* m_folder;
    QPlainTextEdit* m_editor;
    QTableWidget* m_grid;
    QComboBox* m_axisKey;
    QLineEdit* m_axisValues;
    QSpinBox* m_jobs;
    QPushButton* m_planButton;
    QPushButton* m_runButton;
    QPushButton* m_exportButton;
    QPlainTextEdit* m_planView;
    QLabel* m_message;
    QTableView* m_conditionsView;
    StudyConditionsModel* m_conditions;
    StudyResultsView* m_results;
    QTimer* m_textTimer;
    QTimer* m_pollTimer;
    QString m_executable;
    std::shared_ptr<const repalign::StudyPlan> m_plan;
    bool m_syncing = false;
    bool m_refreshing = false;
    int m_generation = 0;
};

} // namespace repalign::gui
