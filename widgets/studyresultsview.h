#pragma once
/// @file studyresultsview.h
/// The Study tab's results: the conditions table (given), the study figure of the finished
/// analyses (as `repalign-cli figure --kind study`) and their comparison table (as `study
/// compare`), both rebuilt off the UI thread when the axes' choice changes or more analyses
/// have finished.
#include "figureexport.h"

#include <QTabWidget>

#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPlainTextEdit;

namespace repalign {
struct StudyPlan;
struct StudyTable;
} // namespace repalign

namespace repalign::gui {

class StudyResultsView : public QTabWidget {
    Q_OBJECT
public:
    /// Tabs: @p conditions ("Conditions"), the figure and the comparison.
    explicit StudyResultsView(QWidget* conditions, QWidget* parent = nullptr);
    ~StudyResultsView() override;

    /// The study whose analyses are shown; unless @p sameAxes (the same folder and axes as the
    /// plan before) the figure's choices and the table are reset.
    void setPlan(std::shared_ptr<const StudyPlan> plan, bool sameAxes);
    /// The finished analyses (one name a line, as the status poll lists them): when they
    /// changed the figure and the table are rebuilt.
    void setFinished(const QString& finished);
    /// Rebuilds the figure and the comparison table off the UI thread; figureUpdated() follows.
    void updateFigure();

    QCustomPlot* figure() const { return m_figure; }
    QComboBox* xBox() const { return m_figX; }
    QComboBox* yBox() const { return m_figY; }
    QComboBox* hueBox() const { return m_figHue; }
    QComboBox* y2Box() const { return m_figY2; }
    /// Writes the study figure (PNG/SVG/PDF by suffix) at a preset; throws repalign::Error.
    void exportFigure(const QString& path, FigurePreset preset, int dpi = 300);
    /// The comparison table: table | csv | markdown | latex; empty before the first figureUpdated().
    QString comparisonText(const QString& format) const;

Q_SIGNALS:
    /// The figure was redrawn with @p points points (0: nothing to show yet, or an error).
    void figureUpdated(int points);
    void exportPlotRequested(QCustomPlot* plot, const QString& name);
    /// A line for the panel's message label (saved, or why not).
    void message(const QString& text);

private:
    QWidget* buildFigurePage();
    QWidget* buildComparisonPage();
    void fillBoxes();
    void saveCsv();

    QComboBox* m_figX;
    QComboBox* m_figY;
    QComboBox* m_figHue;
    QComboBox* m_figY2;
    QCustomPlot* m_figure;
    QLabel* m_note;
    QPlainTextEdit* m_comparison;
    std::shared_ptr<const StudyPlan> m_plan;
    bool m_syncing = false;
    int m_generation = 0;
    QString m_finished; ///< the finished analyses the figure was built from
    QString m_tableKey; ///< m_finished + metric of m_table
    std::shared_ptr<const StudyTable> m_table;
};

} // namespace repalign::gui
