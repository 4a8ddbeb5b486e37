#pragma once
/// @file neuronsview.h
/// The Neurons tab: every unit of an analysis as a sortable, filterable list or grid with MEI
/// thumbnails; the selected unit's MEIs large (activation, dataset index, label), its k×k
/// pairwise LPIPS heat map and per-layer LPIPS parts; compare mode shows the same unit of a
/// second analysis side by side. Arrow keys move between units; typing a number jumps to it.
#include "neuronmodel.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPColorScale;
class QCPTextElement;
class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTableView;

namespace repalign::gui {

/// k MEIs per row, one row per analysis, with captions; exportable as a figure.
class MeiGridView : public QWidget {
    Q_OBJECT
public:
    struct Row {
        QString title;
        QList<QImage> images;
        QStringList captions;
    };
    explicit MeiGridView(QWidget* parent = nullptr);
    void setRows(const QList<Row>& rows);
    const QList<Row>& rows() const { return m_rows; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    /// Builds the row for @p unit of @p file.
    static Row rowFor(const AnalysisFile& file, std::int64_t unit, const QString& title,
                      const std::function<QString(std::int64_t)>& className);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<Row> m_rows;
};

class NeuronsView : public QWidget {
    Q_OBJECT
public:
    explicit NeuronsView(QWidget* parent = nullptr);

    /// Opens an analysis; shows the error in the view (and returns false) when it is not one.
    bool openAnalysis(const QString& path);
    /// Second analysis for compare mode; empty leaves compare mode.
    bool setCompareAnalysis(const QString& path);
    /// Analyses offered in the pickers (from the project).
    void setAvailableAnalyses(const QStringList& paths);

    NeuronModel* model() const { return m_model; }
    NeuronFilterModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    int currentUnit() const { return m_unit; }
    void selectUnit(int unit);
    MeiGridView* meiGrid() const { return m_mei; }
    QCustomPlot* heatMap() const { return m_heat; }
    QCustomPlot* layerPlot() const { return m_layers; }
    bool uncalibratedBannerVisible() const;

Q_SIGNALS:
    void exportRequested(QWidget* widget, const QString& suggestedName);
    void status(const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void showUnit(int unit);
    void updateBanner();
    void setGrid(bool grid);
    NeuronModel* m_model;
    NeuronFilterModel* m_proxy;
    std::unique_ptr<NeuronModel> m_compare;
    QComboBox* m_analysisBox;
    QComboBox* m_compareBox;
    QLineEdit* m_filter;
    QComboBox* m_metric;
    QLabel* m_banner;
    QLabel* m_error;
    QStackedWidget* m_stack;
    QTableView* m_table;
    QListView* m_grid;
    QLabel* m_title;
    QLabel* m_values;
    MeiGridView* m_mei;
    QCustomPlot* m_heat;
    QCustomPlot* m_layers;
    QCPColorScale* m_heatScale = nullptr;
    QCPTextElement* m_heatTitle = nullptr;
    int m_unit = -1;
    QString m_typed;
    QTimer m_typedTimer;
};

} // namespace repalign::gui
