#include "jobqueuemodel.h"

#include "common/error.h"

#include <QIcon>
#include <QMutexLocker>

#include <exception>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace repalign::gui {

// ---- worker (job thread) ---------------------------------------------------------------

void JobWorker::run(int id, std::shared_ptr<JobSpec> spec, std::shared_ptr<CancelToken> cancel)
{
#ifdef __linux__
    // The job (and the compute threads it starts, which inherit this) yields the CPU to the UI
    // thread: on a loaded machine the window keeps repainting while training runs.
    static thread_local bool niced = false;
    if (!niced) {
        setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 8);
        niced = true;
    }
#endif
    {
        QMutexLocker lock(&m_mutex);
        m_id = id;
        m_hasProgress = false;
    }
    JobOutcome outcome;
    try {
        if (cancel->cancelled())
            outcome = {JobStatus::Cancelled, tr("Cancelled before it started")};
        else
            outcome = spec->work(*this, *cancel);
    } catch (const Cancelled&) {
        outcome = {JobStatus::Cancelled, tr("Cancelled")};
    } catch (const Error& e) {
        outcome = {JobStatus::Failed, QString::fromStdString(e.what())};
    } catch (const std::exception& e) {
        outcome = {JobStatus::Failed, tr("Unexpected error: %1").arg(QString::fromStdString(e.what()))};
    } catch (...) {
        outcome = {JobStatus::Failed, tr("Unexpected error")};
    }
    Q_EMIT finished(id, runStateOf(outcome.state), outcome.message);
}

void JobWorker::progress(const ProgressEvent& event)
{
    bool signal = false;
    {
        QMutexLocker lock(&m_mutex);
        m_progress = event;
        m_hasProgress = true;
        if (!m_signalled) {
            m_signalled = true;
            signal = true;
        }
    }
    if (signal)
        Q_EMIT pending();
}

void JobWorker::log(LogLevel level, const std::string& message)
{
    bool signal = false;
    {
        QMutexLocker lock(&m_mutex);
        // Bounded: a job that logs every step must not grow memory while the UI is busy.
        if (m_log.size() < 2000)
            m_log.append(qMakePair(static_cast<int>(level), QString::fromStdString(message)));
        if (!m_signalled) {
            m_signalled = true;
            signal = true;
        }
    }
    if (signal)
        Q_EMIT pending();
}

bool JobWorker::takeProgress(int& id, ProgressEvent& event)
{
    QMutexLocker lock(&m_mutex);
    id = m_id;
    m_signalled = false;
    if (!m_hasProgress)
        return false;
    event = m_progress;
    m_hasProgress = false;
    return true;
}

QList<QPair<int, QString>> JobWorker::takeLog(int& id)
{
    QMutexLocker lock(&m_mutex);
    id = m_id;
    QList<QPair<int, QString>> out;
    out.swap(m_log);
    return out;
}

// ---- queue (UI thread) -----------------------------------------------------------------

JobQueueModel::JobQueueModel(QObject* parent)
    : QAbstractTableModel(parent)
{
    qRegisterMetaType<ProgressEvent>("repalign::ProgressEvent");
    qRegisterMetaType<RunState>("repalign::RunState");
    qRegisterMetaType<std::shared_ptr<JobSpec>>("std::shared_ptr<repalign::gui::JobSpec>");
    qRegisterMetaType<std::shared_ptr<CancelToken>>("std::shared_ptr<repalign::CancelToken>");

    m_worker = new JobWorker;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &JobQueueModel::runOnWorker, m_worker, &JobWorker::run, Qt::QueuedConnection);
    connect(m_worker, &JobWorker::finished, this, &JobQueueModel::onWorkerFinished, Qt::QueuedConnection);
    // One repaint per 40 ms: the first signal of a burst arms the timer, the rest wait for it.
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(40);
    connect(
        m_worker, &JobWorker::pending, this,
        [this] {
            if (!m_flushTimer.isActive())
                m_flushTimer.start();
        },
        Qt::QueuedConnection);
    connect(&m_flushTimer, &QTimer::timeout, this, &JobQueueModel::flushProgress);
    m_thread.setObjectName(QStringLiteral("repalign-jobs"));
    m_thread.start();
}

JobQueueModel::~JobQueueModel()
{
    shutdown();
}

void JobQueueModel::shutdown()
{
    if (m_shutdown)
        return;
    m_shutdown = true;
    for (Entry& e : m_entries)
        if (e.cancel)
            e.cancel->cancel();
    m_thread.requestInterruption();
    m_thread.quit();
    m_thread.wait();
    m_flushTimer.stop();
    m_worker = nullptr; // deleted with the thread's last deferred deletes
}

int JobQueueModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int JobQueueModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString JobQueueModel::stateLabel(RunState state)
{
    switch (state) {
    case RunState::Queued:
        return tr("queued");
    case RunState::Running:
        return tr("running");
    case RunState::Finished:
        return tr("finished");
    case RunState::Cancelled:
        return tr("cancelled");
    case RunState::Diverged:
        return tr("diverged");
    case RunState::Failed:
        return tr("failed");
    case RunState::Unknown:
        break;
    }
    return QString();
}

QVariant JobQueueModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const Entry& e = m_entries[index.row()];
    if (role == IdRole)
        return e.id;
    if (role == StateRole)
        return QVariant::fromValue(e.state);
    if (role == ProgressRole)
        return e.progress.fraction;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TitleColumn:
            return e.spec->title;
        case StateColumn:
            return stateLabel(e.state);
        case ProgressColumn:
            if (e.state == RunState::Queued)
                return QString();
            return QStringLiteral("%1 %").arg(e.progress.fraction * 100.0, 0, 'f', 0);
        case MessageColumn:
            return e.message;
        }
    }
    if (role == Qt::ToolTipRole && index.column() == MessageColumn)
        return e.message;
    if (role == Qt::DecorationRole && index.column() == TitleColumn) {
        return QIcon(QStringLiteral(":/icons/state-%1.svg").arg(QLatin1String(toString(e.state))));
    }
    return {};
}

QVariant JobQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TitleColumn:
        return tr("Job");
    case StateColumn:
        return tr("State");
    case ProgressColumn:
        return tr("Progress");
    case MessageColumn:
        return tr("Message");
    }
    return {};
}

int JobQueueModel::rowOf(int id) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].id == id)
            return i;
    return -1;
}

int JobQueueModel::enqueue(JobSpec spec)
{
    Entry e;
    e.id = m_nextId++;
    e.spec = std::make_shared<JobSpec>(std::move(spec));
    e.cancel = std::make_shared<CancelToken>();
    e.state = RunState::Queued;
    beginInsertRows({}, static_cast<int>(m_entries.size()), static_cast<int>(m_entries.size()));
    m_entries.append(e);
    endInsertRows();
    if (m_current == 0)
        startNext();
    return e.id;
}

void JobQueueModel::startNext()
{
    if (m_shutdown || m_current != 0)
        return;
    for (Entry& e : m_entries) {
        if (e.state != RunState::Queued)
            continue;
        e.state = RunState::Running;
        e.started = QDateTime::currentDateTime();
        m_current = e.id;
        const int row = rowOf(e.id);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        Q_EMIT jobStarted(e.id, e.spec->title, e.spec->runDir);
        Q_EMIT runOnWorker(e.id, e.spec, e.cancel);
        return;
    }
    Q_EMIT idle();
}

void JobQueueModel::onWorkerFinished(int id, RunState state, const QString& message)
{
    flushProgress();
    const int row = rowOf(id);
    if (row >= 0) {
        Entry& e = m_entries[row];
        e.state = state;
        e.message = message;
        e.ended = QDateTime::currentDateTime();
        if (state == RunState::Finished)
            e.progress.fraction = 1.0;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    if (m_current == id)
        m_current = 0;
    Q_EMIT jobFinished(id, state, message);
    startNext();
}

void JobQueueModel::flushProgress()
{
    if (!m_worker)
        return;
    int id = 0;
    ProgressEvent event;
    const bool has = m_worker->takeProgress(id, event);
    int logId = 0;
    const auto lines = m_worker->takeLog(logId);
    for (const auto& line : lines)
        Q_EMIT logLine(logId, line.first, line.second);
    if (!has)
        return;
    const int row = rowOf(id);
    if (row < 0)
        return;
    m_entries[row].progress = event;
    if (!event.phase.empty() && m_entries[row].state == RunState::Running)
        m_entries[row].message = QString::fromStdString(event.phase);
    Q_EMIT dataChanged(index(row, StateColumn), index(row, MessageColumn));
    Q_EMIT progressChanged(id, event);
}

void JobQueueModel::cancel(int id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    Entry& e = m_entries[row];
    e.cancel->cancel();
    if (e.state == RunState::Queued) {
        e.state = RunState::Cancelled;
        e.message = tr("Cancelled before it started");
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        Q_EMIT jobFinished(id, e.state, e.message);
        if (m_current == 0 && pendingCount() == 0)
            Q_EMIT idle();
    } else if (e.state == RunState::Running) {
        e.message = tr("Stopping…");
        Q_EMIT dataChanged(index(row, MessageColumn), index(row, MessageColumn));
    }
}

void JobQueueModel::cancelCurrent()
{
    if (m_current)
        cancel(m_current);
}

void JobQueueModel::cancelAll()
{
    QList<int> ids;
    for (const Entry& e : m_entries)
        if (isActive(e.state))
            ids << e.id;
    // Queued ones first, so the running one does not start the next when it stops.
    for (int id : ids)
        if (id != m_current)
            cancel(id);
    cancelCurrent();
}

void JobQueueModel::clearFinished()
{
    for (int row = static_cast<int>(m_entries.size()) - 1; row >= 0; --row) {
        if (isActive(m_entries[row].state))
            continue;
        beginRemoveRows({}, row, row);
        m_entries.removeAt(row);
        endRemoveRows();
    }
}

bool JobQueueModel::busy() const
{
    return m_current != 0 || pendingCount() > 0;
}

int JobQueueModel::pendingCount() const
{
    int n = 0;
    for (const Entry& e : m_entries)
        if (e.state == RunState::Queued)
            ++n;
    return n;
}

QString JobQueueModel::jobTitle(int id) const
{
    const int row = rowOf(id);
    return row < 0 ? QString() : m_entries[row].spec->title;
}

RunState JobQueueModel::jobState(int id) const
{
    const int row = rowOf(id);
    return row < 0 ? RunState::Unknown : m_entries[row].state;
}

ProgressEvent JobQueueModel::lastProgress(int id) const
{
    const int row = rowOf(id);
    return row < 0 ? ProgressEvent {} : m_entries[row].progress;
}

} // namespace repalign::gui
