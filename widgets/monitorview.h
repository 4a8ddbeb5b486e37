#pragma once
/// @file monitorview.h
/// The Monitor tab: one QCustomPlot per metric in metrics.csv (loss, acc, lr, pred/KD loss,
/// predictivity, ...), several runs overlaid, EMA smoothing with the raw series faint behind,
/// log-y, x as step / epoch / wall time, drag/wheel zoom, double-click reset, hover values.
/// Lines are decimated to min/max per pixel column of the visible range, so 100k points per
/// series stay smooth.
#include "metricplot.h"

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

/// The Monitor tab's plot: drag/wheel zoom (kept across live updates until a double-click),
/// hover values, a context menu to reset or export.
class InteractiveMetricPlot : public MetricPlot {
    Q_OBJECT
public:
    explicit InteractiveMetricPlot(const QString& metric, QWidget* parent = nullptr);

Q_SIGNALS:
    void exportRequested(repalign::gui::MetricPlot* plot);

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void leaveEvent(QEvent* event) override;
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
