#pragma once
/// @file figureexport.h
/// Figures for talks and papers: every plot and page exports to PNG (chosen DPI), SVG and PDF
/// at a size preset, with fonts sized for that preset.
#include <QSizeF>
#include <QString>
#include <QStringList>

class QCustomPlot;
class QWidget;

namespace repalign::gui {

enum class FigurePreset {
    Talk,      ///< slide 16:9, 10 x 5.625 in
    OneColumn, ///< paper, one column: 3.5 in wide
    TwoColumn, ///< paper, two columns: 7 in wide
};

struct FigurePresetInfo {
    FigurePreset preset;
    QString key;        ///< "talk", "column", "two-column" (CLI names)
    QSizeF inches;      ///< page size
    double fontPoints;  ///< tick label size; axis labels and titles are a little larger
};

FigurePresetInfo figurePresetInfo(FigurePreset preset);
QStringList figurePresetKeys();
/// Parses a CLI preset name; throws repalign::Error listing the valid names.
FigurePreset parseFigurePreset(const QString& key);
/// Localised label for menus ("Talk slide 16:9", ...).
QString figurePresetLabel(FigurePreset preset);

/// Logical pixels per inch used for layout; a PNG at D dpi is rendered at scale D/96.
constexpr double kLayoutDpi = 96.0;

/// Exports @p plot to @p path (format from the suffix: .png, .svg or .pdf). Fonts are set for
/// the preset during the export and restored after. Throws repalign::Error naming the file
/// for an unknown suffix or a write failure.
void exportPlotFigure(QCustomPlot* plot, const QString& path, FigurePreset preset, int dpi = 300);

/// Exports any widget (MEI grid, distributions page) by rendering it at the preset size.
void exportWidgetFigure(QWidget* widget, const QString& path, FigurePreset preset, int dpi = 300);

/// "png", "svg" or "pdf" from the file name; throws repalign::Error otherwise.
QString figureFormat(const QString& path);

} // namespace repalign::gui
