// The project tree tells the truth about a run: one that another process works on (it holds
// the run directory's lock) shows as running elsewhere, one whose status says "running" but
// whose process is gone says so.
#include "projectmodel.h"
#include "run/rundir.h"
#include "testutil.h"

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
        RunDir(run).writeStatus("running", 0.4, "epoch 2/5");
        int ready[2];
        QVERIFY(::pipe(ready) == 0);
        const pid_t child = ::fork();
        if (child == 0) {
            try {
                RunLock lock(run);
                const char c = 'x';
                if (::write(ready[1], &c, 1) != 1)
                    ::_exit(2);
                ::pause();
            } catch (...) {
            }
            ::_exit(1);
        }
        char c = 0;
        QCOMPARE(::read(ready[0], &c, 1), ssize_t(1));

        ProjectModel model;
        model.setProjectPath(project);
        model.refresh();
        const QModelIndex item = model.indexForPath(QString::fromStdString(run));
        QVERIFY(item.isValid());
        QVERIFY(item.data(ProjectModel::RunningElsewhereRole).toBool());
        const QString tip = item.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("Running elsewhere: process %1").arg(child)), qPrintable(tip));

        // The process dies without a word: the status still says running, the tree does not.
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        ::close(ready[0]);
        ::close(ready[1]);
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
};

QTEST_MAIN(TestGuiRunDir)
#include "test_gui_rundir.moc"
