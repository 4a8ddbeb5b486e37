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

namespace {

QString metricTitle(const QString& name)
{
    if (name == QLatin1String("loss"))
        return MonitorView::tr("Loss");
    if (name == QLatin1String("acc"))
        return MonitorView::tr("Accuracy");
    if (name == QLatin1String("lr"))
        return MonitorView::tr("Learning rate");
    if (name == QLatin1String("pred_loss"))
        return MonitorView::tr("Prediction loss (MSE)");
    if (name == QLatin1String("kd_loss"))
        return MonitorView::tr("Distillation loss (KL)");
    if (name == QLatin1String("predictivity"))
        return MonitorView::tr("Predictivity (r)");
    return name;
}

QString xLabel(XAxisKind kind)
{
    switch (kind) {
    case XAxisKind::Step:
        return MonitorView::tr("Step");
    case XAxisKind::Epoch:
        return MonitorView::tr("Epoch");
    case XAxisKind::WallTime:
        return MonitorView::tr("Wall time (s)");
    }
    return {};
}

} // namespace

// ---- MetricPlot -------------------------------------------------------------------------

MetricPlot::MetricPlot(const QString& metric, QWidget* parent)
    : QCustomPlot(parent)
    , m_metric(metric)
{
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMinimumHeight(240);
    plotLayout()->insertRow(0);
    plotLayout()->addElement(0, 0, new QCPTextElement(this, metricTitle(metric)));
    // The legend goes in its own row under the axes, so it never hides a curve.
    auto* legendRow = new QCPLayoutGrid;
    plotLayout()->addElement(2, 0, legendRow);
    legendRow->setMargins(QMargins(0, 0, 0, 4));
    axisRect()->insetLayout()->take(legend);
    legendRow->addElement(0, 0, legend);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(3);
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    plotLayout()->setRowStretchFactor(2, 0.001);
    legend->setVisible(true);
    stylePlot(this);
    legend->setBorderPen(Qt::NoPen);
    setNoAntialiasingOnDrag(true);
    setMouseTracking(true);
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
        if (!m_inRedecimate)
            redecimate();
    });
    // Drag and wheel are the user's zoom: keep it across live updates until a double-click.
    connect(this, &QCustomPlot::mousePress, this, [this](QMouseEvent*) { m_userRange = true; });
    connect(this, &QCustomPlot::mouseWheel, this, [this](QWheelEvent*) { m_userRange = true; });
}

void MetricPlot::setSeries(
    const MetricsModel& model, const QStringList& runs, const QHash<QString, QColor>& colors, const MonitorOptions& options)
{
    m_options = options;
    clearGraphs();
    m_curves.clear();
    m_rawPoints = 0;
    m_hasRunExtent = false;
    for (const QString& runPath : runs) {
        const RunMetrics* run = model.run(runPath);
        if (!run)
            continue;
        // The run's extent over all its metrics: per-epoch curves start where the run starts.
        for (const MetricSeries& s : run->series) {
            const QVector<double>& xs = options.x == XAxisKind::Step ? s.step : options.x == XAxisKind::Epoch ? s.epoch : s.wall;
            for (double v : xs) {
                if (!std::isfinite(v))
                    continue;
                if (!m_hasRunExtent)
                    m_runExtent = QCPRange(v, v);
                m_runExtent.lower = std::min(m_runExtent.lower, v);
                m_runExtent.upper = std::max(m_runExtent.upper, v);
                m_hasRunExtent = true;
            }
        }
        const QColor color = colors.value(runPath, paletteColor(0));
        for (const QString& split : {QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test")}) {
            if (split == QLatin1String("train") && !options.showTrain)
                continue;
            if (split != QLatin1String("train") && !options.showVal)
                continue;
            auto it = run->series.find(split + QLatin1Char('/') + m_metric);
            if (it == run->series.end() || it->value.isEmpty())
                continue;
            const MetricSeries& s = *it;
            const QVector<double>& x = options.x == XAxisKind::Step ? s.step : options.x == XAxisKind::Epoch ? s.epoch : s.wall;
            QVector<double> y = s.value;
            if (options.logY)
                for (double& v : y)
                    if (!(v > 0))
                        v = std::numeric_limits<double>::quiet_NaN();
            m_rawPoints += y.size();
            const QString label = runs.size() > 1 ? QStringLiteral("%1 · %2").arg(run->name, split) : split;
            // Dense series (per-step training curves) get smoothed; sparse ones (per epoch) do not.
            const bool smooth = options.smoothing > 0 && y.size() >= 20 && m_metric != QLatin1String("lr");
            const bool dashed = split != QLatin1String("train");
            if (smooth) {
                Curve raw;
                raw.graph = addGraph();
                QColor faint = color;
                faint.setAlpha(60);
                raw.graph->setPen(QPen(faint, 1));
                // The faint raw curve is dense and noisy: antialiasing it costs most of a redraw and is invisible.
                raw.graph->setAntialiased(false);
                raw.graph->removeFromLegend();
                raw.x = x;
                raw.y = y;
                raw.faint = true;
                raw.label = label;
                m_curves << raw;
            }
            Curve c;
            c.graph = addGraph();
            QPen pen(color, 1.8);
            if (dashed)
                pen.setStyle(Qt::DashLine);
            c.graph->setPen(pen);
            if (y.size() < 200)
                c.graph->setScatterStyle(QCPScatterStyle(
                    dashed ? QCPScatterStyle::ssCircle : QCPScatterStyle::ssNone, color, dashed ? Qt::white : color, 5));
            c.graph->setName(label);
            c.x = x;
            c.y = smooth ? emaSmooth(y, options.smoothing) : y;
            c.label = label;
            m_curves << c;
        }
    }
    legend->setVisible(m_curves.size() > 0);
    fitLegend();
    xAxis->setLabel(xLabel(options.x));
    yAxis->setLabel(QString());
    if (options.logY) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        yAxis->setNumberFormat(QStringLiteral("gb"));
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        yAxis->setNumberFormat(QStringLiteral("g"));
    }
    if (!m_userRange)
        resetView();
    else
        redecimate();
}

void MetricPlot::resetView()
{
    m_userRange = false;
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
    double ymin = xmin, ymax = -xmin;
    for (const Curve& c : m_curves) {
        for (int i = 0; i < c.x.size(); ++i) {
            const double y = c.y[i];
            if (!std::isfinite(y) || !std::isfinite(c.x[i]))
                continue;
            xmin = std::min(xmin, c.x[i]);
            xmax = std::max(xmax, c.x[i]);
            ymin = std::min(ymin, y);
            ymax = std::max(ymax, y);
        }
    }
    m_inRedecimate = true;
    if (std::isfinite(xmin)) {
        if (m_hasRunExtent) {
            xmin = std::min(xmin, m_runExtent.lower);
            xmax = std::max(xmax, m_runExtent.upper);
        }
        if (xmax <= xmin)
            xmax = xmin + 1;
        xAxis->setRange(xmin, xmax);
        if (m_options.logY) {
            yAxis->setRange(ymin / 1.3, ymax * 1.3);
        } else {
            const double pad = ymax > ymin ? 0.05 * (ymax - ymin) : std::max(1e-12, std::abs(ymax) * 0.1 + 1e-3);
            yAxis->setRange(ymin - pad, ymax + pad);
        }
    } else {
        xAxis->setRange(0, 1);
        yAxis->setRange(m_options.logY ? 0.1 : 0, 1);
    }
    m_inRedecimate = false;
    redecimate();
}

void MetricPlot::redecimate()
{
    m_inRedecimate = true;
    const QCPRange range = xAxis->range();
    const int columns = std::max(100, axisRect()->width());
    for (Curve& c : m_curves) {
        const Decimated d = decimateMinMax(c.x, c.y, range.lower, range.upper, columns);
        c.graph->setData(d.x, d.y, /*alreadySorted=*/true);
    }
    m_inRedecimate = false;
    replot(QCustomPlot::rpQueuedReplot);
}

int MetricPlot::drawnPoints() const
{
    int n = 0;
    for (const Curve& c : m_curves)
        n += c.graph->dataCount();
    return n;
}

void MetricPlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton || m_curves.isEmpty())
        return;
    const QPointF pos = event->position();
    if (!axisRect()->rect().contains(pos.toPoint())) {
        QToolTip::hideText();
        return;
    }
    // Nearest point in screen distance over the visible curves, from the raw data.
    double best = 400.0; // px^2: within 20 px
    QString text;
    for (const Curve& c : m_curves) {
        if (c.faint || c.x.isEmpty())
            continue;
        const double xv = xAxis->pixelToCoord(pos.x());
        auto it = std::lower_bound(c.x.begin(), c.x.end(), xv);
        const int i0 = static_cast<int>(it - c.x.begin());
        for (int i = std::max(0, i0 - 2); i < std::min<int>(c.x.size(), i0 + 2); ++i) {
            if (!std::isfinite(c.y[i]))
                continue;
            const double dx = xAxis->coordToPixel(c.x[i]) - pos.x();
            const double dy = yAxis->coordToPixel(c.y[i]) - pos.y();
            const double d2 = dx * dx + dy * dy;
            if (d2 < best) {
                best = d2;
                text = QStringLiteral("<b>%1</b><br>%2: %3<br>%4: %5")
                           .arg(c.label.toHtmlEscaped(), xLabel(m_options.x), QString::number(c.x[i], 'g', 8),
                               metricTitle(m_metric), QString::number(c.y[i], 'g', 6));
            }
        }
    }
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void MetricPlot::leaveEvent(QEvent* event)
{
    QToolTip::hideText();
    QCustomPlot::leaveEvent(event);
}

void MetricPlot::mouseDoubleClickEvent(QMouseEvent* event)
{
    QCustomPlot::mouseDoubleClickEvent(event);
    resetView();
}

void MetricPlot::resizeEvent(QResizeEvent* event)
{
    fitLegend();
    QCustomPlot::resizeEvent(event);
    redecimate();
}

QSize MetricPlot::minimumSizeHint() const
{
    // QCustomPlot asks for its layout's minimum, which is the legend's full width on one row.
    return QSize(kMinimumWidth, minimumHeight());
}

void MetricPlot::fitLegend()
{
    // Cells of the legend's grid may be empty (itemCount() counts them): measure the entries.
    QVector<int> widths;
    int itemHeight = 0;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (QCPAbstractLegendItem* item = legend->item(i)) {
            const QSize hint = item->minimumOuterSizeHint();
            widths << hint.width();
            itemHeight = std::max(itemHeight, hint.height());
        }
    const int n = static_cast<int>(widths.size());
    if (n == 0)
        return;
    const QMargins lm = legend->margins();
    const int avail = width() - lm.left() - lm.right() - 8;
    // The most columns whose widest entries fit side by side (column-first fill, like the legend).
    int columns = 1;
    for (int c = n; c > 1; --c) {
        int total = (c - 1) * legend->columnSpacing();
        for (int col = 0; col < c; ++col) {
            int widest = 0;
            for (int i = col; i < n; i += c)
                widest = std::max(widest, widths[i]);
            total += widest;
        }
        if (total <= avail) {
            columns = c;
            break;
        }
    }
    if (legend->wrap() != columns || legend->columnCount() > columns || legend->itemCount() != n) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
    // Room for the axes plus every legend row.
    const int rows = (n + columns - 1) / columns;
    const int needed = 220 + rows * (itemHeight + legend->rowSpacing()) + lm.top() + lm.bottom();
    if (minimumHeight() != needed)
        setMinimumHeight(needed);
}

void MetricPlot::contextMenuEvent(QContextMenuEvent* event)
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

QHash<QString, QColor> MonitorView::runColors(const QStringList& runs)
{
    QHash<QString, QColor> colors;
    for (int i = 0; i < runs.size(); ++i)
        colors.insert(runs[i], paletteColor(i));
    return colors;
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
            auto* plot = new MetricPlot(name, m_grid);
            connect(plot, &MetricPlot::exportRequested, this, [this](MetricPlot* p) {
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
