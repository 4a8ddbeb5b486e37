#include "meigridfigure.h"

#include "distributionsview.h"
#include "neuronmodel.h"

#include "common/error.h"
#include "interpret/analysis.h"
#include "run/rundir.h"

#include <QDir>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QPainter>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace repalign::gui {

namespace {

/// Where everything of an MEI grid goes, in logical pixels.
struct MeiLayout {
    QFont caption, heading, header;
    double margin = 8, gap = 3, blockGap = 16, rowGap = 8;
    double side = 64; ///< image side
    int k = 1; ///< images per block
    int models = 1;
    bool sideBySide = true; ///< the models' blocks on one line per unit, else one line per model
    double headerH = 0; ///< model names above the blocks (side by side)
    double headingH = 0, captionH = 0;
    int captionLines = 2; ///< activation and class under each image; 0 when the images are too small
    double blockW = 0;
    int lines = 0;
    QSizeF size;

    double lineH() const { return 2 * headingH + gap + side + gap + captionLines * captionH + rowGap; }
};

QFont pixelFont(int px, bool bold = false)
{
    QFont f;
    f.setPixelSize(std::max(1, px));
    f.setBold(bold);
    return f;
}

MeiLayout layoutFor(const MeiGridFigure& figure, const FigurePresetInfo& info)
{
    MeiLayout l;
    const int px = figurePixels(info.fontPoints);
    l.caption = pixelFont(px);
    l.heading = pixelFont(px);
    l.header = pixelFont(figurePixels(info.labelPoints()), true);
    l.margin = std::round(0.1 * kLayoutDpi);
    l.gap = std::max(2.0, std::round(px * 0.3));
    l.blockGap = std::round(px * 1.5);
    l.rowGap = std::round(px * 0.8);
    l.headingH = std::ceil(QFontMetricsF(l.heading).lineSpacing());
    l.captionH = std::ceil(QFontMetricsF(l.caption).lineSpacing());
    l.models = std::max<int>(1, figure.models.size());
    for (const auto& unitBlocks : figure.blocks)
        for (const MeiFigureBlock& b : unitBlocks)
            l.k = std::max<int>(l.k, b.cells.size());
    const double width = info.inches.width() * kLayoutDpi;
    const double inner = width - 2 * l.margin;
    auto sideFor = [&](int blocks) { return (inner - (blocks - 1) * l.blockGap - blocks * (l.k - 1) * l.gap) / (blocks * l.k); };
    const double minSide = 0.55 * kLayoutDpi, maxSide = 1.5 * kLayoutDpi;
    l.sideBySide = l.models == 1 || sideFor(l.models) >= minSide;
    const int blocks = l.sideBySide ? l.models : 1;
    l.side = std::floor(std::min(maxSide, sideFor(blocks)));
    l.headerH = l.sideBySide ? std::ceil(QFontMetricsF(l.header).lineSpacing()) + l.gap : 0;
    l.lines = static_cast<int>(figure.units.size()) * (l.sideBySide ? 1 : l.models);
    // A slide has a fixed height: shrink the images until the rows fit. Paper may grow to a page.
    const double maxHeight = (info.preset == FigurePreset::Talk ? info.inches.height() : 9.0) * kLayoutDpi;
    auto height = [&] { return 2 * l.margin + l.headerH + l.lines * l.lineH() - l.rowGap; };
    const double widest = l.side;
    if (l.lines > 0 && height() > maxHeight) {
        auto fit = [&] {
            const double fixed = 2 * l.margin + l.headerH - l.rowGap
                + l.lines * (2 * l.headingH + 2 * l.gap + l.captionLines * l.captionH + l.rowGap);
            l.side = std::min(widest, std::max(16.0, std::floor((maxHeight - fixed) / l.lines)));
        };
        fit();
        // Captions narrower than a short number are noise: give their room to the images.
        if (l.side < 3.2 * px) {
            l.captionLines = 0;
            fit();
        }
    }
    l.blockW = l.k * l.side + (l.k - 1) * l.gap;
    l.size = QSizeF(width, std::max(std::ceil(height()), 0.75 * kLayoutDpi));
    return l;
}

QString metricTitle(const std::string& metric)
{
    return metricLabel(QString::fromStdString(metric));
}

} // namespace

QString analysisRunName(const AnalysisFile& file)
{
    const QFileInfo checkpoint(QString::fromStdString(file.checkpoint));
    QDir dir = checkpoint.dir();
    if (!file.checkpoint.empty() && dir.dirName() == QLatin1String(RunLayout::kCheckpointsDir) && dir.cdUp()
        && !dir.dirName().isEmpty())
        return dir.dirName();
    return QFileInfo(QString::fromStdString(file.path)).completeBaseName();
}

std::vector<std::int64_t> parseUnitList(const QString& text, std::int64_t units)
{
    std::vector<std::int64_t> out;
    const QString range = QStringLiteral("0..%1").arg(units - 1);
    static const QRegularExpression item(QStringLiteral("^\\s*(\\d+)\\s*(?:-\\s*(\\d+))?\\s*$"));
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto m = item.match(part);
        if (!m.hasMatch())
            throw Error("--units '" + text.toStdString() + "': '" + part.trimmed().toStdString()
                + "' is not a unit or a range (valid: numbers and ranges like 3,17,40-43 within " + range.toStdString() + ")");
        bool ok1 = false, ok2 = true;
        const qlonglong a = m.captured(1).toLongLong(&ok1);
        const qlonglong b = m.captured(2).isEmpty() ? a : m.captured(2).toLongLong(&ok2);
        if (!ok1 || !ok2 || a > b || b >= units)
            throw Error("--units '" + text.toStdString() + "': '" + part.trimmed().toStdString()
                + "' is out of range (valid: " + range.toStdString() + ")");
        if (b - a >= 256 || out.size() + (b - a + 1) > 256)
            throw Error(
                "--units '" + text.toStdString() + "' names more than 256 units (a figure shows a few; use --top/--bottom)");
        for (qlonglong u = a; u <= b; ++u)
            out.push_back(u);
    }
    if (out.empty())
        throw Error("--units is empty (valid: numbers and ranges like 3,17,40-43 within " + range.toStdString() + ")");
    return out;
}

std::vector<std::int64_t> rankUnits(const AnalysisFile& file, const std::string& metric, int count, bool top)
{
    const std::vector<float>& values = file.metric(metric);
    if (count < 1 || count > 256)
        throw Error(std::string(top ? "--top " : "--bottom ") + std::to_string(count) + " is out of range (valid: 1..256)");
    std::vector<std::int64_t> order;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (std::isfinite(values[i]))
            order.push_back(static_cast<std::int64_t>(i));
    std::stable_sort(order.begin(), order.end(),
        [&](std::int64_t a, std::int64_t b) { return top ? values[a] > values[b] : values[a] < values[b]; });
    if (order.size() > static_cast<std::size_t>(count))
        order.resize(count);
    if (order.empty())
        throw Error("'" + file.path + "' has no unit with a finite II-" + metric);
    return order;
}

MeiGridFigure buildMeiGridFigure(
    const QList<MeiFigureSource>& sources, const std::vector<std::int64_t>& units, const std::string& metric)
{
    MeiGridFigure figure;
    for (const MeiFigureSource& s : sources)
        figure.models << s.name;
    for (std::int64_t unit : units) {
        QList<MeiFigureBlock> row;
        for (const MeiFigureSource& s : sources) {
            const AnalysisFile& f = *s.file;
            if (unit < 0 || unit >= f.units)
                throw Error("unit " + std::to_string(unit) + " is out of range for '" + f.path + "' (valid: 0.."
                    + std::to_string(f.units - 1) + ")");
            MeiFigureBlock block;
            const float ii = f.metric(metric)[static_cast<std::size_t>(unit)];
            block.heading = QObject::tr("unit %1").arg(unit);
            block.score = QStringLiteral("%1 %2").arg(
                metricTitle(metric), std::isfinite(ii) ? QString::number(ii, 'f', 3) : QStringLiteral("n/a"));
            const auto images = f.meiImages(unit);
            for (int i = 0; i < static_cast<int>(images.size()); ++i) {
                const std::size_t at = static_cast<std::size_t>(unit) * f.k + i;
                MeiFigureCell cell;
                cell.image = rgbImage(images[i].data(), f.imageHeight, f.imageWidth);
                cell.activation = f.meiActivations[at];
                cell.label = s.className ? s.className(f.meiLabels[at]) : QString::number(f.meiLabels[at]);
                block.cells << cell;
            }
            row << block;
        }
        figure.units << unit;
        figure.blocks << row;
    }
    return figure;
}

QSizeF meiGridFigureInches(const MeiGridFigure& figure, FigurePreset preset)
{
    const MeiLayout l = layoutFor(figure, figurePresetInfo(preset));
    return l.size / kLayoutDpi;
}

void paintMeiGridFigure(QPainter& p, const MeiGridFigure& figure, FigurePreset preset, QSize logical)
{
    const MeiLayout l = layoutFor(figure, figurePresetInfo(preset));
    p.fillRect(QRectF(QPointF(0, 0), QSizeF(logical)), Qt::white);
    const int blocksPerLine = l.sideBySide ? l.models : 1;
    const double usedW = blocksPerLine * l.blockW + (blocksPerLine - 1) * l.blockGap;
    const double left = std::max(l.margin, (logical.width() - usedW) / 2); // centre narrow grids
    const QColor ink(40, 40, 40), soft(90, 90, 90), frame(200, 200, 200);
    auto blockX = [&](int b) { return left + b * (l.blockW + l.blockGap); };
    auto text = [&](const QRectF& r, const QFont& font, int align, const QString& s, const QColor& color) {
        p.setFont(font);
        p.setPen(color);
        p.drawText(r, align | Qt::TextSingleLine, QFontMetricsF(font).elidedText(s, Qt::ElideRight, r.width()));
    };
    double y = l.margin;
    if (l.sideBySide) {
        for (int m = 0; m < l.models; ++m)
            text(QRectF(blockX(m), y, l.blockW, l.headerH - l.gap), l.header, Qt::AlignLeft | Qt::AlignVCenter,
                figure.models.value(m), ink);
        y += l.headerH;
    }
    for (int u = 0; u < figure.blocks.size(); ++u) {
        for (int m = 0; m < figure.blocks[u].size(); ++m) {
            const MeiFigureBlock& block = figure.blocks[u][m];
            const int slot = l.sideBySide ? m : 0;
            const double x0 = blockX(slot);
            QString heading = block.heading;
            if (!l.sideBySide && l.models > 1)
                heading = figure.models.value(m) + QStringLiteral(" · ") + heading;
            text(QRectF(x0, y, l.blockW, l.headingH), l.heading, Qt::AlignLeft | Qt::AlignVCenter, heading, ink);
            text(
                QRectF(x0, y + l.headingH, l.blockW, l.headingH), l.heading, Qt::AlignLeft | Qt::AlignVCenter, block.score, soft);
            const double top = y + 2 * l.headingH + l.gap;
            for (int i = 0; i < block.cells.size(); ++i) {
                const MeiFigureCell& cell = block.cells[i];
                const QRectF target(x0 + i * (l.side + l.gap), top, l.side, l.side);
                p.drawImage(target, cell.image); // nearest neighbour: 32x32 MEIs look like pixels
                p.setPen(QPen(frame, 0.5));
                p.setBrush(Qt::NoBrush);
                p.drawRect(target);
                if (l.captionLines == 0)
                    continue;
                const QRectF valueRect(target.left(), target.bottom() + l.gap, l.side, l.captionH);
                // The activation with as many digits as the cell holds (3, else 2 significant).
                QString value = QString::number(cell.activation, 'g', 3);
                if (QFontMetricsF(l.caption).horizontalAdvance(value) > l.side)
                    value = QString::number(cell.activation, 'g', 2);
                text(valueRect, l.caption, Qt::AlignHCenter | Qt::AlignTop, value, soft);
                text(valueRect.translated(0, l.captionH), l.caption, Qt::AlignHCenter | Qt::AlignTop, cell.label, soft);
            }
            if (!l.sideBySide)
                y += l.lineH();
        }
        if (l.sideBySide)
            y += l.lineH();
    }
}

void exportMeiGridFigure(const MeiGridFigure& figure, const QString& path, FigurePreset preset, int dpi)
{
    exportPaintedFigure([&](QPainter& p, QSize size) { paintMeiGridFigure(p, figure, preset, size); }, path,
        meiGridFigureInches(figure, preset), dpi);
}

FigureTextLayout probeMeiGridFigureText(const MeiGridFigure& figure, FigurePreset preset, int dpi)
{
    return probePaintedFigureText(
        [&](QPainter& p, QSize size) { paintMeiGridFigure(p, figure, preset, size); }, meiGridFigureInches(figure, preset), dpi);
}

} // namespace repalign::gui
