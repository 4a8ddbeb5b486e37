#pragma once
/// @file unitplots.h
/// The Neurons tab's plots of one unit: the k×k pairwise LPIPS of its MEIs as a heat map, and
/// its II-LPIPS split over the five AlexNet layers (one bar per analysis in compare mode).
#include "qcp.h"

#include "interpret/analysis.h"

namespace repalign::gui {

/// The k×k pairwise LPIPS of a unit's MEIs (viridis, MEI 1 at the top left as in a matrix; the
/// values in the cells where they fit and mean something).
class PairwiseLpipsPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit PairwiseLpipsPlot(QWidget* parent = nullptr);
    /// Shows @p unit of @p file (the tooltip names @p title); a file without pairs says so.
    void showUnit(const AnalysisFile& file, int unit, const QString& title);

private:
    QCPColorScale* m_scale;
    QCPTextElement* m_title;
};

/// II-LPIPS of a unit by AlexNet relu layer: one bar series per analysis, with a legend in a
/// row of its own under the title when there are two (it never covers a bar).
class LayerLpipsPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit LayerLpipsPlot(QWidget* parent = nullptr);
    void showUnit(const QList<const AnalysisFile*>& files, const QStringList& names, int unit);

private:
    QCPLayoutGrid* m_legendRow;
    QCPBarsGroup* m_group;
};

/// The viridis colour map (matplotlib's default).
QCPColorGradient viridisGradient();

} // namespace repalign::gui
