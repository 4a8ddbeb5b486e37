// The UI thread stays responsive while a real (small) training job runs on the job queue's
// worker thread: a 10 ms timer pings the event loop and the largest gap is reported; the test
// fails above one second. Progress arrives merged (about one update per 40 ms), cancel works,
// and the run directory is followed live.
#include "corejobs.h"
#include "jobqueuemodel.h"
#include "mainwindow.h"
#include "metricsmodel.h"
#include "monitorview.h"
#include "projectmodel.h"
#include "testutil.h"

#include "common/error.h"
#include "run/config.h"
#include "run/rundir.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

using namespace repalign;
using namespace repalign::gui;

namespace {
TrainConfig tinyConfig(int epochs, int steps)
{
    return parseTrainConfig("dataset: shapes\n"
                            "data: {train: \"shapes:64:1\", val: \"shapes:32:2\"}\n"
                            "model: resnet18_cifar10\n"
                            "system: {threads: 1}\n"
                            "optimization:\n  epochs: "
            + std::to_string(epochs) + "\n  batch_size: 8\n  max_steps_per_epoch: " + std::to_string(steps)
            + "\n  optimizer: sgd\n  optimizer_params: {lr: 0.01, momentum: 0.9}\n",
        "tiny");
}

struct StallProbe {
    QTimer timer;
    QElapsedTimer clock;
    qint64 last = 0, worst = 0, pings = 0;
    StallProbe()
    {
        timer.setInterval(10);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
            ++pings;
        });
        clock.start();
        timer.start();
    }
};
} // namespace

class TestGuiResponsive : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void staysResponsiveDuringTraining();
    void importRunsAsJob();
    void cancelStopsCleanly();
    void failedJobReportsMessage();
};

void TestGuiResponsive::initTestCase()
{
    qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("resp-config")));
    qputenv("XDG_DATA_HOME", QByteArray::fromStdString(testutil::tempDir("resp-data")));
}

void TestGuiResponsive::staysResponsiveDuringTraining()
{
    const QString project = QString::fromStdString(testutil::tempDir("resp-project"));
    MainWindow window;
    window.openProject(project);
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString runDir = project + QStringLiteral("/tiny");
    QSignalSpy progress(window.jobs(), &JobQueueModel::progressChanged);
    QSignalSpy finished(window.jobs(), &JobQueueModel::jobFinished);
    StallProbe probe;
    QElapsedTimer wall;
    wall.start();
    const int id = window.launch(makeTrainJob(tinyConfig(2, 3), runDir));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 600000);
    const qint64 elapsed = wall.elapsed();
    probe.timer.stop();
    QCOMPARE(finished.first().at(0).toInt(), id);
    QCOMPARE(finished.first().at(1).value<RunState>(), RunState::Finished);
    qInfo("training job: %lld ms, %lld event-loop pings, largest stall %lld ms, %d merged progress updates", elapsed, probe.pings,
        probe.worst, int(progress.count()));
    QVERIFY2(probe.worst < 1000, qPrintable(QStringLiteral("UI stalled for %1 ms").arg(probe.worst)));
    // Merged: never more than one update per 40 ms (plus the final flush).
    QVERIFY(progress.count() >= 1);
    QVERIFY2(progress.count() <= elapsed / 40 + 2, qPrintable(QString::number(progress.count())));
    // The run was followed live: the project lists it finished and the monitor has its curves.
    QTRY_COMPARE(readRunStatus(runDir.toStdString()).state, RunState::Finished);
    QVERIFY(window.project()->runPaths().contains(runDir));
    QVERIFY(window.monitor()->runs().contains(runDir));
    QTRY_VERIFY(!window.monitor()->plots().isEmpty());
}

void TestGuiResponsive::cancelStopsCleanly()
{
    const std::string dir = testutil::tempDir("resp-cancel");
    JobQueueModel queue;
    QSignalSpy finished(&queue, &JobQueueModel::jobFinished);
    QSignalSpy progress(&queue, &JobQueueModel::progressChanged);
    const int first = queue.enqueue(makeTrainJob(tinyConfig(50, 4), QString::fromStdString(dir + "/long")));
    const int second = queue.enqueue(makeTrainJob(tinyConfig(1, 1), QString::fromStdString(dir + "/next")));
    QCOMPARE(queue.pendingCount(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 0, 300000);
    queue.cancelAll();
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 300000);
    QCOMPARE(queue.jobState(first), RunState::Cancelled);
    QCOMPARE(queue.jobState(second), RunState::Cancelled);
    QVERIFY(!queue.busy());
    // The cancelled run says so on disk; the queued one never started.
    QCOMPARE(readRunStatus(dir + "/long").state, RunState::Cancelled);
    QVERIFY(!QFileInfo::exists(QString::fromStdString(dir + "/next/metrics.csv")));
}

void TestGuiResponsive::failedJobReportsMessage()
{
    JobQueueModel queue;
    QSignalSpy finished(&queue, &JobQueueModel::jobFinished);
    JobSpec spec;
    spec.title = QStringLiteral("bad input");
    spec.work
        = [](ProgressSink&, const CancelToken&) -> JobOutcome { throw Error("data spec 'x:1' is not known (valid: a, b)"); };
    queue.enqueue(spec);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(1).value<RunState>(), RunState::Failed);
    QVERIFY(finished.first().at(2).toString().contains(QStringLiteral("valid: a, b")));
}

// File > Import PyTorch checkpoint runs as a queue job (the UI thread only picks the file): a
// good file becomes a finished run, a bad one fails the job with one line and leaves no run.
void TestGuiResponsive::importRunsAsJob()
{
    const std::string dir = testutil::tempDir("resp-import");
    const QString data = QStringLiteral(REPALIGN_TEST_DATA "/pth/");
    JobQueueModel queue;
    QSignalSpy finished(&queue, &JobQueueModel::jobFinished);
    const QString good = QString::fromStdString(dir + "/imported-tiny");
    const QString bad = QString::fromStdString(dir + "/imported-bad");
    const int first = queue.enqueue(makeImportJob(data + QStringLiteral("tiny_ckpt.legacy.pth"), good));
    const int second = queue.enqueue(makeImportJob(data + QStringLiteral("parameters.zip.pth"), bad));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 300000);
    QCOMPARE(queue.jobState(first), RunState::Finished);
    QCOMPARE(queue.jobState(second), RunState::Failed);
    QVERIFY(finished.at(0).at(2).toString().contains(QStringLiteral("8 tensors")));
    const QString why = finished.at(1).at(2).toString();
    QVERIFY2(why.contains(QStringLiteral("parameters.zip.pth")) && !why.contains(QLatin1Char('\n')), qPrintable(why));
    QVERIFY(ProjectModel::isRunDir(good));
    QCOMPARE(readRunStatus(good.toStdString()).state, RunState::Finished);
    QVERIFY(QFileInfo::exists(QString::fromStdString(RunLayout(good.toStdString()).checkpoint("tiny_ckpt.legacy.pth"))));
    QVERIFY(!QFileInfo::exists(bad));
}

QTEST_MAIN(TestGuiResponsive)
#include "test_gui_responsive.moc"
