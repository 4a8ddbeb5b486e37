#pragma once
/// @file monitorview.h
/// The Monitor tab: one QCustomPlot per metric in metrics.csv (loss, acc, lr, pred/KD loss,
/// predictivity, ...), several runs overlaid, EMA smoothing with the raw series faint behind,
/// log-y, x as step / epoch / wall time, drag/wheel zoom, double-click reset, hover values.
/// Lines are decimated to min/max per pixel column of the visible range, so 100k points per
/// series stay smooth.
#include "qcp.h"
#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QListWidget;
class QScrollArea;
class QSlider;

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

/// One metric, all selected runs. Usable on its own (the CLI's `figure --kind loss`).
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

Q_SIGNALS:
    void exportRequested(repalign::gui::MetricPlot* plot);

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Curve {
        QCPGraph* graph = nullptr;
        QVector<double> x, y;
        QString label; ///< "run · train"
        bool faint = false;
    };
    void redecimate();
    /// Legend columns for the current width; the plot grows taller for the legend's rows.
    void fitLegend();
    QString m_metric;
    QCPRange m_runExtent {0, 0};
    bool m_hasRunExtent = false;
    QList<Curve> m_curves;
    bool m_userRange = false;
    bool m_inRedecimate = false;
    qint64 m_rawPoints = 0;
    MonitorOptions m_options;
};

class MonitorView : public QWidget {
    Q_OBJECT
public:
    explicit MonitorView(MetricsModel* model, QWidget* parent = nullptr);

    /// Runs shown (overlaid). A run not yet followed by the model is added to it.
    void setRuns(const QStringList& runDirs);
    void addRun(const QString& runDir);
    QStringList runs() const;
    MonitorOptions options() const { return m_options; }
    void setOptions(const MonitorOptions& options);

    QList<MetricPlot*> plots() const;
    /// The scrolling area that holds the plots.
    QScrollArea* plotArea() const { return m_scroll; }
    /// The plot that was last clicked or hovered, else the first one.
    MetricPlot* currentPlot() const;

    /// Runs shown get colours in the order they were added.
    static QHash<QString, QColor> runColors(const QStringList& runs);

Q_SIGNALS:
    void exportRequested(QCustomPlot* plot, const QString& suggestedName);

public Q_SLOTS:
    /// Rebuilds plots for new data (merged: at most one per ~40 ms).
    void scheduleUpdate();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void syncRunList();
    /// Puts the plots in one or two columns, as many as the visible width holds.
    void layoutPlots(bool force);
    MetricsModel* m_model;
    MonitorOptions m_options;
    QStringList m_runs;
    QHash<QString, MetricPlot*> m_plots;
    QPointer<MetricPlot> m_current;
    QTimer m_update;
    QComboBox* m_xAxis = nullptr;
    QSlider* m_smoothing = nullptr;
    QLabel* m_smoothingLabel = nullptr;
    QCheckBox* m_logY = nullptr;
    QCheckBox* m_train = nullptr;
    QCheckBox* m_val = nullptr;
    QListWidget* m_runList = nullptr;
    QScrollArea* m_scroll = nullptr;
    int m_columns = 0;
    QStringList m_laidOut;
    QWidget* m_grid = nullptr;
    QGridLayout* m_gridLayout = nullptr;
    QLabel* m_empty = nullptr;
};

} // namespace repalign::gui
