// Monitor drawing and UI responsiveness, printed as JSON:
//  - one redraw of a 100k-point series with min/max decimation vs handing QCustomPlot all
//    points (naive; its own adaptive sampling switched off);
//  - the largest event-loop stall while a real small training job runs on the job queue's
//    worker thread vs running the same job on the UI thread (naive). Goal: under 100 ms.
#include "corejobs.h"
#include "jobqueuemodel.h"
#include "metricsmodel.h"
#include "monitorview.h"
#include "plotstyle.h"
#include "qcp.h"

#include "common/progress.h"
#include "run/config.h"
#include "train/trainer.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

#include <cmath>
#include <cstdio>

using namespace repalign;
using namespace repalign::gui;

namespace {
TrainConfig tiny(int epochs, int steps)
{
    return parseTrainConfig(
        "dataset: shapes\ndata: {train: \"shapes:64:1\", val: \"shapes:32:2\"}\nmodel: resnet18_cifar10\nsystem: {threads: 1}\n"
        "optimization:\n  epochs: "
            + std::to_string(epochs) + "\n  batch_size: 8\n  max_steps_per_epoch: " + std::to_string(steps) + "\n",
        "bench");
}
} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;

    // ---- drawing 100k points -------------------------------------------------------------
    const int n = 100000;
    {
        QFile f(dir.filePath(QStringLiteral("metrics.csv")));
        f.open(QIODevice::WriteOnly);
        QByteArray text = "step,epoch,wall_time,split,name,value\n";
        for (int i = 0; i < n; ++i)
            text += QByteArray::number(i) + ",0," + QByteArray::number(i * 0.01) + ",train,loss,"
                + QByteArray::number(1.0 + 0.3 * std::sin(i * 0.001) + 0.05 * std::sin(i * 1.7)) + '\n';
        f.write(text);
    }
    double decimatedMs = 0, naiveMs = 0, panMs = 0, naivePanMs = 0, setSeriesMs = 0;
    int drawn = 0;
    {
        MetricsModel model;
        model.addRun(dir.path());
        MetricPlot plot(QStringLiteral("loss"));
        plot.resize(1000, 500);
        plot.show();
        MonitorOptions o;
        o.smoothing = 0.6;
        const int repeats = 10;
        QElapsedTimer t;
        t.start();
        for (int r = 0; r < repeats; ++r) {
            plot.setSeries(model, {dir.path()}, runColors({dir.path()}), o);
            plot.replot(QCustomPlot::rpImmediateRefresh);
        }
        decimatedMs = t.nsecsElapsed() / 1e6 / repeats;
        drawn = plot.drawnPoints();
        t.restart();
        for (int r = 0; r < repeats; ++r)
            plot.setSeries(model, {dir.path()}, runColors({dir.path()}), o);
        setSeriesMs = t.nsecsElapsed() / 1e6 / repeats;
        // Panning: each step re-decimates the visible range and replots.
        t.restart();
        for (int r = 0; r < repeats; ++r) {
            plot.xAxis->setRange(r * 5000, r * 5000 + 50000);
            plot.replot(QCustomPlot::rpImmediateRefresh);
        }
        panMs = t.nsecsElapsed() / 1e6 / repeats;

        QCustomPlot naive;
        naive.resize(1000, 500);
        naive.show();
        const MetricSeries& s = model.run(dir.path())->series[QStringLiteral("train/loss")];
        t.restart();
        for (int r = 0; r < repeats; ++r) {
            naive.clearGraphs();
            auto* raw = naive.addGraph();
            raw->setAdaptiveSampling(false);
            raw->setData(s.step, s.value, true);
            auto* smooth = naive.addGraph();
            smooth->setAdaptiveSampling(false);
            smooth->setData(s.step, emaSmooth(s.value, 0.6), true);
            naive.rescaleAxes();
            naive.replot(QCustomPlot::rpImmediateRefresh);
        }
        naiveMs = t.nsecsElapsed() / 1e6 / repeats;
        t.restart();
        for (int r = 0; r < repeats; ++r) {
            naive.xAxis->setRange(r * 5000, r * 5000 + 50000);
            naive.replot(QCustomPlot::rpImmediateRefresh);
        }
        naivePanMs = t.nsecsElapsed() / 1e6 / repeats;
    }
    // Let the plots' last paint events go before measuring the event loop.
    QCoreApplication::processEvents();

    // ---- UI stall during training ----------------------------------------------------------
    qint64 worst = 0, pings = 0, last = 0;
    const bool trace = qEnvironmentVariableIsSet("REPALIGN_BENCH_TRACE");
    QElapsedTimer clock;
    QTimer ping;
    ping.setInterval(10);
    QObject::connect(&ping, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        if (trace && now - last > 150)
            std::fprintf(stderr, "stall %lld ms ending at %lld ms\n", now - last, now);
        worst = std::max(worst, now - last);
        last = now;
        ++pings;
    });
    JobQueueModel queue;
    int updates = 0;
    QObject::connect(&queue, &JobQueueModel::progressChanged, [&](int, const ProgressEvent& e) {
        ++updates;
        if (trace)
            std::fprintf(stderr, "progress %s %.2f at %lld ms\n", e.phase.c_str(), e.fraction, clock.elapsed());
    });
    QObject::connect(&queue, &JobQueueModel::logLine, [&](int, int, const QString& line) {
        if (trace)
            std::fprintf(stderr, "log at %lld ms: %s\n", clock.elapsed(), qPrintable(line));
    });
    bool done = false;
    QObject::connect(&queue, &JobQueueModel::jobFinished, [&] { done = true; });
    clock.start();
    ping.start();
    queue.enqueue(makeTrainJob(tiny(2, 3), dir.filePath(QStringLiteral("worker-run"))));
    while (!done)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    const qint64 jobMs = clock.elapsed();
    ping.stop();

    // Naive: the same job on the UI thread blocks the event loop for its whole duration.
    QElapsedTimer blocked;
    blocked.start();
    {
        NullSink sink;
        CancelToken cancel;
        TrainJob job(tiny(2, 3), dir.filePath(QStringLiteral("ui-thread-run")).toStdString());
        job.run(sink, cancel);
    }
    const qint64 naiveStall = blocked.elapsed();

    std::printf("{\"benchmark\": \"gui\",\n"
                " \"plot_points_raw\": %d, \"plot_points_drawn\": %d,\n"
                " \"update_decimated_ms\": %.2f, \"set_series_ms\": %.2f, \"update_naive_ms\": %.2f, \"update_speedup\": %.2f,\n"
                " \"pan_redraw_decimated_ms\": %.2f, \"pan_redraw_naive_ms\": %.2f, \"pan_speedup\": %.2f,\n"
                " \"training_job_ms\": %lld, \"event_loop_pings\": %lld, \"progress_updates\": %d,\n"
                " \"largest_ui_stall_ms\": %lld, \"naive_ui_thread_stall_ms\": %lld, \"stall_ratio_naive_over_worker\": %.1f,\n"
                " \"stall_goal_ms\": 100, \"meets_goal\": %s}\n",
        2 * n, drawn, decimatedMs, setSeriesMs, naiveMs, naiveMs / decimatedMs, panMs, naivePanMs, naivePanMs / panMs, jobMs,
        pings, updates, worst, naiveStall, worst > 0 ? double(naiveStall) / worst : 0.0, worst < 100 ? "true" : "false");
    return 0;
}
