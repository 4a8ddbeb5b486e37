#include "distributionsview.h"
#include "alignmentview.h"
#include "background.h"
#include "behaviourview.h"
#include "distributionplots.h"
#include "psychview.h"

#include "neuronmodel.h"
#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"
#include "interpret/analysis.h"
#include "interpret/comparison.h"
#include "io/h5.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <utility>

namespace repalign::gui {

DistributionsView::DistributionsView(QWidget* parent)
    : QWidget(parent)
{
    m_list = new QListWidget;
    m_list->setToolTip(tr("Tick two or more analyses; the first two make the paired scatter"));
    m_list->setDragDropMode(QAbstractItemView::InternalMove);
    m_metric = new QComboBox;
    for (const std::string& m : comparisonMetrics())
        m_metric->addItem(metricLabel(QString::fromStdString(m)), QString::fromStdString(m));
    m_kind = new QComboBox;
    m_kind->addItem(tr("Histogram"));
    m_kind->addItem(tr("Violin"));
    m_kind->addItem(tr("Box"));
    auto* copyMd = new QPushButton(tr("Copy as Markdown"));
    auto* copyTex = new QPushButton(tr("Copy as LaTeX"));
    auto* exportPage = new QPushButton(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export page…"));

    m_dist = new QCustomPlot;
    m_dist->setMinimumHeight(260);
    m_scatter = new QCustomPlot;
    m_scatter->setMinimumHeight(260);
    for (QCustomPlot* p : {m_dist, m_scatter}) {
        p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
        stylePlot(p);
        p->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(p, &QWidget::customContextMenuRequested, this, [this, p](const QPoint& pos) {
            QMenu menu;
            menu.addAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"), this, [this, p] {
                Q_EMIT exportPlotRequested(p, p == m_dist ? QStringLiteral("ii-distribution") : QStringLiteral("ii-scatter"));
            });
            menu.exec(p->mapToGlobal(pos));
        });
    }
    m_table = new QPlainTextEdit;
    m_table->setReadOnly(true);
    m_table->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_table->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_table->setPlaceholderText(tr("Tick two or more analyses to compare them."));
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: #6b4e00;"));

    auto* side = new QWidget;
    auto* sl = new QVBoxLayout(side);
    sl->setContentsMargins(0, 0, 0, 0);
    sl->addWidget(new QLabel(tr("Analyses")));
    sl->addWidget(m_list, 1);
    auto* form = new QHBoxLayout;
    form->addWidget(new QLabel(tr("Metric:")));
    form->addWidget(m_metric, 1);
    sl->addLayout(form);
    auto* form2 = new QHBoxLayout;
    form2->addWidget(new QLabel(tr("Plot:")));
    form2->addWidget(m_kind, 1);
    sl->addLayout(form2);
    sl->addWidget(exportPage);

    m_page = new QWidget;
    auto* pl = new QVBoxLayout(m_page);
    pl->setContentsMargins(0, 0, 0, 0);
    m_header = new QLabel;
    m_header->setWordWrap(true);
    m_header->setToolTip(tr("exclude: the mean over MEI pairs i<j; include: the full k×k matrix with its zero diagonal, "
                            "as the reference's numbers (II-LPIPS (k−1)/k of exclude)"));
    pl->addWidget(m_header);
    auto* plots = new QHBoxLayout;
    plots->addWidget(m_dist, 3);
    plots->addWidget(m_scatter, 2);
    pl->addLayout(plots, 3);
    pl->addWidget(m_note);
    auto* tableBar = new QHBoxLayout;
    tableBar->addWidget(new QLabel(tr("Statistics")), 1);
    tableBar->addWidget(copyMd);
    tableBar->addWidget(copyTex);
    pl->addLayout(tableBar);
    pl->addWidget(m_table, 2);

    auto* split = new QSplitter;
    split->addWidget(side);
    split->addWidget(m_page);
    split->setStretchFactor(1, 1);
    side->setMaximumWidth(260);
    split->setSizes({200, 940});
    m_alignment = new AlignmentView;
    connect(m_alignment, &AlignmentView::exportPlotRequested, this, &DistributionsView::exportPlotRequested);
    m_views = new QTabWidget;
    m_views->setDocumentMode(true);
    m_views->addTab(split, tr("II distributions"));
    m_views->addTab(m_alignment, tr("Brain alignment"));
    m_behaviour = new BehaviourView;
    connect(m_behaviour, &BehaviourView::exportPlotRequested, this, &DistributionsView::exportPlotRequested);
    m_views->addTab(m_behaviour, tr("Behaviour"));
    m_psych = new PsychView;
    connect(m_psych, &PsychView::exportPlotRequested, this, &DistributionsView::exportPlotRequested);
    m_views->addTab(m_psych, tr("Human psychophysics"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_views);

    connect(m_list, &QListWidget::itemChanged, this, &DistributionsView::recompute);
    connect(m_list->model(), &QAbstractItemModel::rowsMoved, this, &DistributionsView::recompute);
    connect(m_metric, qOverload<int>(&QComboBox::currentIndexChanged), this, &DistributionsView::recompute);
    connect(m_kind, qOverload<int>(&QComboBox::currentIndexChanged), this, &DistributionsView::replotDistribution);
    connect(copyMd, &QPushButton::clicked, this, &DistributionsView::copyMarkdown);
    connect(copyTex, &QPushButton::clicked, this, &DistributionsView::copyLatex);
    connect(exportPage, &QPushButton::clicked, this, [this] { Q_EMIT exportRequested(m_page, QStringLiteral("distributions")); });
    recompute();
}

bool isUnitAnalysisFile(const QString& path)
{
    if (!QFileInfo(path).isFile())
        return false;
    try {
        const H5File f(path.toStdString(), H5File::Mode::Read);
        return f.exists("/activations") && f.exists("/ii/lpips");
    } catch (const Error&) {
        return false;
    }
}

void DistributionsView::setAvailableAnalyses(const QStringList& paths)
{
    m_alignment->setAvailableFiles(paths);
    m_psych->setAvailableFiles(paths);
    m_behaviour->setAvailableFiles(paths);
    m_available = paths;
    listUnitAnalyses(paths);
}

void DistributionsView::listUnitAnalyses(const QStringList& paths)
{
    // each candidate is opened to see whether it is a unit analysis: off the UI thread. A
    // pending setSelectedAnalyses() survives a newer list: its files are candidates too.
    QStringList candidates = m_pendingTick.value_or(QStringList {});
    for (const QString& p : paths)
        if (!candidates.contains(p))
            candidates << p;
    runLatestInBackground(
        this, m_listGeneration,
        [candidates] {
            QStringList units;
            for (const QString& p : candidates)
                if (isUnitAnalysisFile(p))
                    units << p;
            return units;
        },
        [this](const QStringList& units) { fillList(units, std::exchange(m_pendingTick, std::nullopt)); });
}

void DistributionsView::fillList(const QStringList& units, const std::optional<QStringList>& tick)
{
    QSignalBlocker block(m_list);
    QHash<QString, Qt::CheckState> state;
    for (int i = 0; i < m_list->count(); ++i)
        state.insert(m_list->item(i)->data(Qt::UserRole).toString(), m_list->item(i)->checkState());
    if (tick) {
        state.clear();
        for (const QString& p : *tick)
            state.insert(p, Qt::Checked);
    }
    m_list->clear();
    for (const QString& p : units) {
        auto* item = new QListWidgetItem(QIcon(QStringLiteral(":/icons/analysis.svg")), analysisLabel(p, true));
        item->setData(Qt::UserRole, p);
        item->setToolTip(p);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(state.value(p, Qt::Unchecked));
        m_list->addItem(item);
    }
    // With nothing chosen yet, compare the first two (baseline vs tuned in the demo).
    if (!tick && selectedAnalyses().isEmpty() && m_list->count() >= 2)
        for (int i = 0; i < 2; ++i)
            m_list->item(i)->setCheckState(Qt::Checked);
    block.unblock();
    if (selectedAnalyses() != m_computedPaths)
        recompute();
}

void DistributionsView::setSelectedAnalyses(const QStringList& paths)
{
    // Selected first, in the given order; then the rest of the list. Only the list: the
    // other views keep the project's files.
    QStringList rest = m_available; // the project's, also while their check is still running
    for (int i = 0; i < m_list->count(); ++i)
        rest << m_list->item(i)->data(Qt::UserRole).toString();
    m_pendingTick = paths;
    listUnitAnalyses(rest);
}

QStringList DistributionsView::selectedAnalyses() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked)
            out << m_list->item(i)->data(Qt::UserRole).toString();
    return out;
}

/// What the Distributions page shows for a set of analyses, read and computed off the UI
/// thread (the comparison's bootstrap CIs take 10,000 resamples per analysis).
struct DistributionsData {
    QList<DistributionGroup> groups;
    QStringList errors; ///< analyses that could not be read
    QStringList conventions; ///< "label: ii_diagonal" per analysis
    QString table; ///< the comparison table, when two or more were read
    QStringList notes; ///< errors of the comparison itself
    std::optional<ComparisonResult> comparison; ///< for Copy as Markdown/LaTeX
    QStringList paths; ///< what was read
    QString metric;
};

namespace {
DistributionsData readDistributions(const QStringList& paths, const QString& metric)
{
    DistributionsData d;
    d.paths = paths;
    d.metric = metric;
    for (const QString& p : paths) {
        try {
            d.groups << loadDistributionGroup(p, metric);
            // One attribute per file, next to the group read from the same file.
            const H5File f(p.toStdString(), H5File::Mode::Read);
            d.conventions << QStringLiteral("%1: %2").arg(
                analysisLabel(p), QString::fromStdString(f.attrString("/", "ii_diagonal")));
        } catch (const std::exception& e) {
            d.errors << QString::fromStdString(e.what());
        }
    }
    if (d.groups.size() < 2 || !d.errors.isEmpty())
        return d;
    try {
        std::vector<std::string> files, labels;
        for (int i = 0; i < paths.size(); ++i) {
            files.push_back(paths[i].toStdString());
            labels.push_back(d.groups[i].label.toStdString());
        }
        // Repeated run names (two analyses of one run) would make ambiguous labels.
        std::vector<std::string> sorted = labels;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
            labels.clear();
        d.comparison = compareAnalyses(files, metric.toStdString(), labels);
        d.table = QString::fromStdString(formatComparison(*d.comparison, "table"));
        // r.notes (uncalibrated LPIPS, mixed conventions) are footnotes of the table itself.
    } catch (const std::exception& e) {
        d.notes << QString::fromStdString(e.what());
    }
    return d;
}
} // namespace

void DistributionsView::recompute()
{
    const QStringList paths = selectedAnalyses();
    m_computedPaths = paths;
    const QString metric = m_metric->currentData().toString();
    runLatestInBackground(
        this, m_generation, [paths, metric] { return readDistributions(paths, metric); },
        [this](DistributionsData d) {
            m_shown = std::make_shared<const DistributionsData>(std::move(d));
            showDistributions();
        });
}

void DistributionsView::replotDistribution()
{
    if (m_shown)
        plotDistributions(
            m_dist, m_shown->groups, static_cast<DistributionKind>(m_kind->currentIndex()), metricLabel(m_shown->metric));
}

void DistributionsView::showDistributions()
{
    const DistributionsData& d = *m_shown;
    const QString label = metricLabel(d.metric);
    replotDistribution();
    if (d.groups.size() >= 2)
        plotPairedScatter(m_scatter, d.groups[0], d.groups[1], label);
    else
        plotPairedScatter(m_scatter, DistributionGroup {}, DistributionGroup {}, label);
    m_header->setText(d.conventions.isEmpty()
            ? QString()
            : tr("II convention (ii_diagonal): %1").arg(d.conventions.join(QStringLiteral(" · "))));
    m_header->setVisible(!d.conventions.isEmpty());
    m_table->clear();
    m_table->setPlainText(d.table);
    if (d.groups.size() < 2)
        m_table->setPlaceholderText(tr("Tick two or more analyses to compare them."));
    QStringList notes = d.errors + d.notes;
    notes.removeDuplicates();
    m_note->setText(notes.join(QLatin1Char('\n')));
    m_note->setVisible(!notes.isEmpty());
    Q_EMIT shown();
}

QString DistributionsView::statisticsText(const QString& format) const
{
    const QStringList paths = selectedAnalyses();
    if (paths.size() < 2)
        return {};
    const QString metric = m_metric->currentData().toString();
    // the comparison shown (computed off the UI thread), unless the ticks changed since
    if (m_shown && m_shown->comparison && m_shown->paths == paths && m_shown->metric == metric)
        return QString::fromStdString(formatComparison(*m_shown->comparison, format.toStdString()));
    std::vector<std::string> files;
    for (const QString& p : paths)
        files.push_back(p.toStdString());
    try {
        const ComparisonResult r = compareAnalyses(files, metric.toStdString());
        return QString::fromStdString(formatComparison(r, format.toStdString()));
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
}

void DistributionsView::copyMarkdown()
{
    QApplication::clipboard()->setText(statisticsText(QStringLiteral("markdown")));
}

void DistributionsView::copyLatex()
{
    QApplication::clipboard()->setText(statisticsText(QStringLiteral("latex")));
}

} // namespace repalign::gui
