// The Study tab driven offscreen: load a study file, add an axis with the grid form, plan,
// launch through the job queue; the conditions table fills from the run folders, and opening
// a condition asks for the right tab.
#include "jobqueuemodel.h"
#include "mainwindow.h"
#include "monitorview.h"
#include "neuronsview.h"
#include "studypanel.h"
#include "testutil.h"

#include "pipeline/study.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QtTest/QtTest>

using namespace repalign::gui;

namespace {

/// A baseline and its analysis, a few steps each, on shapes data.
std::string tinyStudy()
{
    return "name: gui-study\n"
           "train:\n"
           "  dataset: shapes\n"
           "  model: resnet18_cifar10\n"
           "  data: {train: \"shapes:48:1\", val: \"shapes:16:2\"}\n"
           "  system: {num_workers: 1}\n"
           "  optimization: {epochs: 1, batch_size: 16, max_steps_per_epoch: 1}\n"
           "analyze:\n"
           "  data: \"shapes:24:3\"\n"
           "  layer: layer1\n"
           "  k: 2\n"
           "  lpips_weights: \"random:0\"\n"
           "  lpips_resize: 0\n";
}

} // namespace

class TestGuiStudy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("gui-study-config")));
        qputenv("XDG_DATA_HOME", QByteArray::fromStdString(testutil::tempDir("gui-study-data")));
    }

    void loadAddAxisPlanRun()
    {
        const std::string dir = testutil::tempDir("gui-study");
        const QString file = QString::fromStdString(dir + "/study.yaml");
        testutil::writeText(file.toStdString(), tinyStudy());

        MainWindow window;
        window.openProject(QString::fromStdString(testutil::tempDir("gui-study-project")));
        auto* panel = window.findChild<StudyPanel*>();
        QVERIFY(panel);
        QCOMPARE(window.tabs()->tabText(window.tabs()->indexOf(panel)), QStringLiteral("Study"));
        panel->setExecutable(QStringLiteral(REPALIGN_CLI));
        window.tabs()->setCurrentWidget(panel);
        window.show();

        // As a user does: type the path into the field and press Return.
        auto* fileEdit = panel->findChild<QLineEdit*>(QStringLiteral("studyFile"));
        QVERIFY(fileEdit);
        fileEdit->setText(file);
        QTest::keyClick(fileEdit, Qt::Key_Return);
        QTRY_VERIFY(panel->studyText().contains(QStringLiteral("gui-study")));
        QCOMPARE(panel->studyFolder(), QString::fromStdString(dir + "/study"));

        // A bad axis value is one line naming the axis and the value, before any work.
        QSignalSpy failed(panel, &StudyPanel::failed);
        panel->addAxis(QStringLiteral("analyze.k"), QStringLiteral("[2, 0]"));
        QCOMPARE(panel->axisCount(), 1);
        QVERIFY(panel->studyText().contains(QStringLiteral("grid:\n  analyze.k: [2, 0]")));
        panel->plan();
        QTRY_COMPARE(failed.count(), 1);
        const QString error = failed.first().first().toString();
        QVERIFY2(error.contains(QStringLiteral("axis 'analyze.k' value 0")), qPrintable(error));
        QVERIFY(!error.contains(QLatin1Char('\n')));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(dir + "/study")));

        // Edit the value in the grid form: the text follows.
        panel->gridTable()->item(0, 1)->setText(QStringLiteral("[2, 3]"));
        QVERIFY(panel->studyText().contains(QStringLiteral("analyze.k: [2, 3]")));
        QSignalSpy planned(panel, &StudyPanel::planned);
        panel->plan();
        QTRY_COMPARE(planned.count(), 1);
        QCOMPARE(planned.first().first().toInt(), 3); // train + 2 analyses
        QVERIFY(panel->planView()->toPlainText().contains(QStringLiteral("analyze-train-k3")));

        // Launch through the job queue; the table fills from the run folders.
        QSignalSpy queued(panel, &StudyPanel::runQueued);
        QSignalSpy finished(window.jobs(), &JobQueueModel::jobFinished);
        panel->run();
        QTRY_COMPARE(queued.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
        QCOMPARE(finished.first().at(1).toString(), QStringLiteral("finished"));
        panel->refresh();
        QTRY_COMPARE(panel->conditions()->rowCount(), 3);
        QTRY_COMPARE(panel->conditions()->item(2, 2)->text(), QStringLiteral("finished"));
        for (int r = 0; r < 3; ++r)
            QCOMPARE(panel->conditions()->item(r, 2)->text(), QStringLiteral("finished"));
        QCOMPARE(panel->conditions()->item(0, 0)->text(), QStringLiteral("train"));

        // Opening: a run goes to Monitor, an analysis to Neurons.
        QSignalSpy runs(panel, &StudyPanel::openRunRequested);
        QSignalSpy analyses(panel, &StudyPanel::openAnalysisRequested);
        Q_EMIT panel->conditionsView()->doubleClicked(panel->conditions()->index(0, 0));
        QCOMPARE(runs.count(), 1);
        QCOMPARE(runs.first().first().toString(), QString::fromStdString(dir + "/study/runs/train"));
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.monitor()));
        Q_EMIT panel->conditionsView()->doubleClicked(panel->conditions()->index(1, 0));
        QCOMPARE(analyses.count(), 1);
        QVERIFY(analyses.first().first().toString().endsWith(QStringLiteral("/runs/analyze-train-k2/analysis.h5")));
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.neurons()));
    }
};

QTEST_MAIN(TestGuiStudy)
#include "test_gui_study.moc"
