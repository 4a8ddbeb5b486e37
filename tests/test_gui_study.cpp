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

#include "qcp.h"

#include <QApplication>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStyleOptionButton>
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

        // Edit the value in the grid form: the text follows. A second axis gives the figure's lines.
        panel->gridTable()->item(0, 1)->setText(QStringLiteral("[2, 3]"));
        QVERIFY(panel->studyText().contains(QStringLiteral("analyze.k: [2, 3]")));
        panel->addAxis(QStringLiteral("analyze.layer"), QStringLiteral("[layer1, layer2]"));
        QSignalSpy planned(panel, &StudyPanel::planned);
        panel->plan();
        QTRY_COMPARE(planned.count(), 1);
        QCOMPARE(planned.first().first().toInt(), 5); // train + 2 x 2 analyses
        QVERIFY(panel->planView()->toPlainText().contains(QStringLiteral("analyze-train-k3-layer2")));
        // The figure's choices come from the plan's axes; lines default to the other axis.
        QCOMPARE(panel->figureXBox()->count(), 2);
        QCOMPARE(panel->figureXBox()->currentData().toString(), QStringLiteral("analyze.k"));
        QCOMPARE(panel->figureHueBox()->currentData().toString(), QStringLiteral("analyze.layer"));

        // Launch through the job queue; the table fills from the run folders.
        QSignalSpy queued(panel, &StudyPanel::runQueued);
        QSignalSpy finished(window.jobs(), &JobQueueModel::jobFinished);
        panel->run();
        QTRY_COMPARE(queued.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
        QCOMPARE(finished.first().at(1).value<repalign::RunState>(), repalign::RunState::Finished);
        panel->refresh();
        QTRY_COMPARE(panel->conditions()->rowCount(), 5);
        QTRY_COMPARE(panel->conditions()->item(4, 2)->text(), QStringLiteral("finished"));
        for (int r = 0; r < 5; ++r)
            QCOMPARE(panel->conditions()->item(r, 2)->text(), QStringLiteral("finished"));
        QCOMPARE(panel->conditions()->item(0, 0)->text(), QStringLiteral("train"));

        // The study figure follows the finished analyses (built off the UI thread): one line per
        // layer, a point per k, with CIs around the means; the table compares the same analyses.
        QTRY_VERIFY(panel->figure()->graphCount() == 2 && panel->figure()->graph(1)->dataCount() == 2);
        for (int g = 0; g < 2; ++g) {
            QCOMPARE(panel->figure()->graph(g)->dataCount(), 2);
            QVERIFY(panel->figure()->graph(g)->name().startsWith(QStringLiteral("analyze.layer = layer")));
        }
        QVERIFY(panel->comparisonText(QStringLiteral("csv")).contains(QStringLiteral("analyze-train-k3-layer2")));
        // Accuracy on a second axis: one more line per hue.
        QSignalSpy figures(panel, &StudyPanel::figureUpdated);
        panel->figureY2Box()->setCurrentIndex(1);
        QTRY_COMPARE(figures.count(), 1);
        QCOMPARE(panel->figure()->graphCount(), 4);
        QVERIFY(panel->figure()->yAxis2->visible());
        panel->figureY2Box()->setCurrentIndex(0);
        panel->figureHueBox()->setCurrentIndex(0); // (none): k alone, the layers pooled
        QTRY_VERIFY(panel->figure()->graphCount() == 1);
        QCOMPARE(panel->figure()->graph(0)->dataCount(), 2);
        // It exports like the other figures.
        const QString png = QString::fromStdString(dir + "/study-figure.png");
        panel->exportFigure(png, FigurePreset::OneColumn, 150);
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.width(), 525); // 3.5 in at 150 dpi

        // Opening: a run goes to Monitor, an analysis to Neurons.
        QSignalSpy runs(panel, &StudyPanel::openRunRequested);
        QSignalSpy analyses(panel, &StudyPanel::openAnalysisRequested);
        Q_EMIT panel->conditionsView()->doubleClicked(panel->conditions()->index(0, 0));
        QCOMPARE(runs.count(), 1);
        QCOMPARE(runs.first().first().toString(), QString::fromStdString(dir + "/study/runs/train"));
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.monitor()));
        Q_EMIT panel->conditionsView()->doubleClicked(panel->conditions()->index(1, 0));
        QCOMPARE(analyses.count(), 1);
        QVERIFY(analyses.first().first().toString().endsWith(QStringLiteral("/runs/analyze-train-k2-layer1/analysis.h5")));
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.neurons()));
    }

    void examplesOpen()
    {
        // The shipped studies are offered; choosing one saves a copy and loads it, and it plans.
        const QStringList examples = StudyPanel::exampleStudies();
        QVERIFY2(examples.contains(QStringLiteral("example-study.yaml")), qPrintable(examples.join(QLatin1Char(' '))));
        QVERIFY(examples.contains(QStringLiteral("rehearsal-study.yaml")));
        const std::string dir = testutil::tempDir("gui-study-example");
        StudyPanel panel(nullptr);
        const QString copy = QString::fromStdString(dir + "/rehearsal-study.yaml");
        panel.openExample(QStringLiteral("rehearsal-study.yaml"), copy);
        QTRY_VERIFY(panel.studyText().contains(QStringLiteral("tune.rehearsal.weight: [0, 0.5]")));
        QCOMPARE(panel.studyFile(), copy);
        QCOMPARE(panel.studyFolder(), QString::fromStdString(dir + "/rehearsal-study"));
        QCOMPARE(panel.axisCount(), 2);
        QSignalSpy planned(&panel, &StudyPanel::planned);
        panel.plan();
        QTRY_COMPARE(planned.count(), 1);
        QCOMPARE(planned.first().first().toInt(), 1 + 4 + 5);
    }

    void examplesButtonShowsItsText()
    {
        // The Examples button leaves room for its menu arrow beside the text (a tool button's
        // InstantPopup arrow was drawn over it). The tab at 1280x800 is saved to
        // $REPALIGN_SCREENSHOTS for a look by eye.
        MainWindow window;
        window.resize(1280, 800);
        auto* panel = window.findChild<StudyPanel*>();
        QVERIFY(panel);
        window.tabs()->setCurrentWidget(panel);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* examples = panel->findChild<QPushButton*>(QStringLiteral("studyExamples"));
        QVERIFY(examples && examples->menu());
        QCOMPARE(examples->menu()->actions().size(), StudyPanel::exampleStudies().size());
        QStyleOptionButton option;
        option.initFrom(examples);
        option.features |= QStyleOptionButton::HasMenu;
        const int arrow = examples->style()->pixelMetric(QStyle::PM_MenuButtonIndicator, &option, examples);
        const int text = examples->fontMetrics().horizontalAdvance(examples->text());
        QVERIFY2(examples->width() >= text + arrow,
            qPrintable(QStringLiteral("width %1, text %2, arrow %3").arg(examples->width()).arg(text).arg(arrow)));
        const QString shots = qEnvironmentVariable("REPALIGN_SCREENSHOTS");
        if (!shots.isEmpty())
            QVERIFY(window.grab().save(shots + QStringLiteral("/study-1280x800.png")));
    }

    void zipGroupsRoundTrip()
    {
        // Zip two axes in the grid form: the text gets the zip block the CLI reads, the plan
        // follows at once, and unequal lengths are the CLI's one line.
        const std::string dir = testutil::tempDir("gui-study-zip");
        StudyPanel panel(nullptr);
        panel.setStudyFolder(QString::fromStdString(dir + "/study"));
        panel.setStudyText(QString::fromStdString(tinyStudy()));
        panel.addAxis(QStringLiteral("analyze.k"), QStringLiteral("[2, 3]"));
        panel.addAxis(QStringLiteral("analyze.layer"), QStringLiteral("[layer1, layer2]"));
        QSignalSpy planned(&panel, &StudyPanel::planned);
        QSignalSpy failed(&panel, &StudyPanel::failed);
        panel.zipAxes({0, 1});
        QCOMPARE(panel.gridTable()->item(0, 2)->text(), QStringLiteral("1"));
        QCOMPARE(panel.gridTable()->item(1, 2)->text(), QStringLiteral("1"));
        QVERIFY2(panel.studyText().endsWith(QStringLiteral("grid:\n  analyze.k: [2, 3]\n  analyze.layer: [layer1, layer2]\n"
                                                           "zip:\n  - [analyze.k, analyze.layer]\n")),
            qPrintable(panel.studyText()));
        QTRY_COMPARE(planned.count(), 1);
        QCOMPARE(planned.last().first().toInt(), 3); // train + 2 zipped analyses (not 2 x 2)
        QVERIFY(panel.planView()->toPlainText().contains(QStringLiteral("analyze-train-k3-layer2")));
        QVERIFY(!panel.planView()->toPlainText().contains(QStringLiteral("analyze-train-k3-layer1")));

        // The CLI reads the same text the same way.
        const std::string file = dir + "/zipped.yaml";
        testutil::writeText(file, panel.studyText().toStdString());
        std::string out;
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " study plan " + file + " --out " + dir + "/cli 2>&1", &out), 0);
        QVERIFY2(out.find("(zipped with analyze.k, analyze.layer)") != std::string::npos, out.c_str());
        QVERIFY(out.find("3 runs") != std::string::npos);

        // Unequal lengths: the study parser's one line at once (the preview follows the edit).
        panel.gridTable()->item(1, 1)->setText(QStringLiteral("[layer1, layer2, layer3]"));
        QTRY_COMPARE(failed.count(), 1);
        const QString error = failed.last().first().toString();
        QVERIFY2(error.contains(QStringLiteral("zipped axes 'analyze.k' (2 values) and 'analyze.layer' (3 values) must have the "
                                               "same length")),
            qPrintable(error));
        QVERIFY(!error.contains(QLatin1Char('\n')));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(dir + "/study")));

        // A file with a zip block shows its groups in the form; unzipping removes the block.
        panel.setStudyText(QString::fromStdString(tinyStudy()
            + "grid:\n  analyze.k: [2, 3]\n  seed: [0, 1]\n  analyze.layer: [layer1, layer2]\nzip:\n  - [analyze.layer, "
              "analyze.k]\n"));
        QCOMPARE(panel.axisCount(), 3);
        QCOMPARE(panel.gridTable()->item(0, 2)->text(), QStringLiteral("1"));
        QCOMPARE(panel.gridTable()->item(1, 2)->text(), QString());
        QCOMPARE(panel.gridTable()->item(2, 2)->text(), QStringLiteral("1"));
        // An edit elsewhere keeps the group as the file had it (the form's row order).
        panel.gridTable()->item(1, 1)->setText(QStringLiteral("[0, 1, 2]"));
        QVERIFY2(
            panel.studyText().endsWith(QStringLiteral("zip:\n  - [analyze.k, analyze.layer]\n")), qPrintable(panel.studyText()));
        panel.unzipAxes({0, 2});
        QVERIFY(!panel.studyText().contains(QStringLiteral("zip:")));
        QVERIFY(panel.studyText().contains(QStringLiteral("  seed: [0, 1, 2]\n")));
    }
};

QTEST_MAIN(TestGuiStudy)
#include "test_gui_study.moc"
