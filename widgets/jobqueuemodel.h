#pragma once
/// @file jobqueuemodel.h
/// The job queue: core jobs run one after another on a worker QObject living in a member
/// QThread. Requests go in and results come out through queued signals only. Progress bursts
/// are merged into one update per ~40 ms, so a job reporting every step never floods the UI.
#include "common/progress.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QMetaType>
#include <QMutex>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>

Q_DECLARE_METATYPE(repalign::ProgressEvent)
Q_DECLARE_METATYPE(repalign::RunState)

namespace repalign::gui {

/// What a job reports when it returns (exceptions are turned into JobStatus::Failed). The
/// queue's signals and roles give a job's state as a RunState (Queued, Running, then the
/// RunState of its JobStatus).
struct JobOutcome {
    JobStatus state = JobStatus::Finished;
    QString message;
};

using JobWork = std::function<JobOutcome(ProgressSink& sink, const CancelToken& cancel)>;

struct JobSpec {
    QString title; ///< shown in the queue ("Train baseline demo/baseline")
    QString kind; ///< train, tune, analyze, compare, import, demo
    QString runDir; ///< run directory it writes, when it has one (selected in the project on start)
    JobWork work;
};

class JobWorker;

class JobQueueModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TitleColumn, StateColumn, ProgressColumn, MessageColumn, ColumnCount };
    enum Role { ProgressRole = Qt::UserRole + 1, StateRole /**< a repalign::RunState */, IdRole };

    explicit JobQueueModel(QObject* parent = nullptr);
    ~JobQueueModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// Queues a job; it starts when the ones before it are done. Returns its id.
    int enqueue(JobSpec spec);
    /// Cancels a queued or running job (running jobs stop at their next check).
    void cancel(int id);
    void cancelCurrent();
    void cancelAll();
    /// Removes finished, failed and cancelled jobs from the list.
    void clearFinished();

    bool busy() const;
    int currentJob() const { return m_current; }
    int pendingCount() const;
    QString jobTitle(int id) const;
    RunState jobState(int id) const; ///< Unknown for an id not in the list
    /// A state as the queue shows it (translated: "queued", "running", "finished", ...).
    static QString stateLabel(RunState state);
    ProgressEvent lastProgress(int id) const;

    /// Stops the worker thread: cancels everything and waits for the running job to return.
    void shutdown();

Q_SIGNALS:
    void jobStarted(int id, const QString& title, const QString& runDir);
    /// At most once per ~40 ms while a job runs.
    void progressChanged(int id, const repalign::ProgressEvent& event);
    void logLine(int id, int level, const QString& line);
    void jobFinished(int id, repalign::RunState state, const QString& message);
    /// No job running and none queued.
    void idle();

    // To the worker (queued).
    void runOnWorker(int id, std::shared_ptr<repalign::gui::JobSpec> spec, std::shared_ptr<repalign::CancelToken> cancel);

private:
    struct Entry {
        int id = 0;
        std::shared_ptr<JobSpec> spec;
        std::shared_ptr<CancelToken> cancel;
        RunState state = RunState::Queued;
        QString message;
        ProgressEvent progress;
        QDateTime started, ended;
    };
    int rowOf(int id) const;
    void startNext();
    void onWorkerFinished(int id, repalign::RunState state, const QString& message);
    void flushProgress();
    friend class JobWorker;

    QList<Entry> m_entries;
    int m_nextId = 1;
    int m_current = 0;
    QThread m_thread;
    JobWorker* m_worker = nullptr;
    QTimer m_flushTimer;
    bool m_shutdown = false;
};

/// Lives on the queue's thread; runs one job at a time.
class JobWorker : public QObject, public ProgressSink {
    Q_OBJECT
public:
    void run(int id, std::shared_ptr<repalign::gui::JobSpec> spec, std::shared_ptr<repalign::CancelToken> cancel);

    // ProgressSink (called on the worker thread by the job).
    void progress(const ProgressEvent& event) override;
    void log(LogLevel level, const std::string& message) override;

    /// Takes what arrived since the last call (UI thread).
    bool takeProgress(int& id, ProgressEvent& event);
    QList<QPair<int, QString>> takeLog(int& id);

Q_SIGNALS:
    /// Emitted once per batch: the first progress/log after a take.
    void pending();
    void finished(int id, repalign::RunState state, const QString& message);

private:
    QMutex m_mutex;
    int m_id = 0;
    bool m_hasProgress = false;
    bool m_signalled = false;
    ProgressEvent m_progress;
    QList<QPair<int, QString>> m_log;
};

} // namespace repalign::gui

Q_DECLARE_METATYPE(std::shared_ptr<repalign::gui::JobSpec>)
Q_DECLARE_METATYPE(std::shared_ptr<repalign::CancelToken>)
