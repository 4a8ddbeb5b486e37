#pragma once
/// @file voxelsynthview.h
/// The Brain alignment view's "Voxel images": per voxel of an ROI, the image synthesised for the
/// baseline (through a ridge readout fitted on the bundle) beside the one synthesised for the
/// tuned model (through its own readout), each with its predicted response. Reads two files
/// written by `repalign-cli visualize --objective voxel` off the UI thread; without them it says
/// the exact commands that write them.
#include <QString>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace repalign::gui {

class VoxelSynthView : public QWidget {
    Q_OBJECT
public:
    explicit VoxelSynthView(QWidget* parent = nullptr);

    /// Shows @p baseline and @p tuned (either may be empty; read in the background).
    void setFiles(const QString& baseline, const QString& tuned);
    QString baselineFile() const { return m_baseline; }
    QString tunedFile() const { return m_tuned; }

    QTableWidget* table() const { return m_table; }
    /// The empty-state or error text (empty while a table is shown without problems).
    QString note() const;

    /// The commands that write the two files, for the empty state.
    static QString commandsHint();

Q_SIGNALS:
    /// The files were read and shown (or failed: the note says why).
    void shown();

private:
    void pick(bool baseline);
    QString m_baseline, m_tuned;
    QLabel* m_baselineLabel;
    QLabel* m_tunedLabel;
    QLabel* m_note;
    QTableWidget* m_table;
    int m_generation = 0;
};

} // namespace repalign::gui
