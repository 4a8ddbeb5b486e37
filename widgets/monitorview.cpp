#include "monitorview.h"

#include "metricsmodel.h"
#include "plotstyle.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace repalign::gui {

// ---- InteractiveMetricPlot -------------------------------------------------------------

InteractiveMetricPlot::InteractiveMetricPlot(const QString& metric, QWidget* parent)
    : MetricPlot(metric, parent)
{
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    setMouseTracking(true);
    // Drag and wheel are the user's zoom: keep it across live updates until a double-click.
    connect(this, &QCustomPlot::mousePress, this, [this](QMouseEvent*) { m_userRange = true; });
    connect(this, &QCustomPlot::mouseWheel, this, [this](QWheelEvent*) { m_userRange = true; });
}

void InteractiveMetricPlot::mouseMoveEvent(QMouseEvent* event)
{
    MetricPlot::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton || m_curves.isEmpty())
        return;
    const QPointF pos = event->position();
    if (!axisRect()->rect().contains(pos.toPoint())) {
        QToolTip::hideText();
        return;
    }
    const QString text = pointText(pos);
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void InteractiveMetricPlot::leaveEvent(QEvent* event)
{
    QToolTip::hideText();
    MetricPlot::leaveEvent(event);
}

void InteractiveMetricPlot::mouseDoubleClickEvent(QMouseEvent* event)
{
    MetricPlot::mouseDoubleClickEvent(event);
    resetView();
}

void InteractiveMetricPlot::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    menu.addAction(tr("Reset view"), this, &MetricPlot::resetView);
    menu.addAction(
        QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"), this, [this] { Q_EMIT exportRequested(this); });
    menu.exec(event->globalPos());
}

// ---- MonitorView ------------------------------------------------------------------------

MonitorView::MonitorView(MetricsModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
{
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("X axis:")));
    m_xAxis = new QComboBox;
    m_xAxis->addItem(tr("Step"));
    m_xAxis->addItem(tr("Epoch"));
    m_xAxis->addItem(tr("Wall time"));
    m_xAxis->setToolTip(tr("What the horizontal axis counts"));
    controls->addWidget(m_xAxis);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Smoothing:")));
    m_smoothing = new QSlider(Qt::Horizontal);
    m_smoothing->setRange(0, 99);
    m_smoothing->setValue(60);
    m_smoothing->setFixedWidth(160);
    m_smoothing->setToolTip(tr("Exponential moving average weight (debiased); the raw curve stays faint behind"));
    controls->addWidget(m_smoothing);
    m_smoothingLabel = new QLabel(QStringLiteral("0.60"));
    m_smoothingLabel->setMinimumWidth(m_smoothingLabel->fontMetrics().horizontalAdvance(QStringLiteral("0.000")));
    controls->addWidget(m_smoothingLabel);
    controls->addSpacing(12);
    m_logY = new QCheckBox(tr("Log y"));
    controls->addWidget(m_logY);
    m_train = new QCheckBox(tr("Train"));
    m_train->setChecked(true);
    m_val = new QCheckBox(tr("Validation"));
    m_val->setChecked(true);
    controls->addWidget(m_train);
    controls->addWidget(m_val);
    auto* hint = new QLabel(tr("Drag to pan, wheel to zoom, double-click to reset"));
    hint->setEnabled(false);
    // A hint, not a control: it wraps (or yields) before the controls get squeezed.
    hint->setWordWrap(true);
    hint->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    controls->addWidget(hint, 1);

    m_runList = new QListWidget;
    m_runList->setToolTip(tr("Runs overlaid in the plots; untick to hide, select runs in the project to add them"));
    m_runList->setMinimumWidth(120);
    connect(m_runList, &QListWidget::itemChanged, this, [this] { scheduleUpdate(); });

    m_grid = new QWidget;
    m_gridLayout = new QGridLayout(m_grid);
    m_gridLayout->setContentsMargins(0, 0, 0, 0);
    m_gridLayout->setSpacing(8);
    m_empty = new QLabel(tr("No metrics yet.\nSelect a run in the project, or launch one from Setup."));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setEnabled(false);
    m_gridLayout->addWidget(m_empty, 0, 0);
    auto* scroll = m_scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_grid);
    // Plots go in two columns where two fit side by side, else one: never a sideways scroll.
    scroll->viewport()->installEventFilter(this);

    auto* runBox = new QWidget;
    auto* runLayout = new QVBoxLayout(runBox);
    runLayout->setContentsMargins(0, 0, 0, 0);
    runLayout->addWidget(new QLabel(tr("Runs")));
    runLayout->addWidget(m_runList);

    auto* split = new QSplitter;
    split->addWidget(runBox);
    split->addWidget(scroll);
    split->setStretchFactor(1, 1);
    runBox->setMaximumWidth(220);
    split->setSizes({150, 930});

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(split, 1);

    m_update.setSingleShot(true);
    m_update.setInterval(40);
    connect(&m_update, &QTimer::timeout, this, &MonitorView::rebuild);
    connect(m_xAxis, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        m_options.x = static_cast<XAxisKind>(i);
        for (MetricPlot* p : m_plots)
            p->resetView();
        rebuild();
        for (MetricPlot* p : m_plots)
            p->resetView();
    });
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) {
        m_options.smoothing = v / 100.0;
        m_smoothingLabel->setText(QString::number(m_options.smoothing, 'f', 2));
        scheduleUpdate();
    });
    connect(m_logY, &QCheckBox::toggled, this, [this](bool on) {
        m_options.logY = on;
        rebuild();
        for (MetricPlot* p : m_plots)
            p->resetView();
    });
    connect(m_train, &QCheckBox::toggled, this, [this](bool on) {
        m_options.showTrain = on;
        scheduleUpdate();
    });
    connect(m_val, &QCheckBox::toggled, this, [this](bool on) {
        m_options.showVal = on;
        scheduleUpdate();
    });
    connect(m_model, &MetricsModel::runUpdated, this, [this](const QString& run) {
        if (m_runs.contains(run))
            scheduleUpdate();
    });
}

void MonitorView::setOptions(const MonitorOptions& options)
{
    m_xAxis->setCurrentIndex(static_cast<int>(options.x));
    m_smoothing->setValue(static_cast<int>(std::lround(options.smoothing * 100)));
    m_logY->setChecked(options.logY);
    m_train->setChecked(options.showTrain);
    m_val->setChecked(options.showVal);
    m_options = options;
    rebuild();
}

void MonitorView::setRuns(const QStringList& runDirs)
{
    m_runs.clear();
    for (const QString& r : runDirs)
        addRun(r);
    syncRunList();
    scheduleUpdate();
}

void MonitorView::addRun(const QString& runDir)
{
    const QString path = QFileInfo(runDir).absoluteFilePath();
    if (!m_model->hasRun(path))
        m_model->addRun(path);
    if (!m_runs.contains(path))
        m_runs << path;
    syncRunList();
    scheduleUpdate();
}

QStringList MonitorView::runs() const
{
    return m_runs;
}

void MonitorView::syncRunList()
{
    QSignalBlocker block(m_runList);
    const auto colors = runColors(m_runs);
    // Keep the tick state of runs already listed.
    QHash<QString, Qt::CheckState> checked;
    for (int i = 0; i < m_runList->count(); ++i)
        checked.insert(m_runList->item(i)->data(Qt::UserRole).toString(), m_runList->item(i)->checkState());
    m_runList->clear();
    for (const QString& r : m_runs) {
        auto* item = new QListWidgetItem(QFileInfo(r).fileName());
        item->setData(Qt::UserRole, r);
        item->setToolTip(r);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.value(r, Qt::Checked));
        QPixmap swatch(12, 12);
        swatch.fill(colors.value(r));
        item->setIcon(QIcon(swatch));
        m_runList->addItem(item);
    }
}

void MonitorView::scheduleUpdate()
{
    if (!m_update.isActive())
        m_update.start();
}

QList<MetricPlot*> MonitorView::plots() const
{
    QList<MetricPlot*> out;
    for (int i = 0; i < m_gridLayout->count(); ++i)
        if (auto* p = qobject_cast<MetricPlot*>(m_gridLayout->itemAt(i)->widget()))
            out << p;
    return out;
}

MetricPlot* MonitorView::currentPlot() const
{
    if (m_current)
        return m_current;
    const auto all = plots();
    return all.isEmpty() ? nullptr : all.first();
}

void MonitorView::rebuild()
{
    QStringList shown;
    for (int i = 0; i < m_runList->count(); ++i)
        if (m_runList->item(i)->checkState() == Qt::Checked)
            shown << m_runList->item(i)->data(Qt::UserRole).toString();
    const auto colors = runColors(m_runs);
    // Metrics present in the shown runs.
    QStringList names;
    for (const QString& name : m_model->metricNames())
        for (const QString& r : shown)
            if (const RunMetrics* rm = m_model->run(r)) {
                bool has = false;
                for (auto it = rm->series.begin(); it != rm->series.end() && !has; ++it)
                    has = it.key().section(QLatin1Char('/'), 1) == name;
                if (has && !names.contains(name))
                    names << name;
            }
    bool layoutChanged = false;
    for (const QString& key : m_plots.keys())
        if (!names.contains(key)) {
            delete m_plots.take(key);
            layoutChanged = true;
        }
    for (const QString& name : names)
        if (!m_plots.contains(name)) {
            auto* plot = new InteractiveMetricPlot(name, m_grid);
            connect(plot, &InteractiveMetricPlot::exportRequested, this, [this](MetricPlot* p) {
                m_current = p;
                Q_EMIT exportRequested(p, p->metric());
            });
            connect(plot, &QCustomPlot::mousePress, this, [this, plot](QMouseEvent*) { m_current = plot; });
            m_plots.insert(name, plot);
            layoutChanged = true;
        }
    m_laidOut = names;
    layoutPlots(layoutChanged);
    for (const QString& name : names)
        m_plots[name]->setSeries(*m_model, shown, colors, m_options);
}

bool MonitorView::eventFilter(QObject* watched, QEvent* event)
{
    if (m_scroll && watched == m_scroll->viewport() && event->type() == QEvent::Resize)
        layoutPlots(false);
    return QWidget::eventFilter(watched, event);
}

void MonitorView::layoutPlots(bool force)
{
    const QStringList& names = m_laidOut;
    const int spacing = m_gridLayout->horizontalSpacing();
    const int fit = (m_scroll->viewport()->width() + spacing) / (MetricPlot::kMinimumWidth + spacing);
    const int columns = names.size() > 1 ? std::clamp(fit, 1, 2) : 1;
    if (!force && columns == m_columns)
        return;
    m_columns = columns;
    while (m_gridLayout->count() > 0)
        m_gridLayout->takeAt(0);
    for (int c = 0; c < 2; ++c)
        m_gridLayout->setColumnStretch(c, c < columns ? 1 : 0);
    for (int i = 0; i < names.size(); ++i)
        if (MetricPlot* plot = m_plots.value(names[i]))
            m_gridLayout->addWidget(plot, i / columns, i % columns);
    m_empty->setVisible(names.isEmpty());
    if (names.isEmpty())
        m_gridLayout->addWidget(m_empty, 0, 0);
}

} // namespace repalign::gui
