#pragma once
/// @file figureexport.h
/// Figures for talks and papers: every plot and page exports to PNG (chosen DPI), SVG and PDF
/// at a size preset, with fonts sized for that preset.
///
/// Fonts are set in points at the figure's physical size: the layout works in logical pixels
/// at kLayoutDpi (a point is 96/72 px there) and every format maps the logical page onto its
/// physical size once (PNG: painter scale dpi/96 on a 96-dpi canvas; SVG and PDF: a 96-dpi
/// resolution). Plot fonts are given in pixels of that canvas, so the layout's font metrics and
/// the painted text agree on any screen and any paint device.
#include <QList>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>

#include <functional>

class QCustomPlot;
class QPainter;
class QWidget;

namespace repalign::gui {

enum class FigurePreset {
    Talk, ///< slide 16:9, 10 x 5.625 in
    OneColumn, ///< paper, one column: 3.5 in wide
    TwoColumn, ///< paper, two columns: 7 in wide
};

struct FigurePresetInfo {
    FigurePreset preset;
    QString key; ///< "talk", "column", "two-column" (CLI names)
    QSizeF inches; ///< page size (a content-sized figure keeps the width)
    double fontPoints; ///< tick labels, legend and captions
    double labelPoints() const { return fontPoints + 1.5; } ///< axis titles
    double titlePoints() const { return fontPoints + 3.0; } ///< plot titles
};

FigurePresetInfo figurePresetInfo(FigurePreset preset);
QStringList figurePresetKeys();
/// Parses a CLI preset name; throws repalign::Error listing the valid names.
FigurePreset parseFigurePreset(const QString& key);
/// Localised label for menus ("Talk slide 16:9", ...).
QString figurePresetLabel(FigurePreset preset);

/// Logical pixels per inch used for layout; a PNG at D dpi is rendered at scale D/96.
constexpr double kLayoutDpi = 96.0;
/// Logical pixels of a font of @p points at kLayoutDpi (the presets' sizes are whole pixels).
int figurePixels(double points);

/// Exports @p plot to @p path (format from the suffix: .png, .svg or .pdf). Fonts are set for
/// the preset during the export and restored after. Throws repalign::Error naming the file
/// for an unknown suffix or a write failure.
void exportPlotFigure(QCustomPlot* plot, const QString& path, FigurePreset preset, int dpi = 300);
/// Exports any widget (distributions page) by rendering it at the preset size.
void exportWidgetFigure(QWidget* widget, const QString& path, FigurePreset preset, int dpi = 300);
/// Paints a figure of @p inches (the painter is in logical pixels, kLayoutDpi) to @p path.
using FigurePainter = std::function<void(QPainter&, QSize logical)>;
void exportPaintedFigure(const FigurePainter& paint, const QString& path, QSizeF inches, int dpi = 300);

/// "png", "svg" or "pdf" from the file name; throws repalign::Error otherwise.
QString figureFormat(const QString& path);

/// One piece of text as a figure draws it, in pixels of its PNG at the probed dpi.
struct FigureTextItem {
    QString text;
    QRectF rect; ///< ascent to descent, advance width
    double pixelSize; ///< the font's size in output pixels
    QRectF clip; ///< the clip in force when it was drawn (null: none), output pixels
};
struct FigureTextLayout {
    QSizeF canvas; ///< output pixels
    QList<FigureTextItem> items;
};
/// Renders the figure exactly as the PNG export does, onto a device that records every text
/// item the painter is given, so tests can check legibility from the figure's own layout.
FigureTextLayout probePlotFigureText(QCustomPlot* plot, FigurePreset preset, int dpi);
FigureTextLayout probePaintedFigureText(const FigurePainter& paint, QSizeF inches, int dpi);

/// The study figure (`figure --kind study`, the Study tab): the II metric's mean with its 95%
/// bootstrap CI against one grid axis, one line per value of the hue axis, and optionally the
/// classification accuracy on a second y axis. @p points come from repalign::studyFigurePoints;
/// numeric x values are placed on a numeric axis, others as categories in order of appearance.
struct StudyFigureSeriesPoint {
    QString x, hue;
    double mean = 0, low = 0, high = 0, y2 = 0;
};
void plotStudyFigure(QCustomPlot* plot, const QList<StudyFigureSeriesPoint>& points, const QString& xLabel, const QString& yLabel,
    const QString& y2Label = {}, const QString& hueLabel = {});

} // namespace repalign::gui
