// The in-app psychophysics runner (widgets/psychrunnerdialog.*), driven by keys and clicks as a
// participant would: instructions, practice with feedback, main and catch trials in the order
// and on the sides of participantSchedule, confidence ratings, breaks, Esc to pause and to quit;
// the results CSV (writeResponsesCsv, source "inapp") checked row by row, and a participant who
// quit halfway continuing where they stopped.
#include "psychrunnerdialog.h"
#include "testutil.h"

#include "common/fsutil.h"
#include "psych/psych.h"
#include "psych/psych_internal.h"

#include <QDir>
#include <QImage>
#include <QLineEdit>
#include <QPushButton>
#include <QtTest>

using namespace repalign;
using namespace repalign::gui;
using Stage = PsychRunnerDialog::Stage;

namespace {

/// A plan as `psych plan` writes it (plan.json through the core's own writer, PNG images):
/// 2 practice, 6 main and 2 catch trials of two models, k = 3, 32x32 flat-colour images.
void writePlan(const std::string& dir, bool missingImage = false)
{
    QDir().mkpath(QString::fromStdString(dir + "/img"));
    psych::PsychPlan plan;
    plan.seed = 1234;
    plan.k = 3;
    plan.catchThreshold = 0.75;
    plan.models = {{"A", "a.h5", "resnet18", "a.pt", "layer4"}, {"B", "b.h5", "resnet18", "b.pt", "layer4"}};
    int image = 0;
    auto next = [&](double activation) {
        psych::PsychImage im;
        im.file = "img/" + std::to_string(1000 + image).substr(1) + ".png";
        im.datasetIndex = image;
        im.activation = activation;
        QImage png(32, 32, QImage::Format_RGB32);
        png.fill(QColor::fromHsv((image * 37) % 360, 200, activation > 0 ? 230 : 90));
        for (int y = 0; y < 32; y += 4) // a pattern, so scaling is visible
            for (int x = (y / 4) % 2 * 4; x < 32; x += 8)
                png.setPixel(x, y, qRgb(255, 255, 255));
        if (!(missingImage && image == 5))
            png.save(QString::fromStdString(dir + "/" + im.file));
        ++image;
        return im;
    };
    const char* kinds[] = {"practice", "practice", "main", "main", "main", "main", "catch", "main", "main", "catch"};
    for (int t = 0; t < 10; ++t) {
        psych::PsychTrial trial;
        trial.kind = psych::parseTrialKind(kinds[t]);
        trial.id = std::string(kinds[t]) + "-" + std::to_string(t);
        trial.model = t % 2;
        trial.unit = 10 + t;
        for (int r = 0; r < plan.k; ++r)
            trial.maxRefs.push_back(next(5.0 - r));
        for (int r = 0; r < plan.k; ++r)
            trial.minRefs.push_back(next(-1.0 - r));
        trial.queryMax = next(4.5);
        trial.queryMin = next(-0.5);
        plan.trials.push_back(trial);
    }
    testutil::writeText(dir + "/plan.json", psych::planJson(plan));
}

struct Row {
    std::string participant, trialId, correctSide, response, correct, source;
    int position = -1, confidence = 0;
    double rt = 0, confidenceRt = 0;
};

std::vector<Row> readRows(const QString& path)
{
    std::vector<Row> out;
    const auto rows = psych::parseCsv(readFileText(path.toStdString()), path.toStdString());
    if (rows.empty())
        return out;
    std::map<std::string, std::size_t> col;
    for (std::size_t i = 0; i < rows[0].size(); ++i)
        col[rows[0][i]] = i;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& v = rows[r];
        Row x;
        x.participant = v.at(col.at("participant"));
        x.trialId = v.at(col.at("trial_id"));
        x.position = std::stoi(v.at(col.at("position")));
        x.correctSide = v.at(col.at("correct_side"));
        x.response = v.at(col.at("response"));
        x.correct = v.at(col.at("correct"));
        x.confidence = std::stoi(v.at(col.at("confidence")));
        x.rt = std::stod(v.at(col.at("rt")));
        x.confidenceRt = std::stod(v.at(col.at("confidence_rt")));
        x.source = v.at(col.at("source"));
        out.push_back(x);
    }
    return out;
}

/// What the test answered at each position: the side chosen and the confidence.
struct Answer {
    bool left = true;
    int confidence = 1;
};

} // namespace

class TestPsychRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void wholeExperiment();
    void quitHalfwayAndResume();
    void escPausesAndContinues();
    void refusals();
    void layout_data();
    void layout();

private:
    /// Opens the runner on the plan for @p id and presses Start; returns at the first screen.
    void startDialog(PsychRunnerDialog& dialog, const QString& id);
    /// Answers until @p stopAfter answers were given this session (or the end): the correct side
    /// unless position % 3 == 1, confidence 1 + position % 3; keys F/J, arrows and clicks in turn.
    void answer(PsychRunnerDialog& dialog, int stopAfter, std::map<int, Answer>& given, int* breaks = nullptr);

    std::string m_dir;
    QString m_plan;
    psych::PsychPlan m_planData;
};

void TestPsychRunner::initTestCase()
{
    m_dir = testutil::tempDir("psychrunner");
    writePlan(m_dir + "/exp");
    m_plan = QString::fromStdString(m_dir + "/exp");
    m_planData = psych::readPlan(m_plan.toStdString());
}

void TestPsychRunner::startDialog(PsychRunnerDialog& dialog, const QString& id)
{
    dialog.setTimings(5, 5);
    dialog.setPauseEvery(3);
    dialog.resize(1100, 720);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTRY_VERIFY(dialog.planReady());
    dialog.participantEdit()->clear();
    QTest::keyClicks(dialog.participantEdit(), id);
    QVERIFY(dialog.startButton()->isEnabled());
    QTest::mouseClick(dialog.startButton(), Qt::LeftButton);
    QTRY_VERIFY(dialog.stage() != Stage::Loading);
}

void TestPsychRunner::answer(PsychRunnerDialog& dialog, int stopAfter, std::map<int, Answer>& given, int* breaks)
{
    const auto schedule = psych::participantSchedule(m_planData, dialog.participantEdit()->text().toStdString());
    int answered = 0, turn = 0;
    while (answered < stopAfter) {
        QTRY_VERIFY(dialog.stage() == Stage::Choice || dialog.stage() == Stage::Instructions || dialog.stage() == Stage::Break
            || dialog.stage() == Stage::Finished);
        if (dialog.stage() == Stage::Finished)
            return;
        if (dialog.stage() != Stage::Choice) {
            if (dialog.stage() == Stage::Break && breaks)
                ++*breaks;
            QTest::keyClick(&dialog, Qt::Key_Space);
            continue;
        }
        const int pos = dialog.position();
        const bool correctOnLeft = schedule[static_cast<std::size_t>(pos)].correctOnLeft;
        const bool left = pos % 3 == 1 ? !correctOnLeft : correctOnLeft;
        switch (turn++ % 3) {
        case 0:
            QTest::keyClick(&dialog, left ? Qt::Key_F : Qt::Key_J);
            break;
        case 1:
            QTest::keyClick(&dialog, left ? Qt::Key_Left : Qt::Key_Right);
            break;
        default:
            QTest::mouseClick(dialog.canvas(), Qt::LeftButton, {}, dialog.queryRect(left).center());
        }
        QCOMPARE(dialog.stage(), Stage::Confidence);
        // Keys of the other phase do nothing.
        QTest::keyClick(&dialog, Qt::Key_F);
        QCOMPARE(dialog.stage(), Stage::Confidence);
        const int confidence = 1 + pos % 3;
        if (turn % 2)
            QTest::keyClick(&dialog, static_cast<Qt::Key>(Qt::Key_0 + confidence));
        else
            QTest::mouseClick(dialog.canvas(), Qt::LeftButton, {}, dialog.confidenceRect(confidence).center());
        QVERIFY(dialog.stage() != Stage::Confidence);
        if (m_planData.trials[static_cast<std::size_t>(schedule[static_cast<std::size_t>(pos)].trial)].kind
            == psych::TrialKind::Practice)
            QCOMPARE(dialog.stage(), Stage::Feedback); // feedback only for practice
        else
            QVERIFY(dialog.stage() != Stage::Feedback);
        given[pos] = Answer {left, confidence};
        ++answered;
    }
}

void TestPsychRunner::wholeExperiment()
{
    PsychRunnerDialog dialog(m_plan);
    startDialog(dialog, QStringLiteral("p01"));
    QCOMPARE(dialog.stage(), Stage::Instructions);
    QVERIFY2(dialog.screenText().contains(QStringLiteral("practice")), qPrintable(dialog.screenText()));
    QCOMPARE(dialog.total(), 10);
    std::map<int, Answer> given;
    int breaks = 0;
    answer(dialog, 100, given, &breaks);
    QTRY_COMPARE(dialog.stage(), Stage::Finished);
    QVERIFY(dialog.screenText().contains(QStringLiteral("Thank you")));
    QCOMPARE(breaks, 2); // after main/catch trials 3 and 6 of 8 (not at the end)
    QCOMPARE(dialog.resultsPath(), m_plan + QStringLiteral("/results/inapp-p01.csv"));
    dialog.flushResults();

    const auto schedule = psych::participantSchedule(m_planData, "p01");
    const auto rows = readRows(dialog.resultsPath());
    QCOMPARE(rows.size(), schedule.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        const auto& s = schedule[i];
        const psych::PsychTrial& t = m_planData.trials[static_cast<std::size_t>(s.trial)];
        const QByteArray where = QByteArray("row ") + QByteArray::number(static_cast<int>(i));
        QVERIFY2(r.position == static_cast<int>(i), where);
        QVERIFY2(r.participant == "p01", where);
        QVERIFY2(r.source == "inapp", where);
        QVERIFY2(r.trialId == t.id, where + " " + QByteArray::fromStdString(r.trialId));
        QVERIFY2(r.correctSide == (s.correctOnLeft ? "left" : "right"), where);
        const Answer& a = given.at(static_cast<int>(i));
        QVERIFY2(r.response == (a.left ? "left" : "right"), where);
        QVERIFY2(r.correct == (a.left == s.correctOnLeft ? "1" : "0"), where);
        QVERIFY2(r.correct == (i % 3 == 1 ? "0" : "1"), where);
        QVERIFY2(r.confidence == a.confidence, where);
        QVERIFY2(r.rt > 0 && r.confidenceRt > 0, where);
        if (i < 2)
            QVERIFY2(t.kind == psych::TrialKind::Practice, where); // practice first
    }
}

void TestPsychRunner::quitHalfwayAndResume()
{
    std::map<int, Answer> given;
    QString path;
    {
        PsychRunnerDialog dialog(m_plan);
        startDialog(dialog, QStringLiteral("p02"));
        answer(dialog, 4, given); // the two practice trials and two main trials
        QTRY_VERIFY(dialog.stage() == Stage::Choice || dialog.stage() == Stage::Instructions);
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QCOMPARE(dialog.stage(), Stage::Paused);
        QVERIFY(dialog.isVisible());
        QTest::keyClick(&dialog, Qt::Key_Q);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        path = dialog.resultsPath();
    }
    auto rows = readRows(path);
    QCOMPARE(rows.size(), std::size_t(4));
    for (int i = 0; i < 4; ++i)
        QCOMPARE(rows[static_cast<std::size_t>(i)].position, i);
    const auto before = rows;

    PsychRunnerDialog again(m_plan);
    startDialog(again, QStringLiteral("p02"));
    QCOMPARE(again.stage(), Stage::Instructions);
    QVERIFY2(again.screenText().contains(QStringLiteral("4 of 10")), qPrintable(again.screenText()));
    QVERIFY(!again.screenText().contains(QStringLiteral("practice trials")));
    QCOMPARE(again.position(), 4); // practice is not repeated
    QTest::keyClick(&again, Qt::Key_Space);
    QCOMPARE(again.stage(), Stage::Choice);
    QCOMPARE(again.position(), 4);
    answer(again, 100, given);
    QTRY_COMPARE(again.stage(), Stage::Finished);
    again.flushResults();
    rows = readRows(path);
    QCOMPARE(rows.size(), std::size_t(10));
    const auto schedule = psych::participantSchedule(m_planData, "p02");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows[i].position, static_cast<int>(i));
        QCOMPARE(rows[i].trialId, m_planData.trials[static_cast<std::size_t>(schedule[i].trial)].id);
        QCOMPARE(rows[i].response, std::string(given.at(static_cast<int>(i)).left ? "left" : "right"));
    }
    for (std::size_t i = 0; i < before.size(); ++i) { // the first session's answers are kept as they were
        QCOMPARE(rows[i].rt, before[i].rt);
        QCOMPARE(rows[i].confidence, before[i].confidence);
    }
    // The schedule differs between participants (same plan): p01 and p02 see other orders.
    QVERIFY(psych::participantSchedule(m_planData, "p01")[5].trial != schedule[5].trial
        || psych::participantSchedule(m_planData, "p01")[6].trial != schedule[6].trial
        || psych::participantSchedule(m_planData, "p01")[7].trial != schedule[7].trial);
}

void TestPsychRunner::escPausesAndContinues()
{
    PsychRunnerDialog dialog(m_plan);
    startDialog(dialog, QStringLiteral("p03"));
    QTest::keyClick(&dialog, Qt::Key_Space);
    QCOMPARE(dialog.stage(), Stage::Choice);
    QTest::keyClick(&dialog, Qt::Key_F);
    QCOMPARE(dialog.stage(), Stage::Confidence);
    QTest::keyClick(&dialog, Qt::Key_Escape); // the unfinished trial starts again after the pause
    QCOMPARE(dialog.stage(), Stage::Paused);
    QVERIFY(dialog.screenText().contains(QStringLiteral("0 of 10")));
    QTest::keyClick(&dialog, Qt::Key_J); // nothing
    QCOMPARE(dialog.stage(), Stage::Paused);
    QTest::keyClick(&dialog, Qt::Key_Space);
    QCOMPARE(dialog.stage(), Stage::Choice);
    QCOMPARE(dialog.position(), 0);
    QTest::keyClick(&dialog, Qt::Key_J);
    QTest::keyClick(&dialog, Qt::Key_3);
    QCOMPARE(dialog.stage(), Stage::Feedback);
    dialog.flushResults();
    const auto rows = readRows(dialog.resultsPath());
    QCOMPARE(rows.size(), std::size_t(1));
    QCOMPARE(rows[0].response, std::string("right"));
    QCOMPARE(rows[0].confidence, 3);
    // Closing the window mid-experiment keeps what was answered.
    dialog.close();
    QCOMPARE(readRows(dialog.resultsPath()).size(), std::size_t(1));
}

void TestPsychRunner::refusals()
{
    {
        // A participant whose schedule is complete is not run again.
        PsychRunnerDialog dialog(m_plan);
        startDialog(dialog, QStringLiteral("p01"));
        QCOMPARE(dialog.stage(), Stage::Setup);
        QVERIFY2(dialog.setupNote().contains(QStringLiteral("answered all 10 trials")), qPrintable(dialog.setupNote()));
    }
    {
        PsychRunnerDialog dialog(m_plan);
        dialog.show();
        QTRY_VERIFY(dialog.planReady());
        dialog.setParticipant(QStringLiteral("no spaces"));
        QVERIFY(!dialog.start());
        QVERIFY2(dialog.setupNote().contains(QStringLiteral("not valid")), qPrintable(dialog.setupNote()));
        QCOMPARE(dialog.stage(), Stage::Setup);
    }
    {
        // A results file of another plan (its first trial is not this schedule's) is never mixed in.
        psych::PsychResponse other;
        other.participant = "p05";
        other.trialId = "not-in-this-plan";
        other.source = "inapp";
        other.confidence = 2;
        other.rtMs = 900;
        other.confidenceRtMs = 300;
        const std::string path = m_plan.toStdString() + "/results/inapp-p05.csv";
        psych::writeResponsesCsv(path, {other});
        const std::string before = readFileText(path);
        PsychRunnerDialog dialog(m_plan);
        startDialog(dialog, QStringLiteral("p05"));
        QCOMPARE(dialog.stage(), Stage::Setup);
        QVERIFY2(dialog.setupNote().contains(QStringLiteral("not-in-this-plan"))
                && dialog.setupNote().contains(QStringLiteral("another plan")),
            qPrintable(dialog.setupNote()));
        QCOMPARE(readFileText(path), before);
    }
    {
        // A folder with no plan says how to make one; a plan with a missing image names it.
        PsychRunnerDialog dialog(QString::fromStdString(m_dir));
        dialog.show();
        dialog.setParticipant(QStringLiteral("p09"));
        QTRY_VERIFY(
            !dialog.startButton()->isEnabled() && !dialog.start() && dialog.setupNote().contains(QStringLiteral("psych plan")));
        writePlan(m_dir + "/broken", true);
        dialog.setPlanFolder(QString::fromStdString(m_dir + "/broken"));
        QTRY_VERIFY(dialog.planReady());
        QVERIFY(dialog.start());
        QTRY_COMPARE(dialog.stage(), Stage::Setup);
        QVERIFY2(dialog.setupNote().contains(QStringLiteral("img/005.png")), qPrintable(dialog.setupNote()));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(m_dir + "/broken/results/inapp-p09.csv")));
    }
}

void TestPsychRunner::layout_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1280x800") << QSize(1280, 800);
    QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void TestPsychRunner::layout()
{
    // Every part of a trial inside the screen, images large, nothing overlapping; grabs for a look
    // by eye go to $REPALIGN_SCREENSHOTS when it is set.
    QFETCH(QSize, size);
    PsychRunnerDialog dialog(m_plan);
    dialog.setTimings(5, 5);
    dialog.resize(size);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTRY_VERIFY(dialog.planReady());
    const QString shots = qEnvironmentVariable("REPALIGN_SCREENSHOTS");
    auto grab = [&](const QString& name) {
        if (!shots.isEmpty())
            dialog.grab().save(QStringLiteral("%1/runner-%2-%3x%4.png").arg(shots, name).arg(size.width()).arg(size.height()));
    };
    dialog.setParticipant(QStringLiteral("layout"));
    grab(QStringLiteral("setup"));
    QVERIFY(dialog.start());
    QTRY_COMPARE(dialog.stage(), Stage::Instructions);
    grab(QStringLiteral("instructions"));
    QTest::keyClick(&dialog, Qt::Key_Space);
    QCOMPARE(dialog.stage(), Stage::Choice);
    QCOMPARE(dialog.canvas()->size(), size);
    const QRect screen(QPoint(0, 0), size);
    const QRect left = dialog.queryRect(true), right = dialog.queryRect(false);
    QVERIFY(screen.contains(left) && screen.contains(right));
    QVERIFY(!left.intersects(right));
    QVERIFY2(left.width() >= 96 && left.width() % 32 == 0, qPrintable(QString::number(left.width()))); // whole-pixel scale
    grab(QStringLiteral("choice"));
    QTest::keyClick(&dialog, Qt::Key_F);
    for (int c = 1; c <= 3; ++c) {
        const QRect box = dialog.confidenceRect(c);
        QVERIFY(screen.contains(box));
        QVERIFY(!box.intersects(left) && !box.intersects(right));
        if (c > 1)
            QVERIFY(!box.intersects(dialog.confidenceRect(c - 1)));
    }
    grab(QStringLiteral("confidence"));
    QTest::keyClick(&dialog, Qt::Key_2);
    QCOMPARE(dialog.stage(), Stage::Feedback);
    grab(QStringLiteral("feedback"));
    QTest::keyClick(&dialog, Qt::Key_Escape);
    grab(QStringLiteral("paused"));
    QTest::keyClick(&dialog, Qt::Key_Q);
}

QTEST_MAIN(TestPsychRunner)
#include "test_psychrunner.moc"
