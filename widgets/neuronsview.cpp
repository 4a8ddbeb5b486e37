#include "neuronsview.h"

#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"

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
#include <QSplitter>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace repalign::gui {

// ---- MeiGridView ---------------------------------------------------------------------------

MeiGridView::MeiGridView(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, Qt::white);
    setPalette(pal);
}

void MeiGridView::setRows(const QList<Row>& rows)
{
    m_rows = rows;
    updateGeometry();
    update();
}

QSize MeiGridView::sizeHint() const
{
    int k = 0;
    for (const Row& r : m_rows)
        k = std::max(k, static_cast<int>(r.images.size()));
    const int rows = std::max<int>(1, m_rows.size());
    return QSize(std::max(1, k) * 110, rows * 170);
}

QSize MeiGridView::minimumSizeHint() const
{
    return QSize(200, std::max<int>(1, m_rows.size()) * 90);
}

MeiGridView::Row MeiGridView::rowFor(const AnalysisFile& file, std::int64_t unit, const QString& title,
                                     const std::function<QString(std::int64_t)>& className)
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
    const QFontMetrics fm(font());
    const int titleH = fm.height() + 4;
    const int captionH = 3 * fm.height() + 4;
    const int rowH = height() / m_rows.size();
    for (int r = 0; r < m_rows.size(); ++r) {
        const Row& row = m_rows[r];
        const int top = r * rowH;
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(QColor(40, 40, 40));
        p.drawText(QRect(4, top, width() - 8, titleH), Qt::AlignLeft | Qt::AlignVCenter, row.title);
        p.setFont(font());
        const int k = std::max<int>(1, row.images.size());
        const int gap = 6;
        const int side = std::max(8, std::min((width() - 8 - (k - 1) * gap) / k, rowH - titleH - captionH - 6));
        for (int i = 0; i < row.images.size(); ++i) {
            const QRect target(4 + i * (side + gap), top + titleH, side, side);
            // Nearest neighbour: 32x32 MEIs should look like pixels, not blur.
            p.setRenderHint(QPainter::SmoothPixmapTransform, false);
            p.drawImage(target, row.images[i]);
            p.setPen(QColor(200, 200, 200));
            p.drawRect(target.adjusted(0, 0, -1, -1));
            p.setPen(QColor(60, 60, 60));
            p.drawText(QRect(target.left() - 2, target.bottom() + 2, side + 4, captionH), Qt::AlignHCenter | Qt::AlignTop,
                       row.captions.value(i));
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

NeuronsView::NeuronsView(QWidget* parent) : QWidget(parent)
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
    auto* listButton = new QToolButton;
    listButton->setText(tr("List"));
    listButton->setCheckable(true);
    listButton->setChecked(true);
    auto* gridButton = new QToolButton;
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

    auto* plots = new QHBoxLayout;
    plots->addWidget(m_heat, 1);
    plots->addWidget(m_layers, 1);
    auto* detail = new QWidget;
    auto* dl = new QVBoxLayout(detail);
    dl->addWidget(m_title);
    dl->addWidget(m_values);
    dl->addWidget(m_mei, 2);
    dl->addLayout(plots, 2);

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
    connect(listButton, &QToolButton::clicked, this, [=] {
        listButton->setChecked(true);
        gridButton->setChecked(false);
        setGrid(false);
    });
    connect(gridButton, &QToolButton::clicked, this, [=] {
        gridButton->setChecked(true);
        listButton->setChecked(false);
        setGrid(true);
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        Q_EMIT exportRequested(m_mei, QStringLiteral("unit%1-meis").arg(m_unit));
    });
    auto onCurrent = [this](const QModelIndex& current) {
        if (current.isValid())
            showUnit(current.data(NeuronModel::UnitRole).toInt());
    };
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, onCurrent);
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this, onCurrent);
    connect(m_analysisBox, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        openAnalysis(m_analysisBox->itemData(i).toString());
    });
    connect(m_compareBox, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        setCompareAnalysis(m_compareBox->itemData(i).toString());
    });
    setAvailableAnalyses({});
}

void NeuronsView::setGrid(bool grid)
{
    const int unit = m_unit;
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
    Q_EMIT status(tr("%1: %2 units of %3 %4, k = %5").arg(QFileInfo(path).fileName()).arg(f->units)
                      .arg(QString::fromStdString(f->model), QString::fromStdString(f->layer)).arg(f->k));
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
    m_compareBox->setCurrentIndex(std::max(0, m_compareBox->findData(path)));
    updateBanner();
    if (m_unit >= 0)
        showUnit(m_unit);
    return true;
}

bool NeuronsView::uncalibratedBannerVisible() const
{
    return !m_banner->isHidden();
}

void NeuronsView::updateBanner()
{
    QStringList files;
    for (NeuronModel* m : {m_model, m_compare.get()})
        if (m && m->analysis() && !m->analysis()->lpipsCalibrated)
            files << QFileInfo(m->path()).fileName();
    m_banner->setText(tr("<b>Uncalibrated LPIPS.</b> %1 used random LPIPS weights (%2): II-LPIPS values show the "
                         "pipeline working but are not comparable with the reference study. Install the LPIPS v0.1 "
                         "AlexNet weights and analyse again.")
                          .arg(files.join(QStringLiteral(", ")),
                               m_model->analysis() ? QString::fromStdString(m_model->analysis()->lpipsWeights) : QString()));
    m_banner->setVisible(!files.isEmpty());
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
    const AnalysisFile* b = m_compare && m_compare->analysis() && unit < m_compare->analysis()->units ? m_compare->analysis() : nullptr;
    m_title->setText(tr("Unit %1").arg(unit));
    auto values = [&](const AnalysisFile* f, const QString& name) {
        return tr("<b>%1</b>: II-LPIPS %2 · II-color %3 · II-label %4 · top activation %5")
            .arg(name.toHtmlEscaped())
            .arg(f->iiLpips[unit], 0, 'f', 4)
            .arg(f->iiColor[unit], 0, 'f', 4)
            .arg(f->iiLabel[unit], 0, 'f', 4)
            .arg(QString::number(f->meiActivations[static_cast<std::size_t>(unit) * f->k], 'g', 5));
    };
    const QString nameA = QFileInfo(m_model->path()).completeBaseName();
    auto runOf = [](const QString& p) { return analysisLabel(p); };
    const QString titleA = runOf(m_model->path());
    QString text = values(a, titleA);
    QList<MeiGridView::Row> rows;
    rows << MeiGridView::rowFor(*a, unit, titleA, [this](std::int64_t l) { return m_model->className(l); });
    QString titleB;
    if (b) {
        titleB = runOf(m_compare->path());
        text += QStringLiteral("<br>") + values(b, titleB);
        rows << MeiGridView::rowFor(*b, unit, titleB, [this](std::int64_t l) { return m_compare->className(l); });
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
    m_layers->clearPlottables();
    auto* group = new QCPBarsGroup(m_layers);
    const QList<const AnalysisFile*> files = b ? QList<const AnalysisFile*>{a, b} : QList<const AnalysisFile*>{a};
    const QStringList names = b ? QStringList{titleA, titleB} : QStringList{titleA};
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
