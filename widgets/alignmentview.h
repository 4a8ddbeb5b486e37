#pragma once
/// @file alignmentview.h
/// The Distributions tab's "Brain alignment" view: the layer profile of a file written by
/// `repalign-cli align` (score against layer, one line per model and ROI) and the table of every
/// score. Files come from the project's analyses that hold /alignment (checked off the UI
/// thread) or from Open…. A second page shows synthesised voxel images (voxelsynthview.h).
#include <QStringList>
#include <QWidget>

#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QTabWidget;
class QTableWidget;

namespace repalign {
struct AlignmentScores;
}

namespace repalign::gui {

class VoxelSynthView;

class AlignmentView : public QWidget {
    Q_OBJECT
public:
    explicit AlignmentView(QWidget* parent = nullptr);
    ~AlignmentView() override;

    /// Offers those of @p paths that hold /alignment (read in the background).
    void setAvailableFiles(const QStringList& paths);
    /// Shows @p path (read in the background; the note says why when it has no /alignment).
    void openFile(const QString& path);
    QString currentFile() const;
    QStringList files() const;

    QCustomPlot* plot() const { return m_plot; }
    QTableWidget* table() const { return m_table; }
    QComboBox* scoreBox() const { return m_score; }
    QString note() const;
    /// The "Voxel images" page: baseline (ridge readout) vs tuned synthesised voxel images.
    VoxelSynthView* voxelView() const { return m_voxels; }
    QTabWidget* pages() const { return m_pages; }

Q_SIGNALS:
    void exportPlotRequested(QCustomPlot* plot, const QString& suggestedName);
    /// A file was read and shown (or failed: the note says why).
    void shown();

private:
    void showFile(const QString& path);
    void redraw();
    QComboBox* m_file;
    QComboBox* m_score;
    QCustomPlot* m_plot;
    QTableWidget* m_table;
    QLabel* m_note;
    QTabWidget* m_pages;
    VoxelSynthView* m_voxels;
    std::unique_ptr<AlignmentScores> m_scores;
    int m_generation = 0;
};

} // namespace repalign::gui
