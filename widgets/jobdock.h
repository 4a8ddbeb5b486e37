#pragma once
/// @file jobdock.h
/// The job queue and log dock: queued/running/finished jobs with their progress, the log of
/// every job, and cancel buttons. With no job running it collapses to its title strip (a line
/// saying what ran last and a button to show the queue and log); a starting job expands it.
#include <QDockWidget>

class QLabel;
class QPlainTextEdit;
class QTableView;
class QToolButton;

namespace repalign::gui {

class JobQueueModel;

class JobDock : public QDockWidget {
    Q_OBJECT
public:
    explicit JobDock(JobQueueModel* model, QWidget* parent = nullptr);
    QPlainTextEdit* log() const { return m_log; }
    void appendLog(const QString& line, int level = 0);

    /// Collapsed: only the title strip shows, and the dock is that tall.
    bool isCollapsed() const { return m_collapsed; }
    void setCollapsed(bool collapsed);
    /// The strip's one-line summary ("No job running", "Running: …", "Last: … finished"), then
    /// the runs other processes work on ("running elsewhere: big (2 ranks)").
    QString summary() const;
    /// Runs of the project that other processes work on (repalign-cli, srun on a cluster), as
    /// the strip names them: "big (2 ranks)" for a data-parallel run.
    void setRunningElsewhere(const QStringList& runs);

private:
    void setSummary(const QString& text);
    QString m_summaryBase;
    QStringList m_elsewhere;
    JobQueueModel* m_model;
    QTableView* m_table;
    QPlainTextEdit* m_log;
    QWidget* m_content;
    QWidget* m_placeholder;
    QLabel* m_summary;
    QToolButton* m_toggle;
    bool m_collapsed = false;
    bool m_lastFailed = false;
    int m_expandedHeight = 170;
};

} // namespace repalign::gui
