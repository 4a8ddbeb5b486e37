#pragma once
/// @file neuronsview.h
/// The Neurons tab: every unit of an analysis as a sortable, filterable list or grid with MEI
/// thumbnails; the selected unit's MEIs large (activation, dataset index, label), its k×k
/// pairwise LPIPS heat map and per-layer LPIPS parts; compare mode shows the same unit of a
/// second analysis side by side. Arrow keys move between units; typing a number jumps to it.
#include "meigridview.h"
#include "neuronmodel.h"

#include "interpret/visualize.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QListView;
class QScrollArea;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace repalign::gui {

class LayerLpipsPlot;
class PairwiseLpipsPlot;

class NeuronsView : public QWidget {
    Q_OBJECT
public:
    explicit NeuronsView(QWidget* parent = nullptr);
    /// Smallest MEI side in the detail panel, in pixels (32x32 MEIs at 2x).
    static constexpr int kLegibleMeiSide = 64;

    /// Opens an analysis; shows the error in the view (and returns false) when it is not one.
    bool openAnalysis(const QString& path);
    /// Second analysis for compare mode; empty leaves compare mode.
    bool setCompareAnalysis(const QString& path);
    /// Analyses offered in the pickers (from the project).
    void setAvailableAnalyses(const QStringList& paths);

    NeuronModel* model() const { return m_model; }
    /// The compare-mode analysis, or null outside compare mode.
    NeuronModel* compareModel() const { return m_compare.get(); }
    NeuronFilterModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    QListView* gridView() const { return m_grid; }
    /// Shows the units as a thumbnail grid (true) or the table.
    void setGrid(bool grid);
    bool isGrid() const;
    int currentUnit() const { return m_unit; }
    void selectUnit(int unit);
    MeiGridView* meiGrid() const { return m_mei; }
    QCustomPlot* heatMap() const;
    QCustomPlot* layerPlot() const;
    bool uncalibratedBannerVisible() const;
    /// The banner's text (rich text): names the runs whose analyses used random LPIPS weights.
    QString uncalibratedBannerText() const;

Q_SIGNALS:
    void exportRequested(QWidget* widget, const QString& suggestedName);
    void status(const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QLayout* buildToolBar();
    QWidget* buildDetail();
    void showUnit(int unit);
    void updateBanner();
    /// The synthesised images (/synth of `repalign-cli visualize`) of @p path's units, when it
    /// has them for the analysed layer's units or channels; otherwise an empty index.
    static SynthIndex synthFor(const QString& path, const AnalysisFile& file);
    MeiGridView::Row synthRow(const QString& path, const SynthIndex& index, std::int64_t entry, const QString& title) const;
    SynthIndex m_synthA, m_synthB;
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
    QToolButton* m_listButton;
    QToolButton* m_gridButton;
    QTableView* m_table;
    QListView* m_grid;
    QLabel* m_title;
    QLabel* m_values;
    MeiGridView* m_mei;
    QScrollArea* m_detailScroll;
    PairwiseLpipsPlot* m_heat;
    LayerLpipsPlot* m_layers;
    int m_unit = -1;
    QString m_typed;
    QTimer m_typedTimer;
};

} // namespace repalign::gui
