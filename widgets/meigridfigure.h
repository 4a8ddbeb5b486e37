#pragma once
/// @file meigridfigure.h
/// The MEI grid figure for talks and papers: several units, each with its k maximally
/// exciting images, for one model or two side by side (stacked when the page is too narrow),
/// sized to its content at the preset's width. A painter, free of any widget, shared by the
/// GUI's export and `repalign-cli figure --kind mei-grid`.
#include "figureexport.h"

#include <QImage>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <vector>

namespace repalign {
class AnalysisFile;
}

namespace repalign::gui {

struct MeiFigureCell {
    QImage image;
    float activation = 0;
    QString label; ///< class name
};

struct MeiFigureBlock {
    QString heading; ///< "unit 12"
    QString score; ///< "II-LPIPS 0.432"
    QList<MeiFigureCell> cells;
};

struct MeiGridFigure {
    QStringList models; ///< one name per analysis
    QList<std::int64_t> units; ///< one figure row per unit
    QList<QList<MeiFigureBlock>> blocks; ///< [unit][model]
};

/// One analysis as the figure names and labels it.
struct MeiFigureSource {
    const AnalysisFile* file = nullptr;
    QString name; ///< run name ("baseline")
    std::function<QString(std::int64_t)> className; ///< label -> class name
};

/// The name of the run an analysis belongs to: the run directory of its checkpoint
/// (".../runs/tuned-hV4/checkpoints/best.pt" -> "tuned-hV4"), else the file's base name.
QString analysisRunName(const AnalysisFile& file);

/// Units chosen by the user: a list ("3,17,40-43"), or the N with the largest (top) or smallest
/// (bottom) value of @p metric ("lpips", "color", "label") in @p file, in that order; units
/// whose value is not finite are never picked. Throws repalign::Error naming the option, the
/// value and the valid range.
std::vector<std::int64_t> parseUnitList(const QString& text, std::int64_t units);
std::vector<std::int64_t> rankUnits(const AnalysisFile& file, const std::string& metric, int count, bool top);

/// Builds the figure's content for @p units of each source (all sources must have them).
MeiGridFigure buildMeiGridFigure(
    const QList<MeiFigureSource>& sources, const std::vector<std::int64_t>& units, const std::string& metric);

/// The page for @p figure at @p preset: the preset's width, the content's height (at most the
/// preset's height for a talk slide; the images shrink to fit).
QSizeF meiGridFigureInches(const MeiGridFigure& figure, FigurePreset preset);
/// Paints @p figure onto a canvas of @p logical pixels (kLayoutDpi).
void paintMeiGridFigure(QPainter& painter, const MeiGridFigure& figure, FigurePreset preset, QSize logical);

/// Writes the figure to @p path (PNG, SVG or PDF) at its content size.
void exportMeiGridFigure(const MeiGridFigure& figure, const QString& path, FigurePreset preset, int dpi = 300);
FigureTextLayout probeMeiGridFigureText(const MeiGridFigure& figure, FigurePreset preset, int dpi);

} // namespace repalign::gui
