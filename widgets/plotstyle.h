#pragma once
/// @file plotstyle.h
/// One look for every plot: the Okabe-Ito colour-blind-safe palette, fonts and axis styling,
/// plus the data helpers the plots share (debiased EMA smoothing, min/max decimation).
#include <QColor>
#include <QFont>
#include <QVector>

class QCustomPlot;

namespace repalign::gui {

/// Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
/// Black is last so curves start with colours.
QColor paletteColor(int index);
int paletteSize();

/// Axis, grid, legend and font styling shared by the workbench's plots and its exported
/// figures. @p basePointSize is the tick-label size; labels are one point larger.
void stylePlot(QCustomPlot* plot, double basePointSize = 9.0);

/// Debiased exponential moving average (as TensorBoard): s_t = w s_{t-1} + (1-w) y_t,
/// divided by (1 - w^t) so early values are not pulled towards zero. @p weight in [0, 1).
QVector<double> emaSmooth(const QVector<double>& y, double weight);

/// Reduces a series sorted by x to at most 4 points per pixel column over [xmin, xmax]
/// (first, min, max, last of each column, in x order), so extremes survive at any zoom.
/// Points just outside the range are kept so lines run to the plot edge.
struct Decimated {
    QVector<double> x, y;
};
Decimated decimateMinMax(const QVector<double>& x, const QVector<double>& y, double xmin, double xmax, int columns);

} // namespace repalign::gui
