#include "neuronsview.h"

#include "plotstyle.h"
#include "unitplots.h"

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

} // namespace

NeuronsView::NeuronsView(QWidget* parent)
    : QWidget(parent)
{
    m_model = new NeuronModel(this);
    m_proxy = new NeuronFilterModel(this);
    m_proxy->setSourceModel(m_model);

    QLayout* bar = buildToolBar();

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

    QWidget* detail = buildDetail();

    auto* split = new QSplitter;
    split->addWidget(m_stack);
    split->addWidget(detail);
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

    auto onCurrent = [this](const QModelIndex& current) {
        if (current.isValid())
            showUnit(current.data(NeuronModel::UnitRole).toInt());
    };
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, onCurrent);
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this, onCurrent);
    setAvailableAnalyses({});
}

QLayout* NeuronsView::buildToolBar()
{
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
    connect(m_analysisBox, qOverload<int>(&QComboBox::activated), this,
        [this](int i) { openAnalysis(m_analysisBox->itemData(i).toString()); });
    connect(m_compareBox, qOverload<int>(&QComboBox::activated), this,
        [this](int i) { setCompareAnalysis(m_compareBox->itemData(i).toString()); });
    return bar;
}

QWidget* NeuronsView::buildDetail()
{
    m_title = new QLabel(tr("No analysis open"));
    QFont tf = m_title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.3);
    tf.setBold(true);
    m_title->setFont(tf);
    m_values = new QLabel;
    m_values->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_values->setWordWrap(true);
    m_mei = new MeiGridView;
    m_heat = new PairwiseLpipsPlot;
    m_layers = new LayerLpipsPlot;

    auto* plots = new QHBoxLayout;
    plots->addWidget(m_heat, 1);
    plots->addWidget(m_layers, 1);
    // In the scrolling panel the plots would take their (large) preferred height: keep them compact.
    for (QCustomPlot* plot : {static_cast<QCustomPlot*>(m_heat), static_cast<QCustomPlot*>(m_layers)})
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
    return m_detailScroll;
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

QCustomPlot* NeuronsView::heatMap() const
{
    return m_heat;
}

QCustomPlot* NeuronsView::layerPlot() const
{
    return m_layers;
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
    m_values->setText(text);
    m_mei->setRows(rows);

    m_heat->showUnit(*a, unit, titleA);
    m_layers->showUnit(b ? QList<const AnalysisFile*> {a, b} : QList<const AnalysisFile*> {a},
        b ? QStringList {titleA, titleB} : QStringList {titleA}, unit);
}

} // namespace repalign::gui
