// The project tree tells the truth about a run: one that another process works on (it holds
// the run directory's lock) shows as running elsewhere, one whose status says "running" but
// whose process is gone says so; a data-parallel run names its world size in the tree, the
// status bar and the job dock.
#include "jobdock.h"
#include "mainwindow.h"
#include "projectmodel.h"
#include "run/rundir.h"
#include "testutil.h"

#include <QDockWidget>
#include <QLabel>
#include <QTreeView>
#include <QtTest>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace repalign;
using namespace repalign::gui;

class TestGuiRunDir : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runLockedByAnotherProcessShowsAsRunningElsewhere()
    {
        const QString project = QString::fromStdString(testutil::tempDir("project"));
        const std::string run = project.toStdString() + "/baseline";
        RunDir(run).writeStatus(RunState::Running, 0.4, "epoch 2/5");
        testutil::HoldingChild holder([&] { return std::make_shared<RunLock>(run); });
        QVERIFY(holder.ready());
        const pid_t child = holder.pid();

        ProjectModel model;
        model.setProjectPath(project);
        model.refresh();
        const QModelIndex item = model.indexForPath(QString::fromStdString(run));
        QVERIFY(item.isValid());
        QVERIFY(item.data(ProjectModel::RunningElsewhereRole).toBool());
        const QString tip = item.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("Running elsewhere: process %1").arg(child)), qPrintable(tip));

        // The process dies without a word: the status still says running, the tree does not.
        holder.kill();
        model.refresh();
        const QModelIndex after = model.indexForPath(QString::fromStdString(run));
        QVERIFY(!after.data(ProjectModel::RunningElsewhereRole).toBool());
        const QString tip2 = after.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip2.contains(QStringLiteral("Not running")), qPrintable(tip2));

        // A job of this process (the GUI's own queue) is not "elsewhere".
        {
            RunLock own(run);
            model.refresh();
            QVERIFY(!model.indexForPath(QString::fromStdString(run)).data(ProjectModel::RunningElsewhereRole).toBool());
        }
    }

    void dataParallelRunNamesItsWorldSize()
    {
        // A run of 2 ranks started elsewhere (repalign-cli launch, srun on the cluster): rank 0's
        // status.json has world_size 2 and rank 0 holds the run's lock.
        qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("dp-config")));
        qputenv("XDG_DATA_HOME", QByteArray::fromStdString(testutil::tempDir("dp-data")));
        const QString project = QString::fromStdString(testutil::tempDir("project-dp"));
        const QString run = project + QStringLiteral("/big");
        RunDir(run.toStdString()).writeStatus(RunState::Running, 0.3, "epoch 1/4", {{"world_size", "2"}});
        QCOMPARE(readRunStatus(run.toStdString()).worldSize, 2);
        testutil::HoldingChild rank0([&] { return std::make_shared<RunLock>(run.toStdString()); });
        QVERIFY(rank0.ready());

        MainWindow window;
        window.openProject(project);
        QTRY_VERIFY(window.project()->indexForPath(run).isValid());
        const QModelIndex item = window.project()->indexForPath(run);
        QCOMPARE(item.data(ProjectModel::WorldSizeRole).toInt(), 2);
        const QString tip = item.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("State: running, 2 ranks")), qPrintable(tip));
        // The job dock's strip: no job of this window, the run that others work on with its ranks.
        auto* dock = window.findChild<JobDock*>();
        QVERIFY(dock);
        QTRY_VERIFY2(dock->summary().contains(QStringLiteral("running elsewhere: big (2 ranks)")), qPrintable(dock->summary()));
        // The status bar names the selected run's state and ranks.
        auto* tree = qobject_cast<QTreeView*>(window.findChild<QDockWidget*>(QStringLiteral("ProjectDock"))->widget());
        QVERIFY(tree);
        tree->selectionModel()->setCurrentIndex(item, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        auto* label = window.findChild<QLabel*>(QStringLiteral("runStateLabel"));
        QVERIFY(label);
        QTRY_COMPARE(label->text(), QStringLiteral("big: running, 2 ranks"));

        rank0.kill();
        // Finished at world size 1 (resumed by one process): no ranks named, nothing elsewhere.
        RunDir(run.toStdString()).writeStatus(RunState::Finished, 1.0, "done");
        window.project()->refresh();
        QTRY_COMPARE(label->text(), QStringLiteral("big: finished"));
        QTRY_VERIFY2(!dock->summary().contains(QStringLiteral("elsewhere")), qPrintable(dock->summary()));
    }
};

QTEST_MAIN(TestGuiRunDir)
#include "test_gui_rundir.moc"
