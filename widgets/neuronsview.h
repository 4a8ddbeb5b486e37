#pragma once
/// @file neuronsview.h
/// The Neurons tab: every unit of an analysis as a sortable, filterable list or grid with MEI
/// thumbnails; the selected unit's MEIs large (activation, dataset index, label), its k×k
/// pairwise LPIPS heat map and per-layer LPIPS parts; compare mode shows the same unit of a
/// second analysis side by side. Arrow keys move between units; typing a number jumps to it.
#include "neuronmodel.h"

#include "interpret/visualize.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPBarsGroup;
class QCPColorScale;
class QCPLayoutGrid;
class QCPTextElement;
class QLabel;
class QLineEdit;
class QListView;
class QScrollArea;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace repalign::gui {

/// k MEIs per row, one row per analysis, with captions; exportable as a figure. With a minimum
/// thumbnail side set (the neuron browser), a row that does not fit wraps onto more lines instead
/// of shrinking its thumbnails, and the view asks for the height that takes (height for width).
class MeiGridView : public QWidget {
    Q_OBJECT
public:
    struct Row {
        QString title;
        QList<QImage> images;
        QStringList captions;
    };
    /// Where everything is drawn: one title per row, an image and a caption cell per MEI.
    struct Layout {
        QList<QRect> titles;
        QList<QList<QRect>> images, captions;
        int perLine = 0; ///< MEIs per line
        int side = 0; ///< thumbnail side in pixels
        int height = 0; ///< height the content needs
    };
    explicit MeiGridView(QWidget* parent = nullptr);
    void setRows(const QList<Row>& rows);
    const QList<Row>& rows() const { return m_rows; }
    /// Thumbnails never get smaller than @p side pixels (0: fit the widget, the export default).
    void setMinimumSide(int side);
    int minimumSide() const { return m_minSide; }
    /// The layout at @p width x @p height (height 0: as tall as the content needs).
    Layout layoutFor(int width, int height = 0) const;
    /// Caption lines as drawn in a cell @p width pixels wide (elided to fit).
    QStringList captionLines(const QString& caption, int width) const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override;
    int heightForWidth(int width) const override;
    /// Builds the row for @p unit of @p file.
    static Row rowFor(
        const AnalysisFile& file, std::int64_t unit, const QString& title, const std::function<QString(std::int64_t)>& className);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<Row> m_rows;
    int m_minSide = 0;
};

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
    QCustomPlot* heatMap() const { return m_heat; }
    QCustomPlot* layerPlot() const { return m_layers; }
    bool uncalibratedBannerVisible() const;
    /// The banner's text (rich text): names the runs whose analyses used random LPIPS weights.
    QString uncalibratedBannerText() const;

Q_SIGNALS:
    void exportRequested(QWidget* widget, const QString& suggestedName);
    void status(const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
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
    QCustomPlot* m_heat;
    QCustomPlot* m_layers;
    QCPColorScale* m_heatScale = nullptr;
    QCPLayoutGrid* m_layerLegendRow = nullptr;
    QCPBarsGroup* m_layerGroup = nullptr;
    QCPTextElement* m_heatTitle = nullptr;
    int m_unit = -1;
    QString m_typed;
    QTimer m_typedTimer;
};

} // namespace repalign::gui
