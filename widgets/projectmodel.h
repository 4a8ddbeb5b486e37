#pragma once
/// @file projectmodel.h
/// A project is a folder of run directories. The model shows each run with a state icon and
/// its checkpoints and analyses, and follows runs written by anyone (repalign-cli in another
/// terminal, a cluster job on a shared filesystem): a file watcher plus a poll timer.
#include "common/progress.h"

#include <QFileSystemWatcher>
#include <QHash>
#include <QStandardItemModel>
#include <QTimer>

namespace repalign::gui {

class ProjectModel : public QStandardItemModel {
    Q_OBJECT
public:
    /// RunningElsewhereRole (bool): another process holds the run's lock (runLockHolder), so
    /// the run must not be resumed or written from here. WorldSizeRole (int): the ranks of a
    /// data-parallel run (status.json's world_size; 1 for one process).
    enum Role {
        PathRole = Qt::UserRole + 1,
        KindRole,
        StateRole,
        ProgressRole,
        RunPathRole,
        RunningElsewhereRole,
        WorldSizeRole
    };
    enum class Kind { Run, Checkpoint, Analysis, Group };

    explicit ProjectModel(QObject* parent = nullptr);

    /// Opens a folder (created when missing). Empty closes the project.
    void setProjectPath(const QString& path);
    QString projectPath() const { return m_root; }

    /// Rescans now (also done on file changes and every @p pollMs).
    void refresh();
    void setPollInterval(int ms) { m_poll.setInterval(ms); }

    QStringList runPaths() const;
    QStringList analysisPaths() const;
    QModelIndex indexForPath(const QString& path) const;
    /// True for a folder that looks like a run directory (run.yaml, status.json or metrics.csv).
    static bool isRunDir(const QString& path);
    /// A run directory name that does not exist yet in the project: base, base-2, base-3, ...
    QString uniqueRunPath(const QString& base) const;

    /// A run's state as the tree stores it (StateRole): status.json's spelling, "unknown" for Unknown.
    static QString stateName(RunState state);
    static QIcon stateIcon(RunState state);
    /// A run's state (stateName) as the GUI names it: "running", or "running, 2 ranks" for a data-parallel run.
    static QString stateText(const QString& state, int worldSize);

Q_SIGNALS:
    void runAdded(const QString& runPath);
    void runRemoved(const QString& runPath);
    void runStateChanged(const QString& runPath, const QString& state);
    void analysisAdded(const QString& path);

private:
    void scheduleRefresh();
    QStandardItem* runItem(const QString& path) const;
    void updateRun(QStandardItem* item);
    void syncChildren(QStandardItem* group, const QStringList& files, Kind kind);

    QString m_root;
    QFileSystemWatcher m_watcher;
    QTimer m_poll;
    QTimer m_debounce;
    QHash<QString, QStandardItem*> m_runs;
};

} // namespace repalign::gui
