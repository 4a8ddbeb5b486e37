#pragma once
/// @file psychview.h
/// The Distributions tab's "Human psychophysics" view: the output of `repalign-cli psych
/// import` (or `psych simulate`), /psych of an .h5 read off the UI thread: accuracy per model
/// (bars with 95% CIs, chance line, the model comparison), per-unit accuracy against II-LPIPS
/// and II-color (Spearman rho with its CI and p), the models' and participants' tables. A
/// simulated observer is named in a banner over the figures. With no file yet it shows the
/// commands that make one, and "Run in-app experiment…" opens the lab runner for a plan folder.
#include <QStringList>
#include <QWidget>

#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QTableWidget;

namespace repalign::psych {
struct PsychSummary;
}

namespace repalign::gui {

class PsychView : public QWidget {
    Q_OBJECT
public:
    explicit PsychView(QWidget* parent = nullptr);
    ~PsychView() override;

    /// Offers those of @p paths that hold /psych (checked in the background).
    void setAvailableFiles(const QStringList& paths);
    /// Shows @p path (read in the background; the note says why when it has no /psych).
    void openFile(const QString& path);
    QString currentFile() const;
    QStringList files() const;

    /// The summary shown (null while none is).
    const psych::PsychSummary* summary() const { return m_summary.get(); }
    QCustomPlot* accuracyPlot() const { return m_accuracy; }
    QCustomPlot* lpipsPlot() const { return m_lpips; }
    QCustomPlot* colorPlot() const { return m_color; }
    QTableWidget* modelTable() const { return m_models; }
    QTableWidget* participantTable() const { return m_participants; }
    /// The simulated-observer banner ("" when the responses are human or nothing is shown).
    QString banner() const;
    /// The empty state or the error of the last file ("" while a summary is shown).
    QString note() const;
    QPushButton* runButton() const { return m_run; }

Q_SIGNALS:
    void exportPlotRequested(QCustomPlot* plot, const QString& suggestedName);
    /// "Run in-app experiment…": the window opens the runner (it knows the project folder).
    void runExperimentRequested();
    /// A file was read and shown (or failed: the note says why).
    void shown();

private:
    void showFile(const QString& path);
    void redraw();
    QString emptyText() const;
    QComboBox* m_file;
    QPushButton* m_run;
    QLabel* m_banner;
    QLabel* m_note;
    QLabel* m_stats;
    QWidget* m_results;
    QCustomPlot* m_accuracy;
    QCustomPlot* m_lpips;
    QCustomPlot* m_color;
    QTableWidget* m_models;
    QTableWidget* m_participants;
    std::unique_ptr<psych::PsychSummary> m_summary;
    int m_generation = 0;
};

} // namespace repalign::gui
