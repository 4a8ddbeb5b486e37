// The exported jsPsych experiment in a real browser: headless Chromium (Debian's chromium,
// driven by playwright-core from resources/psych/node_modules through
// tests/data/psych/drive_experiment.js) answers every screen by key presses as a participant,
// the data the experiment offers for download is imported with psych import, and the order,
// sides and per-unit numbers are checked against participantSchedule and the answers chosen.
// Skipped (with the reason) where node, Chromium or the npm packages are missing or Chromium
// cannot start.
#include "common/fsutil.h"
#include "psych/psych.h"
#include "psych/psych_jobs.h"
#include "psych_fixture.h"
#include "testutil.h"

#include <QtTest>

#include <cstdlib>
#include <map>

using namespace repalign;
using namespace repalign::psych;

namespace {

std::string chromiumBinary()
{
    if (const char* c = std::getenv("CHROMIUM"); c && *c)
        return c;
    return "/usr/bin/chromium";
}

std::string shellQuote(const std::string& s)
{
    std::string out = "'";
    for (const char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

} // namespace

class TestPsychBrowser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void participantsInHeadlessChromium()
    {
        const std::string resources = psychResourceDir();
        const std::string modules = resources + "/node_modules";
        if (testutil::run("node --version") != 0)
            QSKIP("node is not installed (Debian package nodejs; packaging/install-deps-debian.sh)");
        if (testutil::run(shellQuote(chromiumBinary()) + " --version") != 0)
            QSKIP(qPrintable(QStringLiteral("Chromium cannot run (%1 --version failed; Debian package chromium)")
                                 .arg(QString::fromStdString(chromiumBinary()))));
        if (!fileExists(modules + "/playwright-core/package.json") || !fileExists(modules + "/jspsych/package.json"))
            QSKIP(qPrintable(QStringLiteral("%1 lacks jspsych or playwright-core: run packaging/install-deps-debian.sh (npm ci)")
                                 .arg(QString::fromStdString(modules))));

        const std::string dir = testutil::tempDir("psych-browser");
        psychfixture::writeAnalysis(dir + "/base.h5", 0, 6, 3);
        psychfixture::writeAnalysis(dir + "/tuned.h5", 1, 6, 3);
        PlanOptions po;
        po.analyses = {dir + "/base.h5", dir + "/tuned.h5"};
        po.units = 4;
        po.catchTrials = 2;
        po.practiceTrials = 2;
        po.seed = 99;
        po.outDir = dir + "/exp";
        NullSink sink;
        CancelToken cancel;
        buildPlan(po, sink, cancel);
        const PsychPlan plan = readPlan(po.outDir);
        ExportOptions eo;
        eo.experimentDir = po.outDir;
        eo.out = dir + "/web";
        exportExperiment(eo);

        const std::string driver = std::string(REPALIGN_SOURCE_DIR) + "/tests/data/psych/drive_experiment.js";
        std::vector<std::string> files;
        for (const std::string id : {"alice", "P-042"}) {
            const std::string out = dir + "/" + id + ".csv";
            std::string log;
            const int rc = testutil::run("NODE_PATH=" + shellQuote(modules) + " CHROMIUM=" + shellQuote(chromiumBinary())
                    + " timeout 300 node " + shellQuote(driver) + " " + shellQuote(eo.out + "/index.html") + " " + id + " "
                    + shellQuote(out),
                &log);
            if (rc != 0 && log.find("drive_experiment: cannot start Chromium") != std::string::npos)
                QSKIP(qPrintable(QStringLiteral("Chromium cannot start here: %1").arg(QString::fromStdString(log))));
            QVERIFY2(rc == 0, log.c_str());
            QVERIFY2(log.find("answered " + std::to_string(plan.trials.size()) + " trials") != std::string::npos, log.c_str());
            files.push_back(out);
        }

        // the browser's order and sides are participantSchedule's; the answers are the driver's rule
        std::map<std::string, int> trialIndex;
        for (std::size_t i = 0; i < plan.trials.size(); ++i)
            trialIndex[plan.trials[i].id] = static_cast<int>(i);
        std::map<std::pair<int, std::int64_t>, std::pair<std::int64_t, std::int64_t>> expected;
        for (std::size_t f = 0; f < files.size(); ++f) {
            const std::string id = f == 0 ? "alice" : "P-042";
            const auto responses = readResponses(files[f]);
            QCOMPARE(responses.size(), plan.trials.size());
            const auto schedule = participantSchedule(plan, id);
            for (const PsychResponse& r : responses) {
                QCOMPARE(r.participant, id);
                QCOMPARE(r.source, std::string("jspsych"));
                const Presentation& p = schedule[static_cast<std::size_t>(r.position)];
                QCOMPARE(plan.trials[static_cast<std::size_t>(p.trial)].id, r.trialId);
                QCOMPARE(r.correctOnLeft, p.correctOnLeft);
                QCOMPARE(r.confidence, r.position % 3 + 1);
                QVERIFY(r.rtMs >= 0);
                const PsychTrial& t = plan.trials[static_cast<std::size_t>(trialIndex[r.trialId])];
                const bool choseLeft = t.kind == TrialKind::Catch ? p.correctOnLeft : r.position % 2 == 0;
                QCOMPARE(r.choseLeft, choseLeft);
                QCOMPARE(r.correct, choseLeft == p.correctOnLeft);
                if (t.kind == TrialKind::Main) {
                    auto& e = expected[{t.model, t.unit}];
                    ++e.first;
                    e.second += r.correct;
                }
            }
        }

        ImportOptions io;
        io.experimentDir = po.outDir;
        io.results = files;
        io.resamples = 500;
        io.out = dir + "/result.h5";
        importResults(io);
        const PsychSummary s = readPsychSummary(io.out);
        QCOMPARE(s.source, std::string("human"));
        QCOMPARE(s.participants, (std::vector<std::string> {"P-042", "alice"}));
        QCOMPARE(s.participantExcluded, (std::vector<std::uint8_t> {0, 0})); // the driver answers catch trials right
        QCOMPARE(s.participantCatchAccuracy, (std::vector<double> {1.0, 1.0}));
        QCOMPARE(s.unitModel.size(), expected.size());
        for (std::size_t u = 0; u < s.unitModel.size(); ++u) {
            const auto& e = expected.at({static_cast<int>(s.unitModel[u]), s.unitIndex[u]});
            QCOMPARE(s.unitTrials[u], e.first);
            QCOMPARE(s.unitCorrect[u], e.second);
            QCOMPARE(s.unitAccuracy[u], static_cast<double>(e.second) / static_cast<double>(e.first));
        }
    }
};

QTEST_GUILESS_MAIN(TestPsychBrowser)
#include "test_psych_browser.moc"
