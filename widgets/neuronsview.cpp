#include "neuronsview.h"

#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"

#include <QApplication>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace repalign::gui {

// ---- MeiGridView ---------------------------------------------------------------------------

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

// ---- NeuronsView ---------------------------------------------------------------------------

namespace {
/// The table's MEI column shows the thumbnails only (the grid view shows "Unit N" under them).
class ThumbnailDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->text.clear();
        option->features &= ~QStyleOptionViewItem::HasDisplay;
    }
};

/// The grid view's cells: the thumbnail strip with "Unit N" under it. The size holds both (the
/// model's size hint is the table cell's, thumbnails only), so a caption never lands on the next
/// row of thumbnails.
class GridDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QWidget* widget = opt.widget;
        const QStyle* style = widget ? widget->style() : QApplication::style();
        return style->sizeFromContents(QStyle::CT_ItemViewItem, &opt, QSize(), widget);
    }
};

QCPColorGradient viridis()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.5, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.0, QColor(253, 231, 37));
    return g;
}
} // namespace

NeuronsView::NeuronsView(QWidget* parent)
    : QWidget(parent)
{
    m_model = new NeuronModel(this);
    m_proxy = new NeuronFilterModel(this);
    m_proxy->setSourceModel(m_model);

    m_analysisBox = new QComboBox;
    m_analysisBox->setMinimumContentsLength(14);
    m_analysisBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_compareBox = new QComboBox;
    m_compareBox->setMinimumContentsLength(10);
    m_compareBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("unit, >0.3, <0.2 or 0.2-0.4"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMinimumWidth(m_filter->fontMetrics().horizontalAdvance(QStringLiteral("unit, >0.3, <0.2")) + 24);
    m_filter->setToolTip(tr("Unit numbers containing the text, or a range of the chosen metric"));
    m_metric = new QComboBox;
    m_metric->addItem(tr("II-LPIPS"), int(NeuronModel::LpipsColumn));
    m_metric->addItem(tr("II-color"), int(NeuronModel::ColorColumn));
    m_metric->addItem(tr("II-label"), int(NeuronModel::LabelColumn));
    m_metric->addItem(tr("Top activation"), int(NeuronModel::TopActivationColumn));
    auto* listButton = m_listButton = new QToolButton;
    listButton->setText(tr("List"));
    listButton->setCheckable(true);
    listButton->setChecked(true);
    auto* gridButton = m_gridButton = new QToolButton;
    gridButton->setText(tr("Grid"));
    gridButton->setCheckable(true);
    auto* exportButton = new QPushButton(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export MEIs…"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Analysis:")));
    bar->addWidget(m_analysisBox, 2);
    bar->addWidget(new QLabel(tr("Compare with:")));
    bar->addWidget(m_compareBox, 1);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("Filter:")));
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_metric);
    bar->addWidget(listButton);
    bar->addWidget(gridButton);
    bar->addWidget(exportButton);

    m_banner = new QLabel;
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral("background: #fff4d6; color: #6b4e00; border: 1px solid #e6c35c; padding: 6px;"));
    m_banner->setVisible(false);
    m_error = new QLabel;
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->setVisible(false);

    m_table = new QTableView;
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(NeuronModel::UnitColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_model->thumbnailSide() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    m_table->setIconSize(QSize(5 * (m_model->thumbnailSide() + 2), m_model->thumbnailSide()));
    m_table->installEventFilter(this);
    m_table->setItemDelegateForColumn(NeuronModel::MeiColumn, new ThumbnailDelegate(m_table));
    m_grid = new QListView;
    m_grid->setModel(m_proxy);
    m_grid->setModelColumn(NeuronModel::MeiColumn);
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setUniformItemSizes(true);
    m_grid->setSpacing(6);
    m_grid->setIconSize(QSize(5 * (m_model->thumbnailSide() + 2), m_model->thumbnailSide()));
    m_grid->setItemDelegate(new GridDelegate(m_grid));
    m_grid->installEventFilter(this);
    m_stack = new QStackedWidget;
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_grid);

    m_title = new QLabel(tr("No analysis open"));
    QFont tf = m_title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.3);
    tf.setBold(true);
    m_title->setFont(tf);
    m_values = new QLabel;
    m_values->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_values->setWordWrap(true);
    m_mei = new MeiGridView;
    m_heat = new QCustomPlot;
    m_heat->setMinimumSize(170, 190);
    stylePlot(m_heat, 8);
    m_heat->plotLayout()->insertRow(0);
    m_heatTitle = new QCPTextElement(m_heat, tr("Pairwise LPIPS"));
    m_heat->plotLayout()->addElement(0, 0, m_heatTitle);
    m_heatScale = new QCPColorScale(m_heat);
    m_heatScale->setGradient(viridis());
    m_heatScale->setBarWidth(10);
    m_heat->plotLayout()->addElement(1, 1, m_heatScale);
    m_heat->xAxis->grid()->setVisible(false);
    m_heat->yAxis->grid()->setVisible(false);
    m_heat->xAxis->setLabel(tr("MEI"));
    m_heat->yAxis->setLabel(tr("MEI"));
    stylePlot(m_heat, 8);
    m_layers = new QCustomPlot;
    m_layers->setMinimumSize(170, 190);
    m_layers->plotLayout()->insertRow(0);
    m_layers->plotLayout()->addElement(0, 0, new QCPTextElement(m_layers, tr("II-LPIPS by AlexNet layer")));
    m_layers->yAxis->setLabel(tr("LPIPS part"));
    m_layers->xAxis->setLabel(tr("AlexNet relu layer"));
    stylePlot(m_layers, 8);
    // The legend (compare mode) gets a row of its own under the title, so it never covers a bar.
    m_layerLegendRow = new QCPLayoutGrid;
    m_layers->plotLayout()->insertRow(1);
    m_layers->plotLayout()->addElement(1, 0, m_layerLegendRow);
    m_layers->plotLayout()->setRowStretchFactor(1, 0.001);
    m_layers->axisRect()->insetLayout()->take(m_layers->legend);
    m_layerLegendRow->addElement(0, 0, m_layers->legend);
    m_layers->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_layers->legend->setWrap(1); // one entry per line: the panel can be narrow
    m_layers->legend->setBorderPen(Qt::NoPen);
    m_layers->legend->setBrush(Qt::NoBrush);
    m_layers->legend->setVisible(false);
    m_layerGroup = new QCPBarsGroup(m_layers);

    auto* plots = new QHBoxLayout;
    plots->addWidget(m_heat, 1);
    plots->addWidget(m_layers, 1);
    // In the scrolling panel the plots would take their (large) preferred height: keep them compact.
    for (QCustomPlot* plot : {m_heat, m_layers})
        plot->setMaximumHeight(280);
    // The MEIs keep a legible size: a narrow panel wraps them onto more lines and scrolls, it
    // never squeezes them (compare mode shows two models' rows).
    m_mei->setMinimumSide(kLegibleMeiSide);
    auto* detail = new QWidget;
    auto* dl = new QVBoxLayout(detail);
    dl->addWidget(m_title);
    dl->addWidget(m_values);
    dl->addWidget(m_mei);
    dl->addLayout(plots, 1);
    // Space the panel has beyond its content goes below it, never into the labels.
    m_title->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    m_values->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    dl->addStretch(0);
    m_detailScroll = new QScrollArea;
    m_detailScroll->setWidgetResizable(true);
    m_detailScroll->setFrameShape(QFrame::NoFrame);
    m_detailScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_detailScroll->setWidget(detail);
    m_detailScroll->setMinimumWidth(detail->minimumSizeHint().width() + m_detailScroll->verticalScrollBar()->sizeHint().width());

    auto* split = new QSplitter;
    split->addWidget(m_stack);
    split->addWidget(m_detailScroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({640, 440});

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_banner);
    layout->addWidget(m_error);
    layout->addWidget(split, 1);

    m_typedTimer.setSingleShot(true);
    m_typedTimer.setInterval(900);
    connect(&m_typedTimer, &QTimer::timeout, this, [this] { m_typed.clear(); });

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& t) {
        const bool ok = m_proxy->setFilterText(t);
        m_filter->setStyleSheet(ok ? QString() : QStringLiteral("border: 1px solid #c0392b;"));
        m_filter->setToolTip(ok ? tr("Unit numbers containing the text, or a range of the chosen metric")
                                : tr("Not a filter: type a unit number, >0.3, <0.2 or 0.2-0.4"));
        Q_EMIT status(tr("%1 of %2 units").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
    });
    connect(m_metric, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_proxy->setMetricColumn(m_metric->currentData().toInt());
        m_table->sortByColumn(m_metric->currentData().toInt(), Qt::DescendingOrder);
    });
    connect(listButton, &QToolButton::clicked, this, [this] { setGrid(false); });
    connect(gridButton, &QToolButton::clicked, this, [this] { setGrid(true); });
    connect(exportButton, &QPushButton::clicked, this,
        [this] { Q_EMIT exportRequested(m_mei, QStringLiteral("unit%1-meis").arg(m_unit)); });
    auto onCurrent = [this](const QModelIndex& current) {
        if (current.isValid())
            showUnit(current.data(NeuronModel::UnitRole).toInt());
    };
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, onCurrent);
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this, onCurrent);
    connect(m_analysisBox, qOverload<int>(&QComboBox::activated), this,
        [this](int i) { openAnalysis(m_analysisBox->itemData(i).toString()); });
    connect(m_compareBox, qOverload<int>(&QComboBox::activated), this,
        [this](int i) { setCompareAnalysis(m_compareBox->itemData(i).toString()); });
    setAvailableAnalyses({});
}

void NeuronsView::setGrid(bool grid)
{
    const int unit = m_unit;
    m_listButton->setChecked(!grid);
    m_gridButton->setChecked(grid);
    m_stack->setCurrentIndex(grid ? 1 : 0);
    if (unit >= 0)
        selectUnit(unit);
}

void NeuronsView::setAvailableAnalyses(const QStringList& paths)
{
    auto label = [](const QString& p) { return analysisLabel(p, true); };
    const QString current = m_model->path();
    const QString compare = m_compare ? m_compare->path() : QString();
    QSignalBlocker b1(m_analysisBox), b2(m_compareBox);
    m_analysisBox->clear();
    m_compareBox->clear();
    m_compareBox->addItem(tr("(none)"), QString());
    QStringList all = paths;
    if (!current.isEmpty() && !all.contains(current))
        all.prepend(current);
    if (!compare.isEmpty() && !all.contains(compare))
        all << compare;
    if (all.isEmpty())
        m_analysisBox->addItem(tr("(no analyses in the project yet)"), QString());
    for (const QString& p : all) {
        m_analysisBox->addItem(QIcon(QStringLiteral(":/icons/analysis.svg")), label(p), p);
        m_compareBox->addItem(QIcon(QStringLiteral(":/icons/analysis.svg")), label(p), p);
    }
    m_analysisBox->setCurrentIndex(std::max(0, m_analysisBox->findData(current)));
    m_compareBox->setCurrentIndex(std::max(0, m_compareBox->findData(compare)));
}

bool NeuronsView::openAnalysis(const QString& path)
{
    if (path.isEmpty())
        return false;
    try {
        m_model->open(path);
    } catch (const Error& e) {
        m_error->setText(tr("Cannot open the analysis: %1").arg(QString::fromStdString(e.what())));
        m_error->setVisible(true);
        return false;
    }
    m_error->setVisible(false);
    m_synthA = synthFor(path, *m_model->analysis());
    QStringList known;
    for (int i = 0; i < m_analysisBox->count(); ++i)
        if (!m_analysisBox->itemData(i).toString().isEmpty())
            known << m_analysisBox->itemData(i).toString();
    setAvailableAnalyses(known);
    const AnalysisFile* f = m_model->analysis();
    // Numbers need little room; the thumbnails need all of theirs.
    const QFontMetrics fm = m_table->fontMetrics();
    m_table->setColumnWidth(NeuronModel::UnitColumn, fm.horizontalAdvance(QStringLiteral("Unit 0000")));
    for (int c : {int(NeuronModel::LpipsColumn), int(NeuronModel::ColorColumn), int(NeuronModel::LabelColumn)})
        m_table->setColumnWidth(c, fm.horizontalAdvance(QStringLiteral("II-LPIPS 00")));
    m_table->setColumnWidth(NeuronModel::TopActivationColumn, fm.horizontalAdvance(QStringLiteral("Top activation 0")));
    m_table->setColumnWidth(NeuronModel::MeiColumn, f->k * (m_model->thumbnailSide() + 2) + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    updateBanner();
    Q_EMIT status(tr("%1: %2 units of %3 %4, k = %5, ii_diagonal %6")
                      .arg(QFileInfo(path).fileName())
                      .arg(f->units)
                      .arg(QString::fromStdString(f->model), QString::fromStdString(f->layer))
                      .arg(f->k)
                      .arg(QString::fromStdString(f->iiDiagonal)));
    selectUnit(0);
    return true;
}

bool NeuronsView::setCompareAnalysis(const QString& path)
{
    if (path.isEmpty()) {
        m_compare.reset();
    } else {
        auto other = std::make_unique<NeuronModel>();
        try {
            other->open(path);
        } catch (const Error& e) {
            m_error->setText(tr("Cannot open the analysis: %1").arg(QString::fromStdString(e.what())));
            m_error->setVisible(true);
            return false;
        }
        m_compare = std::move(other);
    }
    m_synthB = m_compare ? synthFor(path, *m_compare->analysis()) : SynthIndex();
    m_compareBox->setCurrentIndex(std::max(0, m_compareBox->findData(path)));
    updateBanner();
    if (m_unit >= 0)
        showUnit(m_unit);
    return true;
}

SynthIndex NeuronsView::synthFor(const QString& path, const AnalysisFile& file)
{
    SynthIndex index;
    try {
        // Only images of this file's units: same layer, a unit or channel objective.
        if (readSynthIndex(path.toStdString(), index) && index.layer == file.layer && index.objective != "voxel")
            return index;
    } catch (const Error&) {
    }
    return SynthIndex();
}

MeiGridView::Row NeuronsView::synthRow(
    const QString& path, const SynthIndex& index, std::int64_t entry, const QString& title) const
{
    MeiGridView::Row row;
    row.title = title;
    try {
        const auto images = readSynthImages(path.toStdString(), index, entry);
        for (int r = 0; r < static_cast<int>(images.size()); ++r) {
            row.images << rgbImage(images[static_cast<std::size_t>(r)].data(), index.height, index.width);
            const float act = index.activations[static_cast<std::size_t>(entry) * static_cast<std::size_t>(index.starts)
                + static_cast<std::size_t>(r)];
            const bool best = index.best[static_cast<std::size_t>(entry)] == r;
            row.captions << (best ? tr("start %1 (best)\n%2") : tr("start %1\n%2"))
                                .arg(r + 1)
                                .arg(QString::number(static_cast<double>(act), 'g', 4));
        }
    } catch (const Error&) {
    }
    return row;
}

bool NeuronsView::isGrid() const
{
    return m_stack->currentIndex() == 1;
}

bool NeuronsView::uncalibratedBannerVisible() const
{
    return !m_banner->isHidden();
}

QString NeuronsView::uncalibratedBannerText() const
{
    return m_banner->text();
}

void NeuronsView::updateBanner()
{
    // Name the runs (RUN/analysis/ii_layer4.h5 -> RUN): the files are usually all called the same.
    QStringList names;
    QString weights;
    for (NeuronModel* m : {m_model, m_compare.get()})
        if (m && m->analysis() && !m->analysis()->lpipsCalibrated) {
            QString name = analysisRunName(m->path(), m->analysis());
            if (names.contains(name))
                name = analysisLabel(m->path(), true);
            names << name;
            if (weights.isEmpty())
                weights = QString::fromStdString(m->analysis()->lpipsWeights);
        }
    m_banner->setText(tr("<b>Uncalibrated LPIPS.</b> %1 used random LPIPS weights (%2): II-LPIPS values show the "
                         "pipeline working but are not comparable with the reference study. Install the LPIPS v0.1 "
                         "AlexNet weights and analyse again.")
                          .arg(names.join(QStringLiteral(", ")).toHtmlEscaped(), weights.toHtmlEscaped()));
    m_banner->setVisible(!names.isEmpty());
}

void NeuronsView::selectUnit(int unit)
{
    if (!m_model->analysis() || unit < 0 || unit >= m_model->rowCount())
        return;
    const QModelIndex src = m_model->index(unit, NeuronModel::UnitColumn);
    QModelIndex proxy = m_proxy->mapFromSource(src);
    if (!proxy.isValid()) {
        // Filtered out: clear the filter so the jump always lands.
        m_filter->clear();
        proxy = m_proxy->mapFromSource(src);
    }
    if (m_stack->currentIndex() == 0) {
        m_table->setCurrentIndex(proxy);
        m_table->scrollTo(proxy);
    } else {
        const QModelIndex g = m_proxy->index(proxy.row(), NeuronModel::MeiColumn);
        m_grid->setCurrentIndex(g);
        m_grid->scrollTo(g);
    }
    showUnit(unit);
}

bool NeuronsView::eventFilter(QObject* watched, QEvent* event)
{
    if ((watched == m_table || watched == m_grid) && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        const QString text = key->text();
        if (text.size() == 1 && text[0].isDigit() && !(key->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
            m_typed += text;
            m_typedTimer.start();
            bool ok = false;
            const int unit = m_typed.toInt(&ok);
            if (ok && unit < m_model->rowCount())
                selectUnit(unit);
            Q_EMIT status(tr("Go to unit %1").arg(m_typed));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void NeuronsView::showUnit(int unit)
{
    const AnalysisFile* a = m_model->analysis();
    if (!a || unit < 0 || unit >= a->units)
        return;
    m_unit = unit;
    const AnalysisFile* b
        = m_compare && m_compare->analysis() && unit < m_compare->analysis()->units ? m_compare->analysis() : nullptr;
    m_title->setText(tr("Unit %1").arg(unit));
    auto values = [&](const AnalysisFile* f, const QString& name) {
        return tr("<b>%1</b>: II-LPIPS %2 · II-color %3 · II-label %4 · top activation %5 · ii_diagonal %6")
            .arg(name.toHtmlEscaped())
            .arg(f->iiLpips[unit], 0, 'f', 4)
            .arg(f->iiColor[unit], 0, 'f', 4)
            .arg(f->iiLabel[unit], 0, 'f', 4)
            .arg(QString::number(f->meiActivations[static_cast<std::size_t>(unit) * f->k], 'g', 5))
            .arg(QString::fromStdString(f->iiDiagonal));
    };
    const QString nameA = QFileInfo(m_model->path()).completeBaseName();
    auto runOf = [](const QString& p) { return analysisLabel(p); };
    const QString titleA = runOf(m_model->path());
    QString text = values(a, titleA);
    QList<MeiGridView::Row> rows;
    rows << MeiGridView::rowFor(*a, unit, titleA, [this](std::int64_t l) { return m_model->className(l); });
    if (const std::int64_t e = m_synthA.find(unit); e >= 0)
        rows << synthRow(m_model->path(), m_synthA, e, tr("%1 · synthesised").arg(titleA));
    QString titleB;
    if (b) {
        titleB = runOf(m_compare->path());
        text += QStringLiteral("<br>") + values(b, titleB);
        rows << MeiGridView::rowFor(*b, unit, titleB, [this](std::int64_t l) { return m_compare->className(l); });
        if (const std::int64_t e = m_synthB.find(unit); e >= 0)
            rows << synthRow(m_compare->path(), m_synthB, e, tr("%1 · synthesised").arg(titleB));
    }
    Q_UNUSED(nameA);
    m_values->setText(text);
    m_mei->setRows(rows);

    // k x k pairwise LPIPS.
    m_heat->clearPlottables();
    m_heat->clearItems();
    m_heatTitle->setText(tr("Pairwise LPIPS"));
    m_heat->setToolTip(tr("Pairwise LPIPS · %1").arg(titleA));
    if (a->hasPairs) {
        const std::vector<float> pairs = a->lpipsPairs(unit);
        const int k = a->k;
        auto* map = new QCPColorMap(m_heat->xAxis, m_heat->yAxis);
        map->data()->setSize(k, k);
        map->data()->setRange(QCPRange(1, k), QCPRange(1, k));
        double vmax = 0;
        for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
                const double v = pairs[static_cast<std::size_t>(i) * k + j];
                map->data()->setCell(j, k - 1 - i, v); // row 1 at the top, like a matrix
                vmax = std::max(vmax, v);
            }
        map->setGradient(viridis());
        map->setDataRange(QCPRange(0, vmax > 0 ? vmax : 1));
        map->setInterpolate(false);
        m_heatScale->setDataRange(map->dataRange());
        map->setColorScale(m_heatScale);
        m_heat->xAxis->setRange(0.5, k + 0.5);
        m_heat->yAxis->setRange(0.5, k + 0.5);
        QSharedPointer<QCPAxisTickerText> xt(new QCPAxisTickerText), yt(new QCPAxisTickerText);
        for (int i = 1; i <= k; ++i) {
            xt->addTick(i, QString::number(i));
            yt->addTick(k + 1 - i, QString::number(i));
        }
        m_heat->xAxis->setTicker(xt);
        m_heat->yAxis->setTicker(yt);
        // Numbers in the cells only where they fit and mean something (calibrated LPIPS is ~0.1-0.6).
        if (k <= 8 && vmax >= 0.05)
            for (int i = 0; i < k; ++i)
                for (int j = 0; j < k; ++j) {
                    auto* t = new QCPItemText(m_heat);
                    t->position->setCoords(j + 1, k - i);
                    const double v = pairs[static_cast<std::size_t>(i) * k + j];
                    t->setText(QString::number(v, 'f', 2));
                    t->setColor(v > 0.6 * vmax ? Qt::black : Qt::white);
                    QFont f = font();
                    f.setPointSizeF(7);
                    t->setFont(f);
                }
    }
    if (!a->hasPairs)
        m_heatTitle->setText(tr("Pairwise LPIPS: not stored in this file"));
    m_heat->replot(QCustomPlot::rpQueuedReplot);

    // Per-layer LPIPS parts.
    m_layerGroup->clear();
    m_layers->clearPlottables();
    QCPBarsGroup* group = m_layerGroup;
    const QList<const AnalysisFile*> files = b ? QList<const AnalysisFile*> {a, b} : QList<const AnalysisFile*> {a};
    const QStringList names = b ? QStringList {titleA, titleB} : QStringList {titleA};
    double top = 0;
    for (int s = 0; s < files.size(); ++s) {
        auto* bars = new QCPBars(m_layers->xAxis, m_layers->yAxis);
        bars->setBarsGroup(group);
        bars->setWidth(files.size() > 1 ? 0.35 : 0.6);
        bars->setPen(Qt::NoPen);
        bars->setBrush(paletteColor(s));
        bars->setName(names[s]);
        QVector<double> x, y;
        for (int l = 0; l < 5; ++l) {
            x << l + 1;
            y << files[s]->iiLpipsPerLayer[unit][l];
            top = std::max(top, y.back());
        }
        bars->setData(x, y);
    }
    QSharedPointer<QCPAxisTickerText> lt(new QCPAxisTickerText);
    for (int l = 0; l < 5; ++l)
        lt->addTick(l + 1, QString::number(l + 1));
    m_layers->xAxis->setTicker(lt);
    m_layers->xAxis->setRange(0.4, 5.6);
    m_layers->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    m_layers->legend->setVisible(files.size() > 1);
    m_layers->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace repalign::gui
