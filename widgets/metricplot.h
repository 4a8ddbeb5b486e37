#pragma once
/// @file metricplot.h
/// One metrics.csv column of several runs as a QCustomPlot with no interaction: EMA
/// smoothing with the raw series faint behind, log-y, x as step / epoch / wall time, lines
/// decimated to min/max per pixel column of the visible range. The Monitor tab subclasses it
/// for zoom and hover (monitorview.h); `repalign-cli figure --kind loss` draws it headless.
#include "qcp.h"

#include <QHash>

namespace repalign::gui {

class MetricsModel;

enum class XAxisKind { Step, Epoch, WallTime };

struct MonitorOptions {
    XAxisKind x = XAxisKind::Step;
    double smoothing = 0.6; ///< EMA weight in [0, 0.99]; 0 = off
    bool logY = false;
    bool showTrain = true;
    bool showVal = true;
};

/// One metric, all selected runs, drawn with no interaction (the CLI's `figure --kind loss`,
/// and the base of the Monitor tab's interactive plot).
class MetricPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit MetricPlot(const QString& metric, QWidget* parent = nullptr);
    const QString& metric() const { return m_metric; }

    /// Rebuilds the curves from @p model for @p runs (colours by run).
    void setSeries(
        const MetricsModel& model, const QStringList& runs, const QHash<QString, QColor>& colors, const MonitorOptions& options);
    /// Back to showing everything (also on double-click).
    void resetView();
    /// Number of points currently handed to QCustomPlot (after decimation), for tests/benchmarks.
    int drawnPoints() const;
    /// Raw points over all curves.
    qint64 rawPoints() const { return m_rawPoints; }
    /// Narrowest useful width: the legend wraps onto more rows to fit, the plot never asks for more.
    static constexpr int kMinimumWidth = 280;
    QSize minimumSizeHint() const override;
    /// The x extent of the shown runs, from each run's first row to its last over all its
    /// metrics (so a per-epoch accuracy starts where the run starts, like the loss).
    QCPRange runExtent() const { return m_runExtent; }

protected:
    void resizeEvent(QResizeEvent* event) override;
    struct Curve {
        QCPGraph* graph = nullptr;
        QVector<double> x, y;
        QString label; ///< "run · train"
        bool faint = false;
    };
    void redecimate();
    /// The curve label, x and y texts for the nearest raw point within 20 px of @p pos.
    QString pointText(const QPointF& pos) const;
    /// Legend columns for the current width; the plot grows taller for the legend's rows.
    void fitLegend();
    QString m_metric;
    QCPRange m_runExtent {0, 0};
    bool m_hasRunExtent = false;
    QList<Curve> m_curves;
    bool m_userRange = false; ///< the user zoomed: keep the range across updates
    bool m_inRedecimate = false;
    qint64 m_rawPoints = 0;
    MonitorOptions m_options;
};

/// Runs get colours in the order given.
QHash<QString, QColor> runColors(const QStringList& runs);
/// "Loss", "Accuracy", ... for a metrics.csv column (translated), else the name.
QString metricTitle(const QString& name);
/// "Step", "Epoch", "Wall time (s)".
QString xAxisTitle(XAxisKind kind);

} // namespace repalign::gui
