#pragma once
/// @file distributionsview.h
/// The Distributions tab: for two or more analyses, overlaid histograms / violins / box plots
/// of the chosen II metric, the paired scatter (unit i of one vs the other, with the
/// diagonal), and the compare command's statistics table, copyable as Markdown or LaTeX.
#include "distributionplots.h"

#include <QWidget>

#include <memory>
#include <optional>

#include <vector>

class QComboBox;
class QTabWidget;
class QCustomPlot;
class QLabel;
class QListWidget;
class QPlainTextEdit;

namespace repalign::gui {

class AlignmentView;
class BehaviourView;
class PsychView;

/// True for a unit analysis of repalign-cli analyze (it has /activations and /ii/lpips); false
/// for the other files of RUN/analysis (behave, align, psych import) and for unreadable ones.
/// Opens the file's metadata only (no datasets are read).
bool isUnitAnalysisFile(const QString& path);

struct DistributionsData;

class DistributionsView : public QWidget {
    Q_OBJECT
public:
    explicit DistributionsView(QWidget* parent = nullptr);

    /// The project's RUN/analysis files: all of them go to the Brain alignment, Behaviour and
    /// Human psychophysics views (each keeps the files it reads); the list of this page offers
    /// the unit analyses among them (isUnitAnalysisFile).
    void setAvailableAnalyses(const QStringList& paths);
    /// Ticks exactly these analyses (in order, after the list's check of the files, off the
    /// UI thread) and recomputes.
    void setSelectedAnalyses(const QStringList& paths);
    QStringList selectedAnalyses() const;

    QCustomPlot* distributionPlot() const { return m_dist; }
    QCustomPlot* scatterPlot() const { return m_scatter; }
    QWidget* page() const { return m_page; }
    /// The "Brain alignment" view (layer profiles of repalign-cli align files).
    AlignmentView* alignmentView() const { return m_alignment; }
    /// The "Human psychophysics" view (/psych of repalign-cli psych import files).
    PsychView* psychView() const { return m_psych; }
    /// The "Behaviour" view (robustness, corruptions, calibration, human agreement of repalign-cli behave files).
    BehaviourView* behaviourView() const { return m_behaviour; }
    QTabWidget* views() const { return m_views; }
    QString statisticsText(const QString& format) const;

public Q_SLOTS:
    /// Reads the ticked analyses and their comparison off the UI thread, then redraws (shown()).
    void recompute();
    void copyMarkdown();
    void copyLatex();

Q_SIGNALS:
    void exportRequested(QWidget* widget, const QString& suggestedName);
    void exportPlotRequested(QCustomPlot* plot, const QString& suggestedName);
    /// The plots, the table and the notes show the ticked analyses (after recompute()).
    void shown();

private:
    /// Finds the unit analyses among @p paths off the UI thread, then fills the list with them
    /// (fillList), ticking exactly a pending setSelectedAnalyses() request if there is one.
    void listUnitAnalyses(const QStringList& paths);
    /// Fills the list with @p units (unit analyses; ticked: exactly @p tick when given, else
    /// the ticks kept and the first two when nothing is) and recomputes when the ticked set
    /// changed.
    void fillList(const QStringList& units, const std::optional<QStringList>& tick = std::nullopt);
    /// Shows m_shown: plots, convention header, table and notes; emits shown().
    void showDistributions();
    /// The distribution plot of m_shown in the chosen kind (histogram, ...): no re-read.
    void replotDistribution();

    QListWidget* m_list;
    QComboBox* m_metric;
    QComboBox* m_kind;
    QCustomPlot* m_dist;
    QCustomPlot* m_scatter;
    QPlainTextEdit* m_table;
    QLabel* m_note;
    QLabel* m_header; ///< each analysis's II convention (ii_diagonal)
    QWidget* m_page;
    AlignmentView* m_alignment;
    PsychView* m_psych;
    BehaviourView* m_behaviour;
    QTabWidget* m_views;
    QStringList m_computedPaths;
    int m_generation = 0; ///< recompute()'s count: only the newest result is shown
    QStringList m_available; ///< the last setAvailableAnalyses() files
    std::optional<QStringList> m_pendingTick; ///< setSelectedAnalyses() waiting for its list
    int m_listGeneration = 0; ///< listUnitAnalyses()' count: only the newest list is shown
    std::shared_ptr<const DistributionsData> m_shown; ///< what the page shows (readDistributions)
};

} // namespace repalign::gui
