#include "meigridview.h"

#include "neuronmodel.h"

#include <QPainter>

namespace repalign::gui {

MeiGridView::MeiGridView(QWidget* parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, Qt::white);
    setPalette(pal);
}

namespace {
constexpr int kMeiMargin = 4;
constexpr int kMeiGap = 8;
constexpr int kMeiMaxSide = 192;
} // namespace

void MeiGridView::setRows(const QList<Row>& rows)
{
    m_rows = rows;
    updateGeometry();
    update();
}

void MeiGridView::setMinimumSide(int side)
{
    m_minSide = std::max(0, side);
    QSizePolicy policy = sizePolicy();
    policy.setHeightForWidth(m_minSide > 0);
    setSizePolicy(policy);
    updateGeometry();
    update();
}

MeiGridView::Layout MeiGridView::layoutFor(int width, int height) const
{
    Layout out;
    const QFontMetrics fm(font());
    const int titleH = fm.height() + 6;
    const int captionH = 3 * fm.lineSpacing() + 6;
    int k = 1;
    for (const Row& r : m_rows)
        k = std::max(k, static_cast<int>(r.images.size()));
    const int avail = std::max(1, width - 2 * kMeiMargin);
    auto sideFor = [&](int perLine) { return (avail - (perLine - 1) * kMeiGap) / perLine; };
    // Fewer per line rather than thumbnails below the legible size.
    int perLine = k;
    while (perLine > 1 && sideFor(perLine) < m_minSide)
        --perLine;
    int side = std::max(sideFor(perLine), m_minSide > 0 ? m_minSide : 8);
    int lines = 0;
    for (const Row& r : m_rows)
        lines += std::max(1, static_cast<int>((r.images.size() + perLine - 1) / perLine));
    if (m_minSide > 0) {
        side = std::min(side, std::max(m_minSide, kMeiMaxSide));
    } else if (height > 0 && lines > 0) {
        // Fit the given height too (the exported figure has a fixed page).
        const int byHeight = (height - static_cast<int>(m_rows.size()) * titleH) / lines - captionH - kMeiGap;
        side = std::max(8, std::min(side, byHeight));
    }
    out.perLine = perLine;
    out.side = side;
    int y = 0;
    for (const Row& r : m_rows) {
        out.titles << QRect(kMeiMargin, y, std::max(1, width - 2 * kMeiMargin), titleH);
        y += titleH;
        QList<QRect> images, captions;
        const int n = static_cast<int>(r.images.size());
        for (int i = 0; i < n; ++i) {
            const int line = i / perLine, col = i % perLine;
            const int top = y + line * (side + captionH + kMeiGap);
            const QRect image(kMeiMargin + col * (side + kMeiGap), top, side, side);
            images << image;
            // Captions own the image's width plus half the gap on each side, so neighbours never overlap.
            captions << QRect(image.left() - kMeiGap / 2 + 1, image.bottom() + 3, side + kMeiGap - 2, captionH - 3);
        }
        y += std::max(1, (n + perLine - 1) / perLine) * (side + captionH + kMeiGap);
        out.images << images;
        out.captions << captions;
    }
    out.height = y;
    return out;
}

QStringList MeiGridView::captionLines(const QString& caption, int width) const
{
    const QFontMetrics fm(font());
    QStringList lines;
    for (const QString& line : caption.split(QLatin1Char('\n')))
        lines << fm.elidedText(line, Qt::ElideRight, width);
    return lines;
}

QSize MeiGridView::sizeHint() const
{
    if (m_minSide > 0) {
        const int w = 2 * kMeiMargin + 5 * 96 + 4 * kMeiGap;
        return QSize(w, heightForWidth(w));
    }
    int k = 0;
    for (const Row& r : m_rows)
        k = std::max(k, static_cast<int>(r.images.size()));
    const int rows = std::max<int>(1, m_rows.size());
    return QSize(std::max(1, k) * 110, rows * 170);
}

QSize MeiGridView::minimumSizeHint() const
{
    if (m_minSide > 0)
        return QSize(2 * kMeiMargin + m_minSide, heightForWidth(2 * kMeiMargin + m_minSide));
    return QSize(200, std::max<int>(1, m_rows.size()) * 90);
}

bool MeiGridView::hasHeightForWidth() const
{
    return m_minSide > 0;
}

int MeiGridView::heightForWidth(int width) const
{
    if (m_rows.isEmpty())
        return QFontMetrics(font()).height() * 3;
    return layoutFor(width).height;
}

MeiGridView::Row MeiGridView::rowFor(
    const AnalysisFile& file, std::int64_t unit, const QString& title, const std::function<QString(std::int64_t)>& className)
{
    Row row;
    row.title = title;
    const auto images = file.meiImages(unit);
    for (int i = 0; i < static_cast<int>(images.size()); ++i) {
        row.images << rgbImage(images[i].data(), file.imageHeight, file.imageWidth);
        const std::size_t at = static_cast<std::size_t>(unit) * file.k + i;
        row.captions << QObject::tr("act %1\n#%2\n%3")
                            .arg(QString::number(file.meiActivations[at], 'g', 4))
                            .arg(file.meiIndices[at])
                            .arg(className(file.meiLabels[at]));
    }
    return row;
}

void MeiGridView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    if (m_rows.isEmpty()) {
        p.setPen(QColor(140, 140, 140));
        p.drawText(rect(), Qt::AlignCenter, tr("Select a unit"));
        return;
    }
    const Layout layout = layoutFor(width(), height());
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);
    for (int r = 0; r < m_rows.size(); ++r) {
        const Row& row = m_rows[r];
        p.setFont(bold);
        p.setPen(QColor(40, 40, 40));
        const QRect title = layout.titles[r];
        p.drawText(title, Qt::AlignLeft | Qt::AlignVCenter, boldMetrics.elidedText(row.title, Qt::ElideRight, title.width()));
        p.setFont(font());
        for (int i = 0; i < row.images.size(); ++i) {
            const QRect target = layout.images[r][i];
            // Nearest neighbour: 32x32 MEIs should look like pixels, not blur.
            p.setRenderHint(QPainter::SmoothPixmapTransform, false);
            p.drawImage(target, row.images[i]);
            p.setPen(QColor(200, 200, 200));
            p.drawRect(target.adjusted(0, 0, -1, -1));
            p.setPen(QColor(60, 60, 60));
            const QRect caption = layout.captions[r][i];
            p.drawText(caption, Qt::AlignHCenter | Qt::AlignTop,
                captionLines(row.captions.value(i), caption.width()).join(QLatin1Char('\n')));
        }
    }
}

} // namespace repalign::gui
