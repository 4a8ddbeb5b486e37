// Monitor: metrics.csv read incrementally while it is being written (partial last line),
// min/max decimation keeps every extreme, debiased EMA, live updates of a run written elsewhere.
#include "metricsmodel.h"
#include "monitorview.h"
#include "plotstyle.h"
#include "testutil.h"

#include <QApplication>
#include <QFile>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>
#include <random>

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
};

void TestMonitor::partialLastLine()
{
    const QString dir = QString::fromStdString(testutil::tempDir("monitor-partial"));
    const QString csv = dir + QStringLiteral("/metrics.csv");
    append(csv, "step,epoch,wall_time,split,name,value\n1,0.1,100.0,train,loss,2.5\n2,0.2,100.5,train,loss,2.25\n3,0.3,101.0,tra");
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
    QCOMPARE(model.metricNames(), (QStringList{QStringLiteral("loss"), QStringLiteral("acc")}));
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
    const QVector<double> x{0, 1, 2, 3}, y{4, 3, 2, 1};
    const Decimated d = decimateMinMax(x, y, 0, 3, 100);
    QCOMPARE(d.x, x);
    QCOMPARE(d.y, y);
}

void TestMonitor::emaDebiased()
{
    const QVector<double> y{1, 2, 3, 4};
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
        rows += QByteArray::number(i) + ',' + QByteArray::number(i / 10.0) + ',' + QByteArray::number(i) + ",train,loss," +
                QByteArray::number(3.0 / i) + '\n';
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
        text += QByteArray::number(i) + ",0," + QByteArray::number(i * 0.01) + ",train,loss," + QByteArray::number(1.0 + std::sin(i * 0.001)) + '\n';
    append(dir + QStringLiteral("/metrics.csv"), text);
    MetricsModel model;
    model.addRun(dir);
    MetricPlot plot(QStringLiteral("loss"));
    plot.resize(800, 400);
    plot.show();
    MonitorOptions o;
    o.smoothing = 0.9;
    plot.setSeries(model, {dir}, MonitorView::runColors({dir}), o);
    QCOMPARE(plot.rawPoints(), qint64(n));
    // What is drawn is bounded by the pixel width, not the data size.
    QVERIFY2(plot.drawnPoints() <= 2 * (4 * std::max(100, plot.axisRect()->width()) + 8),
             qPrintable(QString::number(plot.drawnPoints())));
}

QTEST_MAIN(TestMonitor)
#include "test_monitor.moc"
