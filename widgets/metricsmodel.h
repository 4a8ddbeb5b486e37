#pragma once
/// @file metricsmodel.h
/// The metric series of the runs shown in the Monitor: each run's metrics.csv is read
/// incrementally (only appended bytes; a partial last line waits for the next poll), on file
/// change notifications and a poll timer, so runs written elsewhere update live.
#include "run/rundir.h"

#include <QFileSystemWatcher>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QVector>

#include <memory>

namespace repalign::gui {

/// One named series ("train/loss") of one run, in file order (step increasing).
struct MetricSeries {
    QVector<double> step, epoch, wall, value;
};

struct RunMetrics {
    QString path;
    QString name; ///< display name (folder name)
    QHash<QString, MetricSeries> series; ///< key "split/name"
    double wallStart = -1; ///< first wall_time in the file
    qint64 bytesSeen = 0;
    std::unique_ptr<MetricsReader> reader;
};

class MetricsModel : public QObject {
    Q_OBJECT
public:
    explicit MetricsModel(QObject* parent = nullptr);
    ~MetricsModel() override;

    /// Starts following a run directory (reads what is there now).
    void addRun(const QString& runDir);
    void removeRun(const QString& runDir);
    bool hasRun(const QString& runDir) const { return m_runs.contains(runDir); }
    QStringList runs() const { return m_order; }
    const RunMetrics* run(const QString& runDir) const;

    /// Every series key over all followed runs, sorted ("train/loss", "val/acc", ...).
    QStringList seriesKeys() const;
    /// Metric names without the split ("loss", "acc", "lr"), in a stable, useful order.
    QStringList metricNames() const;

    /// Reads what was appended to each followed run's metrics.csv. Returns true if anything
    /// changed; emits runUpdated for each changed run.
    bool pollAll();
    void setPollInterval(int ms) { m_timer.setInterval(ms); }

Q_SIGNALS:
    void runUpdated(const QString& runDir);
    void runsChanged();

private:
    bool poll(RunMetrics& run);
    QHash<QString, std::shared_ptr<RunMetrics>> m_runs;
    QStringList m_order;
    QFileSystemWatcher m_watcher;
    QTimer m_timer;
};

} // namespace repalign::gui
