#include "projectmodel.h"

#include "run/rundir.h"

#include <QDir>
#include <QFileInfo>
#include <QIcon>

namespace repalign::gui {

namespace {
/// RUN/checkpoints and RUN/analysis (run/rundir.h names the run's files).
QString checkpointsDir(const QString& run)
{
    return QString::fromStdString(RunLayout(run.toStdString()).checkpoints());
}
QString analysisDir(const QString& run)
{
    return QString::fromStdString(RunLayout(run.toStdString()).analysisDir());
}
} // namespace

ProjectModel::ProjectModel(QObject* parent)
    : QStandardItemModel(parent)
{
    setHorizontalHeaderLabels({tr("Project")});
    m_poll.setInterval(1000);
    connect(&m_poll, &QTimer::timeout, this, &ProjectModel::refresh);
    // Many change notifications arrive together (a checkpoint rename, a metrics flush):
    // refresh once after they settle.
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, &ProjectModel::refresh);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &ProjectModel::scheduleRefresh);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &ProjectModel::scheduleRefresh);
}

void ProjectModel::scheduleRefresh()
{
    if (!m_debounce.isActive())
        m_debounce.start();
}

QString ProjectModel::stateName(RunState state)
{
    return state == RunState::Unknown ? QStringLiteral("unknown") : QString::fromLatin1(toString(state));
}

QIcon ProjectModel::stateIcon(RunState state)
{
    return QIcon(QStringLiteral(":/icons/state-%1.svg").arg(stateName(state)));
}

QString ProjectModel::stateText(const QString& state, int worldSize)
{
    return worldSize > 1 ? tr("%1, %2 ranks").arg(state).arg(worldSize) : state;
}

bool ProjectModel::isRunDir(const QString& path)
{
    const QDir d(path);
    return d.exists(QLatin1String(RunLayout::kConfigFile)) || d.exists(QLatin1String(RunLayout::kStatusFile))
        || d.exists(QLatin1String(RunLayout::kMetricsFile));
}

void ProjectModel::setProjectPath(const QString& path)
{
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    if (!m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());
    for (const QString& run : m_runs.keys())
        Q_EMIT runRemoved(run);
    m_runs.clear();
    removeRows(0, rowCount());
    m_root = path.isEmpty() ? QString() : QDir(path).absolutePath();
    if (m_root.isEmpty()) {
        m_poll.stop();
        return;
    }
    QDir().mkpath(m_root);
    m_watcher.addPath(m_root);
    refresh();
    m_poll.start();
}

QStandardItem* ProjectModel::runItem(const QString& path) const
{
    return m_runs.value(path, nullptr);
}

QStringList ProjectModel::runPaths() const
{
    QStringList out = m_runs.keys();
    out.sort();
    return out;
}

QStringList ProjectModel::analysisPaths() const
{
    QStringList out;
    for (QStandardItem* run : m_runs)
        for (int i = 0; i < run->rowCount(); ++i) {
            QStandardItem* group = run->child(i);
            for (int j = 0; j < group->rowCount(); ++j)
                if (group->child(j)->data(KindRole).toInt() == static_cast<int>(Kind::Analysis))
                    out << group->child(j)->data(PathRole).toString();
        }
    out.sort();
    return out;
}

QModelIndex ProjectModel::indexForPath(const QString& path) const
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    if (QStandardItem* run = runItem(abs))
        return run->index();
    for (QStandardItem* run : m_runs)
        for (int i = 0; i < run->rowCount(); ++i) {
            QStandardItem* group = run->child(i);
            for (int j = 0; j < group->rowCount(); ++j)
                if (group->child(j)->data(PathRole).toString() == abs)
                    return group->child(j)->index();
        }
    return {};
}

QString ProjectModel::uniqueRunPath(const QString& base) const
{
    QString name = base.isEmpty() ? QStringLiteral("run") : base;
    QString candidate = QDir(m_root).filePath(name);
    for (int i = 2; QFileInfo::exists(candidate); ++i)
        candidate = QDir(m_root).filePath(QStringLiteral("%1-%2").arg(name).arg(i));
    return candidate;
}

void ProjectModel::refresh()
{
    if (m_root.isEmpty())
        return;
    // Runs are direct sub-folders of the project, or one level down (project/runs/x).
    QStringList found;
    const QDir root(m_root);
    for (const QFileInfo& fi : root.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (isRunDir(fi.absoluteFilePath())) {
            found << fi.absoluteFilePath();
            continue;
        }
        if (!m_watcher.directories().contains(fi.absoluteFilePath()))
            m_watcher.addPath(fi.absoluteFilePath());
        for (const QFileInfo& sub : QDir(fi.absoluteFilePath()).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (isRunDir(sub.absoluteFilePath()))
                found << sub.absoluteFilePath();
    }
    // Removed runs.
    for (const QString& path : m_runs.keys()) {
        if (found.contains(path))
            continue;
        QStandardItem* item = m_runs.take(path);
        removeRow(item->row());
        Q_EMIT runRemoved(path);
    }
    // New runs, in name order.
    for (const QString& path : found) {
        if (m_runs.contains(path))
            continue;
        auto* item = new QStandardItem(QDir(m_root).relativeFilePath(path));
        item->setEditable(false);
        item->setData(path, PathRole);
        item->setData(path, RunPathRole);
        item->setData(static_cast<int>(Kind::Run), KindRole);
        int row = 0;
        while (row < rowCount() && item->text().localeAwareCompare(this->item(row)->text()) > 0)
            ++row;
        insertRow(row, item);
        m_runs.insert(path, item);
        for (const QString& dir : {path, checkpointsDir(path), analysisDir(path)})
            if (QFileInfo(dir).isDir() && !m_watcher.directories().contains(dir))
                m_watcher.addPath(dir);
        updateRun(item);
        Q_EMIT runAdded(path);
    }
    for (QStandardItem* item : m_runs)
        updateRun(item);
}

void ProjectModel::updateRun(QStandardItem* item)
{
    const QString path = item->data(PathRole).toString();
    const RunStatus status = readRunStatus(path.toStdString());
    const QString state = stateName(status.state);
    const QString oldState = item->data(StateRole).toString();
    if (oldState != state) {
        item->setIcon(stateIcon(status.state));
        item->setData(state, StateRole);
    }
    item->setData(status.progress, ProgressRole);
    if (item->data(WorldSizeRole).toInt() != status.worldSize)
        item->setData(status.worldSize, WorldSizeRole);
    QString tip = tr("%1\nState: %2").arg(path, stateText(state, status.worldSize));
    if (status.state == RunState::Running)
        tip += tr(" (%1 %)").arg(status.progress * 100.0, 0, 'f', 0);
    // The run directory's lock says whether a job really works on it (a few microseconds).
    RunLockHolder holder;
    const bool locked = runLockHolder(path.toStdString(), holder);
    const bool elsewhere = locked && !holder.isThisProcess();
    item->setData(elsewhere, RunningElsewhereRole);
    if (elsewhere)
        tip += QLatin1Char('\n')
            + tr("Running elsewhere: process %1 on %2; it cannot be resumed or written here until it ends.")
                  .arg(holder.pid)
                  .arg(QString::fromStdString(holder.host));
    else if (!locked && status.state == RunState::Running)
        tip += QLatin1Char('\n')
            + tr("Not running: the process that wrote this status is gone (resume it from its last checkpoint).");
    if (!status.message.empty())
        tip += QLatin1Char('\n') + QString::fromStdString(status.message);
    if (item->toolTip() != tip)
        item->setToolTip(tip);

    for (const QString& dir : {checkpointsDir(path), analysisDir(path)})
        if (QFileInfo(dir).isDir() && !m_watcher.directories().contains(dir))
            m_watcher.addPath(dir);

    const QStringList ckpts
        = QDir(checkpointsDir(path)).entryList({QStringLiteral("*.pt"), QStringLiteral("*.pth")}, QDir::Files, QDir::Name);
    const QStringList analyses = QDir(analysisDir(path)).entryList({QStringLiteral("*.h5")}, QDir::Files, QDir::Name);
    // Groups: "Checkpoints" then "Analyses", created when they have something in them.
    auto group = [&](const QString& label, Kind kind, const QStringList& files) {
        QStandardItem* g = nullptr;
        for (int i = 0; i < item->rowCount(); ++i)
            if (item->child(i)->data(KindRole).toInt() == static_cast<int>(Kind::Group)
                && item->child(i)->data(PathRole).toString() == label)
                g = item->child(i);
        if (files.isEmpty()) {
            if (g)
                item->removeRow(g->row());
            return;
        }
        if (!g) {
            g = new QStandardItem(kind == Kind::Checkpoint ? tr("Checkpoints") : tr("Analyses"));
            g->setEditable(false);
            g->setData(label, PathRole);
            g->setData(path, RunPathRole);
            g->setData(static_cast<int>(Kind::Group), KindRole);
            g->setIcon(QIcon(
                kind == Kind::Checkpoint ? QStringLiteral(":/icons/checkpoint.svg") : QStringLiteral(":/icons/analysis.svg")));
            if (kind == Kind::Checkpoint)
                item->insertRow(0, g);
            else
                item->appendRow(g);
        }
        QStringList abs;
        for (const QString& f : files)
            abs << QDir(kind == Kind::Checkpoint ? checkpointsDir(path) : analysisDir(path)).filePath(f);
        syncChildren(g, abs, kind);
    };
    group(QStringLiteral("#checkpoints"), Kind::Checkpoint, ckpts);
    group(QStringLiteral("#analyses"), Kind::Analysis, analyses);
    if (oldState != state && !oldState.isEmpty())
        Q_EMIT runStateChanged(path, state);
}

void ProjectModel::syncChildren(QStandardItem* group, const QStringList& files, Kind kind)
{
    for (int i = group->rowCount() - 1; i >= 0; --i)
        if (!files.contains(group->child(i)->data(PathRole).toString()))
            group->removeRow(i);
    for (int k = 0; k < files.size(); ++k) {
        const QString& f = files[k];
        bool present = false;
        for (int i = 0; i < group->rowCount(); ++i)
            present = present || group->child(i)->data(PathRole).toString() == f;
        if (present)
            continue;
        auto* child = new QStandardItem(QFileInfo(f).fileName());
        child->setEditable(false);
        child->setData(f, PathRole);
        child->setData(group->data(RunPathRole), RunPathRole);
        child->setData(static_cast<int>(kind), KindRole);
        child->setToolTip(f);
        child->setIcon(
            QIcon(kind == Kind::Checkpoint ? QStringLiteral(":/icons/checkpoint.svg") : QStringLiteral(":/icons/analysis.svg")));
        group->insertRow(std::min(k, group->rowCount()), child);
        if (kind == Kind::Analysis)
            Q_EMIT analysisAdded(f);
    }
}

} // namespace repalign::gui
