#include "studyresultsview.h"

#include "background.h"
#include "distributionplots.h"
#include "plotstyle.h"
#include "qcp.h"

#include "common/fsutil.h"
#include "pipeline/study.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace repalign::gui {

namespace {

struct FigureResult {
    std::shared_ptr<const StudyTable> table;
    std::vector<StudyFigurePoint> points;
    QString error;
};

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

StudyResultsView::StudyResultsView(QWidget* conditions, QWidget* parent)
    : QTabWidget(parent)
{
    addTab(conditions, tr("Conditions"));
    addTab(buildFigurePage(), tr("Figure"));
    addTab(buildComparisonPage(), tr("Comparison"));
}

StudyResultsView::~StudyResultsView() = default;

QWidget* StudyResultsView::buildFigurePage()
{
    m_figX = new QComboBox;
    m_figX->setObjectName(QStringLiteral("studyFigureX"));
    m_figX->setToolTip(tr("The grid axis along the x axis"));
    m_figY = new QComboBox;
    m_figY->setObjectName(QStringLiteral("studyFigureY"));
    for (const char* m : {"lpips", "color", "label"})
        m_figY->addItem(metricLabel(QLatin1String(m)), QLatin1String(m));
    m_figY->setToolTip(tr("The II metric: mean over the units with a 95% bootstrap confidence interval"));
    m_figHue = new QComboBox;
    m_figHue->setObjectName(QStringLiteral("studyFigureHue"));
    m_figHue->setToolTip(tr("A grid axis whose values get one line each"));
    m_figY2 = new QComboBox;
    m_figY2->setObjectName(QStringLiteral("studyFigureY2"));
    m_figY2->addItem(tr("(none)"), QString());
    m_figY2->addItem(tr("Accuracy"), QStringLiteral("accuracy"));
    m_figY2->setToolTip(tr("Classification accuracy on a second y axis"));
    auto* exportFig = new QPushButton(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"));
    auto* figBar = new QHBoxLayout;
    figBar->addWidget(new QLabel(tr("x:")));
    figBar->addWidget(m_figX, 1);
    figBar->addWidget(new QLabel(tr("y:")));
    figBar->addWidget(m_figY);
    figBar->addWidget(new QLabel(tr("Lines:")));
    figBar->addWidget(m_figHue, 1);
    figBar->addWidget(new QLabel(tr("Second axis:")));
    figBar->addWidget(m_figY2);
    figBar->addWidget(exportFig);
    m_figure = new QCustomPlot;
    m_figure->setObjectName(QStringLiteral("studyFigure"));
    m_figure->setMinimumHeight(140);
    m_figure->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    stylePlot(m_figure);
    m_figure->setContextMenuPolicy(Qt::CustomContextMenu);
    m_note = new QLabel(tr("The figure appears when analyses have finished."));
    m_note->setWordWrap(true);
    auto* page = new QWidget;
    auto* fl = new QVBoxLayout(page);
    fl->addLayout(figBar);
    fl->addWidget(m_figure, 1);
    fl->addWidget(m_note);

    for (QComboBox* box : {m_figX, m_figY, m_figHue, m_figY2})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_syncing)
                updateFigure();
        });
    connect(exportFig, &QPushButton::clicked, this, [this] { Q_EMIT exportPlotRequested(m_figure, QStringLiteral("study")); });
    connect(m_figure, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu menu;
        menu.addAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"), this,
            [this] { Q_EMIT exportPlotRequested(m_figure, QStringLiteral("study")); });
        menu.exec(m_figure->mapToGlobal(pos));
    });
    return page;
}

QWidget* StudyResultsView::buildComparisonPage()
{
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_comparison = new QPlainTextEdit;
    m_comparison->setObjectName(QStringLiteral("studyComparison"));
    m_comparison->setReadOnly(true);
    m_comparison->setFont(mono);
    m_comparison->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_comparison->setPlaceholderText(tr("Each tuned condition against its own baseline, when analyses have finished."));
    auto* copyMd = new QPushButton(tr("Copy as Markdown"));
    auto* copyTex = new QPushButton(tr("Copy as LaTeX"));
    auto* saveCsvButton = new QPushButton(tr("Save as CSV…"));
    auto* tableBar = new QHBoxLayout;
    tableBar->addStretch(1);
    tableBar->addWidget(copyMd);
    tableBar->addWidget(copyTex);
    tableBar->addWidget(saveCsvButton);
    auto* page = new QWidget;
    auto* tl = new QVBoxLayout(page);
    tl->addWidget(m_comparison, 1);
    tl->addLayout(tableBar);
    connect(copyMd, &QPushButton::clicked, this,
        [this] { QApplication::clipboard()->setText(comparisonText(QStringLiteral("markdown"))); });
    connect(copyTex, &QPushButton::clicked, this,
        [this] { QApplication::clipboard()->setText(comparisonText(QStringLiteral("latex"))); });
    connect(saveCsvButton, &QPushButton::clicked, this, &StudyResultsView::saveCsv);
    return page;
}

void StudyResultsView::setPlan(std::shared_ptr<const StudyPlan> plan, bool sameAxes)
{
    m_plan = std::move(plan);
    if (!sameAxes) {
        m_finished.clear();
        m_tableKey.clear();
        m_table.reset();
        fillBoxes();
    }
}

void StudyResultsView::setFinished(const QString& finished)
{
    if (finished == m_finished)
        return;
    // More analyses finished (or the folder changed): the figure and table follow.
    m_finished = finished;
    updateFigure();
}

void StudyResultsView::fillBoxes()
{
    // Keep the user's choice where the axis is still there.
    const QString x = m_figX->currentData().toString(), hue = m_figHue->currentData().toString();
    m_syncing = true;
    m_figX->clear();
    m_figHue->clear();
    m_figHue->addItem(tr("(none)"), QString());
    if (m_plan) {
        for (const StudyAxis& a : m_plan->axes) {
            m_figX->addItem(qs(a.key), qs(a.key));
            m_figHue->addItem(qs(a.key), qs(a.key));
        }
        const int y = m_figY->findData(qs(m_plan->metric));
        if (y >= 0)
            m_figY->setCurrentIndex(y);
    }
    const int xi = m_figX->findData(x);
    m_figX->setCurrentIndex(xi >= 0 ? xi : 0);
    // Default lines: the first other axis (the tune.alpha x tune.rois picture).
    int hi = hue.isEmpty() ? -1 : m_figHue->findData(hue);
    if (hi < 0)
        hi = m_figHue->count() > 2 ? (m_figX->currentIndex() == 0 ? 2 : 1) : 0;
    m_figHue->setCurrentIndex(hi);
    m_syncing = false;
}

void StudyResultsView::updateFigure()
{
    const auto plan = m_plan;
    if (!plan)
        return;
    const std::string x = m_figX->currentData().toString().toStdString();
    std::string hue = m_figHue->currentData().toString().toStdString();
    if (hue == x)
        hue.clear();
    const std::string metric = m_figY->currentData().toString().toStdString();
    const QString key = m_finished + QLatin1Char('|') + qs(metric);
    auto cached = key == m_tableKey ? m_table : nullptr;
    const int generation = ++m_generation;
    if (x.empty() || m_finished.isEmpty()) {
        m_figure->clearPlottables();
        m_figure->replot();
        m_comparison->clear();
        m_note->setText(x.empty() ? tr("The study has no grid axis to plot against.")
                                  : tr("The figure appears when analyses have finished."));
        Q_EMIT figureUpdated(0);
        return;
    }
    runInBackground(
        this,
        [plan, cached, metric, x, hue] {
            FigureResult r;
            try {
                r.table = cached ? cached : std::make_shared<const StudyTable>(compareStudy(*plan, metric));
                r.points = studyFigurePoints(*r.table, x, hue);
            } catch (const std::exception& e) {
                r.error = qs(e.what());
            }
            return r;
        },
        [this, generation, key, metric, x, hue](FigureResult r) {
            if (generation != m_generation)
                return;
            if (r.table) {
                m_table = r.table;
                m_tableKey = key;
                m_comparison->setPlainText(comparisonText(QStringLiteral("table")));
            }
            QList<StudyFigureSeriesPoint> points;
            for (const auto& p : r.points)
                points << StudyFigureSeriesPoint {qs(p.x), qs(p.hue), p.mean, p.low, p.high, p.y2};
            const bool y2 = !m_figY2->currentData().toString().isEmpty();
            plotStudyFigure(m_figure, points, qs(x), tr("%1 (mean, 95% CI)").arg(metricLabel(qs(metric))),
                y2 ? tr("accuracy") : QString(), qs(hue));
            m_figure->replot();
            if (!r.error.isEmpty())
                m_note->setText(r.error);
            else if (points.isEmpty())
                m_note->setText(tr("No finished analysis has a value for %1 yet.").arg(qs(x)));
            else
                m_note->setText(tr("%n points from the finished analyses; error bars: 95% bootstrap CI of the mean.", nullptr,
                    static_cast<int>(points.size())));
            Q_EMIT figureUpdated(static_cast<int>(points.size()));
        });
}

void StudyResultsView::exportFigure(const QString& path, FigurePreset preset, int dpi)
{
    exportPlotFigure(m_figure, path, preset, dpi);
}

QString StudyResultsView::comparisonText(const QString& format) const
{
    if (!m_table)
        return {};
    try {
        return qs(formatStudyTable(*m_table, format.toStdString()));
    } catch (const std::exception& e) {
        return qs(e.what());
    }
}

void StudyResultsView::saveCsv()
{
    if (!m_table) {
        Q_EMIT message(tr("There is no comparison yet: no analysis has finished."));
        return;
    }
    const QString start = m_plan ? qs(m_plan->studyDir) + QStringLiteral("/comparison.csv") : QString();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save comparison"), start, tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    const std::string p = path.toStdString(), bytes = comparisonText(QStringLiteral("csv")).toStdString();
    runInBackground(
        this,
        [p, bytes]() -> QString {
            try {
                writeFileAtomic(p, bytes);
                return {};
            } catch (const std::exception& e) {
                return qs(e.what());
            }
        },
        [this, path](QString error) { Q_EMIT message(error.isEmpty() ? tr("Saved %1.").arg(path) : error); });
}

} // namespace repalign::gui
