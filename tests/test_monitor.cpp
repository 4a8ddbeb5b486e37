// Monitor: metrics.csv read incrementally while it is being written (partial last line),
// min/max decimation keeps every extreme, debiased EMA, live updates of a run written elsewhere.
#include "jobdock.h"
#include "jobqueuemodel.h"
#include "mainwindow.h"
#include "metricsmodel.h"
#include "monitorview.h"
#include "plotstyle.h"
#include "testutil.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QScopeGuard>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

using namespace repalign;
using namespace repalign::gui;

namespace {
void append(const QString& path, const QByteArray& text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::Append));
    f.write(text);
    f.flush();
}
} // namespace

class TestMonitor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void partialLastLine();
    void truncatedFileStartsOver();
    void decimationKeepsExtremes();
    void decimationSmallSeriesUnchanged();
    void emaDebiased();
    void liveRunUpdatesPlots();
    void manyPointsStayDecimated();
    void perEpochCurvesStartWithTheRun();
    void fourRunsFitAt1280();
    void jobDockCollapsesWhenIdle();

private:
    /// A run with per-step train loss/acc/lr and per-epoch val loss/acc, like the trainer's.
    static QString writeRun(const QString& dir, int epochs, int stepsPerEpoch, double scale);
};

QString TestMonitor::writeRun(const QString& dir, int epochs, int stepsPerEpoch, double scale)
{
    QByteArray text = "step,epoch,wall_time,split,name,value\n";
    int step = 0;
    for (int e = 0; e < epochs; ++e) {
        for (int i = 0; i < stepsPerEpoch; ++i) {
            ++step;
            const QByteArray head = QByteArray::number(step) + ',' + QByteArray::number(e + (i + 1.0) / stepsPerEpoch) + ','
                + QByteArray::number(step * 0.5) + ",train,";
            text += head + "loss," + QByteArray::number(scale * 2.3 / (1 + 0.01 * step)) + '\n';
            text += head + "acc," + QByteArray::number(0.1 + 0.8 * step / (epochs * stepsPerEpoch)) + '\n';
            text += head + "lr," + QByteArray::number(0.1 * scale) + '\n';
        }
        const QByteArray head
            = QByteArray::number(step) + ',' + QByteArray::number(e + 1) + ',' + QByteArray::number(step * 0.5) + ",val,";
        text += head + "loss," + QByteArray::number(scale * 2.0 / (1 + 0.01 * step)) + '\n';
        text += head + "acc," + QByteArray::number(0.1 + 0.7 * (e + 1.0) / epochs) + '\n';
    }
    append(dir + QStringLiteral("/metrics.csv"), text);
    return dir;
}

void TestMonitor::partialLastLine()
{
    const QString dir = QString::fromStdString(testutil::tempDir("monitor-partial"));
    const QString csv = dir + QStringLiteral("/metrics.csv");
    append(
        csv, "step,epoch,wall_time,split,name,value\n1,0.1,100.0,train,loss,2.5\n2,0.2,100.5,train,loss,2.25\n3,0.3,101.0,tra");
    MetricsModel model;
    model.addRun(dir);
    const RunMetrics* run = model.run(dir);
    QVERIFY(run);
    QCOMPARE(run->series.value(QStringLiteral("train/loss")).value.size(), 2);
    QCOMPARE(run->series.value(QStringLiteral("train/loss")).value[1], 2.25);
    // The writer finishes the line: the row appears whole, once.
    append(csv, "in,loss,2.0\n4,1.0,102.0,val,acc,0.5\n");
    QVERIFY(model.pollAll());
    const MetricSeries loss = model.run(dir)->series.value(QStringLiteral("train/loss"));
    QCOMPARE(loss.value.size(), 3);
    QCOMPARE(loss.value[2], 2.0);
    QCOMPARE(loss.step[2], 3.0);
    QCOMPARE(loss.wall[2], 1.0); // relative to the run's first row
    QCOMPARE(model.run(dir)->series.value(QStringLiteral("val/acc")).value.size(), 1);
    QVERIFY(!model.pollAll()); // nothing new
    QCOMPARE(model.metricNames(), (QStringList {QStringLiteral("loss"), QStringLiteral("acc")}));
}

void TestMonitor::truncatedFileStartsOver()
{
    const QString dir = QString::fromStdString(testutil::tempDir("monitor-trunc"));
    const QString csv = dir + QStringLiteral("/metrics.csv");
    append(csv, "step,epoch,wall_time,split,name,value\n1,0,0,train,loss,3\n2,0,1,train,loss,2\n3,0,2,train,loss,1\n");
    MetricsModel model;
    model.addRun(dir);
    QCOMPARE(model.run(dir)->series.value(QStringLiteral("train/loss")).value.size(), 3);
    // A resumed run rewrites the file shorter (rows past its checkpoint dropped).
    QFile::remove(csv);
    append(csv, "step,epoch,wall_time,split,name,value\n1,0,0,train,loss,3\n");
    QVERIFY(model.pollAll());
    QCOMPARE(model.run(dir)->series.value(QStringLiteral("train/loss")).value.size(), 1);
}

void TestMonitor::decimationKeepsExtremes()
{
    std::mt19937 rng(7);
    std::normal_distribution<double> noise(0.0, 1.0);
    const int n = 100000;
    QVector<double> x(n), y(n);
    for (int i = 0; i < n; ++i) {
        x[i] = i;
        y[i] = std::sin(i / 5000.0) + 0.1 * noise(rng);
    }
    // Single-sample spikes that a naive stride would miss.
    y[12345] = 50;
    y[67891] = -40;
    y[99999] = 7;
    const int columns = 800;
    const Decimated d = decimateMinMax(x, y, 0, n - 1, columns);
    QVERIFY(d.x.size() <= 4 * columns + 8);
    QVERIFY(d.x.size() > columns);
    QCOMPARE(d.x.size(), d.y.size());
    for (int i = 1; i < d.x.size(); ++i)
        QVERIFY(d.x[i] > d.x[i - 1]); // still sorted, no duplicates
    // Independently: the min and max of every pixel column survive, at their exact x.
    const double width = (n - 1.0) / columns;
    QHash<int, QPair<int, int>> extremes; // column -> (argmin, argmax)
    for (int i = 0; i < n; ++i) {
        const int c = static_cast<int>(std::floor(x[i] / width));
        auto it = extremes.find(c);
        if (it == extremes.end())
            extremes.insert(c, qMakePair(i, i));
        else {
            if (y[i] < y[it->first])
                it->first = i;
            if (y[i] > y[it->second])
                it->second = i;
        }
    }
    QSet<double> kept(d.x.begin(), d.x.end());
    for (auto it = extremes.begin(); it != extremes.end(); ++it) {
        QVERIFY2(kept.contains(x[it->first]), qPrintable(QStringLiteral("column %1 lost its minimum").arg(it.key())));
        QVERIFY2(kept.contains(x[it->second]), qPrintable(QStringLiteral("column %1 lost its maximum").arg(it.key())));
    }
    QCOMPARE(*std::max_element(d.y.begin(), d.y.end()), 50.0);
    QCOMPARE(*std::min_element(d.y.begin(), d.y.end()), -40.0);
    // Zoomed in: only the visible range (plus one neighbour each side) is kept.
    const Decimated z = decimateMinMax(x, y, 12000, 13000, columns);
    QVERIFY(z.x.first() >= 11999 && z.x.last() <= 13001);
    QVERIFY(std::find(z.y.begin(), z.y.end(), 50.0) != z.y.end());
}

void TestMonitor::decimationSmallSeriesUnchanged()
{
    const QVector<double> x {0, 1, 2, 3}, y {4, 3, 2, 1};
    const Decimated d = decimateMinMax(x, y, 0, 3, 100);
    QCOMPARE(d.x, x);
    QCOMPARE(d.y, y);
}

void TestMonitor::emaDebiased()
{
    const QVector<double> y {1, 2, 3, 4};
    const double w = 0.5;
    const QVector<double> s = emaSmooth(y, w);
    // Independently: s_t = w s_{t-1} + (1-w) y_t over (1 - w^t).
    const double e1 = 0.5 * 1, e2 = 0.5 * e1 + 0.5 * 2, e3 = 0.5 * e2 + 0.5 * 3, e4 = 0.5 * e3 + 0.5 * 4;
    QCOMPARE(s[0], e1 / (1 - 0.5));
    QCOMPARE(s[1], e2 / (1 - 0.25));
    QCOMPARE(s[2], e3 / (1 - 0.125));
    QCOMPARE(s[3], e4 / (1 - 0.0625));
    QCOMPARE(s[0], 1.0); // no pull towards zero at the start
    QCOMPARE(emaSmooth(y, 0.0), y);
    // A NaN (diverged step) does not poison the rest.
    const QVector<double> withNan = emaSmooth({1, std::nan(""), 1}, 0.9);
    QCOMPARE(withNan[2], 1.0);
}

void TestMonitor::liveRunUpdatesPlots()
{
    const QString dir = QString::fromStdString(testutil::tempDir("monitor-live"));
    const QString csv = dir + QStringLiteral("/metrics.csv");
    append(csv, "step,epoch,wall_time,split,name,value\n");
    MetricsModel model;
    model.setPollInterval(100);
    MonitorView view(&model);
    view.resize(1000, 700);
    view.show();
    view.addRun(dir);
    QTRY_VERIFY(view.plots().isEmpty());
    // Another process appends rows: plots appear and grow without any call from us.
    QByteArray rows;
    for (int i = 1; i <= 50; ++i)
        rows += QByteArray::number(i) + ',' + QByteArray::number(i / 10.0) + ',' + QByteArray::number(i) + ",train,loss,"
            + QByteArray::number(3.0 / i) + '\n';
    rows += "10,1.0,10,val,acc,0.4\n";
    append(csv, rows);
    QTRY_COMPARE(view.plots().size(), 2);
    MetricPlot* loss = nullptr;
    for (MetricPlot* p : view.plots())
        if (p->metric() == QLatin1String("loss"))
            loss = p;
    QVERIFY(loss);
    QTRY_COMPARE(loss->rawPoints(), qint64(50));
    append(csv, "51,5.1,51,train,loss,0.05\n");
    QTRY_COMPARE(loss->rawPoints(), qint64(51));
    // Log-y and the x axis switch keep the data.
    MonitorOptions o = view.options();
    o.logY = true;
    o.x = XAxisKind::Epoch;
    o.smoothing = 0;
    view.setOptions(o);
    QCOMPARE(loss->yAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(loss->rawPoints(), qint64(51));
    QCOMPARE(loss->xAxis->range().upper, 5.1);
}

void TestMonitor::manyPointsStayDecimated()
{
    const QString dir = QString::fromStdString(testutil::tempDir("monitor-many"));
    QByteArray text = "step,epoch,wall_time,split,name,value\n";
    const int n = 100000;
    text.reserve(n * 32);
    for (int i = 0; i < n; ++i)
        text += QByteArray::number(i) + ",0," + QByteArray::number(i * 0.01) + ",train,loss,"
            + QByteArray::number(1.0 + std::sin(i * 0.001)) + '\n';
    append(dir + QStringLiteral("/metrics.csv"), text);
    MetricsModel model;
    model.addRun(dir);
    MetricPlot plot(QStringLiteral("loss"));
    plot.resize(800, 400);
    plot.show();
    MonitorOptions o;
    o.smoothing = 0.9;
    plot.setSeries(model, {dir}, runColors({dir}), o);
    QCOMPARE(plot.rawPoints(), qint64(n));
    // What is drawn is bounded by the pixel width, not the data size.
    QVERIFY2(plot.drawnPoints() <= 2 * (4 * std::max(100, plot.axisRect()->width()) + 8),
        qPrintable(QString::number(plot.drawnPoints())));
}

void TestMonitor::perEpochCurvesStartWithTheRun()
{
    // Accuracy is logged for validation only, at the end of each epoch (step 50, 100, ...).
    const QString dir = QString::fromStdString(testutil::tempDir("monitor-extent"));
    QByteArray text = "step,epoch,wall_time,split,name,value\n";
    for (int step = 1; step <= 200; ++step) {
        text += QByteArray::number(step) + ',' + QByteArray::number(step / 50.0) + ',' + QByteArray::number(step) + ",train,loss,"
            + QByteArray::number(2.0 / step) + '\n';
        if (step % 50 == 0)
            text += QByteArray::number(step) + ',' + QByteArray::number(step / 50) + ',' + QByteArray::number(step) + ",val,acc,"
                + QByteArray::number(step / 250.0) + '\n';
    }
    append(dir + QStringLiteral("/metrics.csv"), text);
    MetricsModel model;
    model.addRun(dir);
    for (XAxisKind x : {XAxisKind::Step, XAxisKind::Epoch, XAxisKind::WallTime}) {
        MetricPlot acc(QStringLiteral("acc")), loss(QStringLiteral("loss"));
        MonitorOptions o;
        o.x = x;
        acc.setSeries(model, {dir}, runColors({dir}), o);
        loss.setSeries(model, {dir}, runColors({dir}), o);
        // The accuracy plot shows the run from its first row, like the loss, not from its first point.
        const QString where = QStringLiteral("x kind %1: acc %2..%3, loss %4..%5")
                                  .arg(int(x))
                                  .arg(acc.xAxis->range().lower)
                                  .arg(acc.xAxis->range().upper)
                                  .arg(loss.xAxis->range().lower)
                                  .arg(loss.xAxis->range().upper);
        QVERIFY2(acc.xAxis->range().lower <= loss.xAxis->range().lower, qPrintable(where));
        QVERIFY2(acc.xAxis->range().upper >= loss.xAxis->range().upper, qPrintable(where));
        QCOMPARE(acc.runExtent().lower, loss.runExtent().lower);
    }
}

void TestMonitor::fourRunsFitAt1280()
{
    qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("monitor-config")));
    qputenv("XDG_DATA_HOME", QByteArray::fromStdString(testutil::tempDir("monitor-data")));
    const QString project = QString::fromStdString(testutil::tempDir("monitor-four"));
    QStringList runs;
    const QStringList names = {QStringLiteral("baseline"), QStringLiteral("tuned-hV4"), QStringLiteral("tuned-hV4-lwf-long"),
        QStringLiteral("tuned-IT-kd0.5")};
    for (int i = 0; i < names.size(); ++i) {
        const QString dir = project + QLatin1Char('/') + names[i];
        QVERIFY(QDir().mkpath(dir));
        runs << writeRun(dir, 4, 30, 1.0 + 0.2 * i);
    }
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.tabs()->setCurrentWidget(window.monitor());
    window.monitor()->setRuns(runs);
    QTRY_COMPARE(window.monitor()->plots().size(), 3);
    QCoreApplication::processEvents();
    QCOMPARE(window.size(), QSize(1280, 800));
    // Nothing scrolls sideways, and every legend lies whole inside its plot.
    QScrollArea* area = window.monitor()->plotArea();
    QTRY_VERIFY(area->widget()->width() <= area->viewport()->width());
    QVERIFY2(!area->horizontalScrollBar()->isVisible(),
        qPrintable(
            QStringLiteral("plots %1 px wide in a %2 px view").arg(area->widget()->width()).arg(area->viewport()->width())));
    for (MetricPlot* plot : window.monitor()->plots()) {
        plot->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(plot->width() >= MetricPlot::kMinimumWidth);
        const QRect canvas(QPoint(0, 0), plot->size());
        int entries = 0;
        for (int i = 0; i < plot->legend->itemCount(); ++i) {
            if (!plot->legend->item(i))
                continue; // an empty cell of the legend's grid
            ++entries;
            const QRect item = plot->legend->item(i)->outerRect();
            QVERIFY2(canvas.contains(item),
                qPrintable(QStringLiteral("%1: legend entry %2 at %3,%4 %5x%6 in a %7x%8 plot")
                               .arg(plot->metric())
                               .arg(i)
                               .arg(item.x())
                               .arg(item.y())
                               .arg(item.width())
                               .arg(item.height())
                               .arg(plot->width())
                               .arg(plot->height())));
            QVERIFY(!item.intersects(plot->axisRect()->rect()));
        }
        QCOMPARE(entries, plot->metric() == QLatin1String("lr") ? 4 : 8); // 4 runs x train (+ val)
        // The axes keep a usable height next to the legend.
        QVERIFY2(plot->axisRect()->height() >= 120, qPrintable(QString::number(plot->axisRect()->height())));
    }
    // The idle job dock is a strip, not a quarter of the window.
    auto* dock = window.findChild<JobDock*>();
    QVERIFY(dock);
    QVERIFY(dock->isCollapsed());
    QVERIFY2(dock->height() <= 40, qPrintable(QString::number(dock->height())));
}

void TestMonitor::jobDockCollapsesWhenIdle()
{
    qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("monitor-config2")));
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* dock = window.findChild<JobDock*>();
    QVERIFY(dock);
    QTRY_VERIFY2(dock->height() <= 40, qPrintable(QString::number(dock->height())));
    // A job starts: the dock opens with its queue and log.
    auto release = std::make_shared<std::atomic<bool>>(false);
    JobSpec spec;
    spec.title = QStringLiteral("Hold");
    spec.kind = QStringLiteral("test");
    spec.work = [release](ProgressSink&, const CancelToken&) {
        while (!release->load())
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return JobOutcome {};
    };
    // A failed check below returns early: release the job then too, or the window's shutdown
    // waits for it forever.
    const auto releaseOnExit = qScopeGuard([release] { release->store(true); });
    QSignalSpy started(window.jobs(), &JobQueueModel::jobStarted);
    QSignalSpy idle(window.jobs(), &JobQueueModel::idle);
    window.launch(spec);
    QTRY_COMPARE(started.count(), 1);
    QVERIFY(!dock->isCollapsed());
    QTRY_VERIFY2(dock->height() >= 120, qPrintable(QString::number(dock->height())));
    QVERIFY(dock->summary().contains(QStringLiteral("Hold")));
    // It finishes: back to the strip, which says what ran.
    release->store(true);
    QTRY_COMPARE(idle.count(), 1);
    QVERIFY(dock->isCollapsed());
    QTRY_VERIFY2(dock->height() <= 40, qPrintable(QString::number(dock->height())));
    QVERIFY(dock->summary().contains(QStringLiteral("finished")));
    // A failed job keeps the log open.
    JobSpec fails;
    fails.title = QStringLiteral("Fails");
    fails.kind = QStringLiteral("test");
    fails.work = [](ProgressSink&, const CancelToken&) { return JobOutcome {JobStatus::Failed, QStringLiteral("disk full")}; };
    window.launch(fails);
    QTRY_COMPARE(idle.count(), 2);
    QVERIFY(!dock->isCollapsed());
    QVERIFY(dock->height() >= 120);
    QVERIFY(dock->summary().contains(QStringLiteral("failed")));
}

QTEST_MAIN(TestMonitor)
#include "test_monitor.moc"
