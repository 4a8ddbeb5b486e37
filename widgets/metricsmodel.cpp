#include "metricsmodel.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace repalign::gui {

namespace {
/// RUN/metrics.csv (run/rundir.h names the run's files).
QString metricsFile(const QString& runDir)
{
    return QString::fromStdString(RunLayout(runDir.toStdString()).metrics());
}
} // namespace

MetricsModel::MetricsModel(QObject* parent)
    : QObject(parent)
{
    m_timer.setInterval(500);
    connect(&m_timer, &QTimer::timeout, this, &MetricsModel::pollAll);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this](const QString& file) {
        const QString dir = QFileInfo(file).absolutePath();
        if (auto it = m_runs.find(dir); it != m_runs.end() && poll(**it))
            Q_EMIT runUpdated(dir);
        // Some editors and rsync replace the file: watch the new one.
        if (!m_watcher.files().contains(file) && QFileInfo::exists(file))
            m_watcher.addPath(file);
    });
}

MetricsModel::~MetricsModel() = default;

void MetricsModel::addRun(const QString& runDir)
{
    const QString path = QDir(runDir).absolutePath();
    if (m_runs.contains(path))
        return;
    auto run = std::make_shared<RunMetrics>();
    run->path = path;
    run->name = QFileInfo(path).fileName();
    const QString csv = metricsFile(path);
    run->reader = std::make_unique<MetricsReader>(csv.toStdString());
    m_runs.insert(path, run);
    m_order << path;
    if (QFileInfo::exists(csv))
        m_watcher.addPath(csv);
    poll(*run);
    if (!m_timer.isActive())
        m_timer.start();
    Q_EMIT runsChanged();
}

void MetricsModel::removeRun(const QString& runDir)
{
    const QString path = QDir(runDir).absolutePath();
    if (!m_runs.remove(path))
        return;
    m_order.removeAll(path);
    m_watcher.removePath(metricsFile(path));
    if (m_runs.isEmpty())
        m_timer.stop();
    Q_EMIT runsChanged();
}

const RunMetrics* MetricsModel::run(const QString& runDir) const
{
    auto it = m_runs.find(QDir(runDir).absolutePath());
    return it == m_runs.end() ? nullptr : it->get();
}

QStringList MetricsModel::seriesKeys() const
{
    QStringList keys;
    for (const auto& run : m_runs)
        for (auto it = run->series.begin(); it != run->series.end(); ++it)
            if (!keys.contains(it.key()))
                keys << it.key();
    keys.sort();
    return keys;
}

QStringList MetricsModel::metricNames() const
{
    QStringList names;
    for (const QString& key : seriesKeys()) {
        const QString name = key.section(QLatin1Char('/'), 1);
        if (!names.contains(name))
            names << name;
    }
    // The headline metrics first, then the rest alphabetically.
    static const QStringList preferred = {QStringLiteral("loss"), QStringLiteral("acc"), QStringLiteral("lr"),
        QStringLiteral("pred_loss"), QStringLiteral("kd_loss"), QStringLiteral("predictivity")};
    std::stable_sort(names.begin(), names.end(), [](const QString& a, const QString& b) {
        const int ia = preferred.indexOf(a), ib = preferred.indexOf(b);
        if (ia >= 0 || ib >= 0)
            return (ia < 0 ? 1000 : ia) < (ib < 0 ? 1000 : ib);
        return a < b;
    });
    return names;
}

bool MetricsModel::pollAll()
{
    bool any = false;
    for (const QString& path : m_order) {
        auto it = m_runs.find(path);
        if (it == m_runs.end())
            continue;
        const QString csv = metricsFile(path);
        if (QFileInfo::exists(csv) && !m_watcher.files().contains(csv))
            m_watcher.addPath(csv);
        if (poll(**it)) {
            any = true;
            Q_EMIT runUpdated(path);
        }
    }
    return any;
}

bool MetricsModel::poll(RunMetrics& run)
{
    const QFileInfo fi(metricsFile(run.path));
    const qint64 size = fi.exists() ? fi.size() : 0;
    bool changed = false;
    if (size < run.bytesSeen) {
        // Rewritten shorter (a resumed run truncates rows past its checkpoint): start over.
        run.reader->reset();
        run.series.clear();
        run.wallStart = -1;
        changed = true;
    }
    run.bytesSeen = size;
    const std::vector<MetricRow> rows = run.reader->poll();
    for (const MetricRow& r : rows) {
        const QString key = QString::fromStdString(r.split) + QLatin1Char('/') + QString::fromStdString(r.name);
        MetricSeries& s = run.series[key];
        if (run.wallStart < 0)
            run.wallStart = r.wallTime;
        s.step.push_back(static_cast<double>(r.step));
        s.epoch.push_back(r.epoch);
        s.wall.push_back(r.wallTime - run.wallStart);
        s.value.push_back(r.value);
    }
    return changed || !rows.empty();
}

} // namespace repalign::gui
