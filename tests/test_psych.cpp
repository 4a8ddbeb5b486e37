// Human psychophysics (core/psych): the plan from two analyses, schedules (the same as the
// shipped experiment.js, tests/data/psych/schedule_reference.txt from gen_schedule_reference.js),
// blinding, the jsPsych folder and JATOS .jzip, the simulated LPIPS observer, import of every
// source, exclusion, malformed files, and the statistics (tests/data/psych/stats_reference.txt
// from gen_reference.py: scipy.stats.spearmanr and the Wilson formula).
#include "common/error.h"
#include "common/fsutil.h"
#include "data/dataset.h"
#include "interpret/lpips.h"
#include "io/h5.h"
#include "psych/json.h"
#include "psych/psych.h"
#include "psych/psych_internal.h"
#include "psych/psych_jobs.h"
#include "psych/psych_stats.h"
#include "psych/zip.h"
#include "psych_fixture.h"
#include "run/dataspec.h"
#include "testutil.h"

#include <QtTest>

#include <QImage>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

using namespace repalign;
using namespace repalign::psych;
using psychfixture::activationOf;
using psychfixture::kData;
using psychfixture::writeAnalysis;

namespace {

std::map<std::string, double> loadValues()
{
    std::map<std::string, double> v;
    std::ifstream in(std::string(REPALIGN_TEST_DATA) + "/psych/stats_reference.txt");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string kind, name;
        ls >> kind >> name;
        if (kind == "value")
            ls >> v[name];
    }
    return v;
}

std::vector<double> loadArray(const std::string& name)
{
    std::ifstream in(std::string(REPALIGN_TEST_DATA) + "/psych/stats_reference.txt");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string kind, n;
        ls >> kind >> n;
        if (kind == "array" && n == name) {
            std::vector<double> out;
            double x;
            while (ls >> x)
                out.push_back(x);
            return out;
        }
    }
    return {};
}

template <class F> QString errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

std::vector<std::int64_t> rankedColumn(int model, std::int64_t units, std::int64_t unit, bool descending)
{
    const ImageDataset d = loadDataset(kData, Split::Test);
    std::vector<std::int64_t> order(static_cast<std::size_t>(d.count));
    std::iota(order.begin(), order.end(), 0);
    std::vector<float> col(static_cast<std::size_t>(d.count));
    for (std::int64_t i = 0; i < d.count; ++i)
        col[static_cast<std::size_t>(i)] = static_cast<float>(activationOf(model, i, unit));
    (void)units;
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
        return descending ? col[static_cast<std::size_t>(a)] > col[static_cast<std::size_t>(b)]
                          : col[static_cast<std::size_t>(a)] < col[static_cast<std::size_t>(b)];
    });
    return order;
}

PsychResponse answer(const std::string& participant, const PsychTrial& t, int position, bool correct, int confidence = 2)
{
    PsychResponse r;
    r.participant = participant;
    r.trialId = t.id;
    r.source = "inapp";
    r.position = position;
    r.correctOnLeft = position % 2 == 0;
    r.choseLeft = correct ? r.correctOnLeft : !r.correctOnLeft;
    r.correct = correct;
    r.confidence = confidence;
    r.rtMs = 900 + position;
    r.confidenceRtMs = 300;
    return r;
}

bool runtimeAvailable()
{
    return fileExists(psychResourceDir() + "/node_modules/jspsych/dist/index.browser.min.js");
}

} // namespace

class TestPsych : public QObject {
    Q_OBJECT
    std::string m_dir, m_exp;
    PsychPlan m_plan;

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = testutil::tempDir("psych");
        writeAnalysis(m_dir + "/base.h5", 0, 6, 3);
        writeAnalysis(m_dir + "/tuned.h5", 1, 6, 3);
        PlanOptions o;
        o.analyses = {m_dir + "/base.h5", m_dir + "/tuned.h5"};
        o.units = 4;
        o.catchTrials = 2;
        o.practiceTrials = 2;
        o.seed = 7;
        o.outDir = m_exp = m_dir + "/exp";
        NullSink sink;
        CancelToken cancel;
        const PlanResult r = buildPlan(o, sink, cancel);
        m_plan = readPlan(m_exp);
        QCOMPARE(r.plan.trials.size(), m_plan.trials.size());
        // model 1's unit 5 is constant: skipped with a note
        QVERIFY(std::any_of(
            r.notes.begin(), r.notes.end(), [](const std::string& n) { return n.find("1 units skipped") != std::string::npos; }));
    }

    void wilsonMatchesTheFormula()
    {
        const auto v = loadValues();
        for (const auto& kn : std::vector<std::pair<int, int>> {{8, 10}, {0, 10}, {10, 10}, {37, 64}, {1, 3}}) {
            const Interval ci = wilsonInterval(kn.first, kn.second);
            const std::string key = "wilson_" + std::to_string(kn.first) + "_" + std::to_string(kn.second);
            QVERIFY(std::fabs(ci.low - v.at(key + "_low")) < 1e-12);
            QVERIFY(std::fabs(ci.high - v.at(key + "_high")) < 1e-12);
        }
        // the textbook value for 8 of 10
        QVERIFY(std::fabs(wilsonInterval(8, 10).low - 0.4902) < 1e-4);
        QVERIFY(std::fabs(wilsonInterval(8, 10).high - 0.9433) < 1e-4);
        QVERIFY(std::isnan(wilsonInterval(0, 0).low));
    }

    void spearmanMatchesScipy()
    {
        const auto v = loadValues();
        const Correlation c = spearman(loadArray("x"), loadArray("y"), 2000, 1);
        QVERIFY(std::fabs(c.rho - v.at("spearman_rho")) < 1e-12);
        QVERIFY(std::fabs(c.p - v.at("spearman_p")) < 1e-9 * v.at("spearman_p"));
        QVERIFY(c.low < c.rho && c.rho < c.high);
        QVERIFY(c.low >= -1 && c.high <= 1);
        QVERIFY(std::isnan(spearman({1, 2}, {3, 4}, 100, 1).rho)); // too few
        QVERIFY(std::isnan(spearman({1, 2, 3, 4}, {5, 5, 5, 5}, 100, 1).rho)); // constant
    }

    void signFlipByHand()
    {
        bool exact = false;
        // three equal positive differences: 2 of 8 sign patterns reach |sum| = 3
        QCOMPARE(signFlipP({1, 1, 1}, 1000, 1, &exact), 0.25);
        QVERIFY(exact);
        // {2, 1}: patterns +2+1=3, -2+1=-1, 2-1=1, -3 -> |s| >= 3 twice
        QCOMPARE(signFlipP({2, 1}, 1000, 1), 0.5);
        QCOMPARE(signFlipP({0, 0}, 1000, 1), 1.0);
        std::vector<double> many(20, 0.1);
        const double p = signFlipP(many, 20000, 3, &exact);
        QVERIFY(!exact);
        QVERIFY(p > 0 && p < 0.001); // exact value 2/2^20; Monte-Carlo floor 1/20001
    }

    void jsonReader()
    {
        const JsonValue v = parseJson("{\"a\": [1, 2.5e1, -3], \"b\": \"x\\\"\\u00e9\", \"c\": null, \"d\": true}", "t");
        QCOMPARE(v.find("a")->items.size(), std::size_t(3));
        QCOMPARE(v.find("a")->items[1].number, 25.0);
        QCOMPARE(v.find("b")->text, std::string("x\"\xC3\xA9"));
        QVERIFY(v.find("c")->isNull());
        const QString e = errorOf([] { parseJson("{\n  \"a\": [1, 2,\n}", "f.json"); });
        QVERIFY2(e.startsWith(QStringLiteral("f.json: invalid JSON at line 3, column 1")), qPrintable(e));
        QCOMPARE(parseJsonSequence("[1]\n[2, 3]\n", "t").size(), std::size_t(2));
    }

    void planLayout()
    {
        const PsychPlan& p = m_plan;
        QCOMPARE(p.seed, std::uint64_t(7));
        QCOMPARE(p.k, 3);
        QCOMPARE(p.models.size(), std::size_t(2));
        QVERIFY((p.models[0].label == "A" && p.models[1].label == "B") || (p.models[0].label == "B" && p.models[1].label == "A"));
        QCOMPARE(p.models[1].model, std::string("resnet18-tuned"));
        int counts[3] = {0, 0, 0};
        for (const PsychTrial& t : p.trials)
            ++counts[static_cast<int>(t.kind)];
        QCOMPARE(counts[0], 2);
        QCOMPARE(counts[1], 8);
        QCOMPARE(counts[2], 2);
        QVERIFY(p.trials[0].kind == TrialKind::Practice && p.trials[1].kind == TrialKind::Practice);
        const ImageDataset d = loadDataset(kData, Split::Test);
        std::set<std::pair<int, std::int64_t>> mainUnits;
        for (const PsychTrial& t : p.trials) {
            QCOMPARE(t.maxRefs.size(), std::size_t(3));
            QCOMPARE(t.minRefs.size(), std::size_t(3));
            const auto top = rankedColumn(t.model, 6, t.unit, true);
            const auto bottom = rankedColumn(t.model, 6, t.unit, false);
            for (int j = 0; j < 3; ++j) {
                QCOMPARE(t.maxRefs[static_cast<std::size_t>(j)].datasetIndex, top[static_cast<std::size_t>(j)]);
                QCOMPARE(t.minRefs[static_cast<std::size_t>(j)].datasetIndex, bottom[static_cast<std::size_t>(j)]);
            }
            QCOMPARE(t.queryMin.datasetIndex, bottom[3]); // held out: rank k+1
            if (t.kind == TrialKind::Catch) {
                QCOMPARE(t.queryMax.file, t.maxRefs[0].file); // the obvious answer
            } else {
                QCOMPARE(t.queryMax.datasetIndex, top[3]);
                for (const auto& r : t.maxRefs)
                    QVERIFY(r.file != t.queryMax.file);
            }
            if (t.kind == TrialKind::Main)
                QVERIFY(mainUnits.insert({t.model, t.unit}).second);
            QVERIFY(!(t.model == 1 && t.unit == 5)); // the constant unit
            QVERIFY(std::isfinite(t.iiLpips));
            QVERIFY(std::fabs(t.iiLpips - (0.1 + 0.05 * static_cast<double>(t.unit) + 0.01 * t.model)) < 1e-6);
            // the PNG is the dataset image
            const QImage png
                = QImage(QString::fromStdString(m_exp + "/" + t.queryMax.file)).convertToFormat(QImage::Format_RGB888);
            QCOMPARE(png.height(), 32);
            for (int y = 0; y < 32; ++y)
                QVERIFY(std::equal(
                    png.constScanLine(y), png.constScanLine(y) + 32 * 3, d.image(t.queryMax.datasetIndex) + y * 32 * 3));
        }
    }

    void planIsBlinded()
    {
        // ids in a shuffled order: neither the id order nor the file names follow model or unit
        std::vector<int> models;
        for (const PsychTrial& t : m_plan.trials)
            if (t.kind == TrialKind::Main)
                models.push_back(t.model);
        QVERIFY(!std::is_sorted(models.begin(), models.end()));
        QVERIFY(!std::is_sorted(models.rbegin(), models.rend()));
        for (const PsychTrial& t : m_plan.trials) {
            QVERIFY(t.queryMax.file.rfind("img/", 0) == 0);
            QCOMPARE(t.queryMax.file.size(), std::string("img/0001.png").size());
        }
        // same seed, same plan; another seed, another one
        NullSink sink;
        CancelToken cancel;
        PlanOptions o;
        o.analyses = {m_dir + "/base.h5", m_dir + "/tuned.h5"};
        o.units = 4;
        o.catchTrials = 2;
        o.seed = 7;
        o.outDir = m_dir + "/exp-again";
        const PsychPlan again = buildPlan(o, sink, cancel).plan;
        QCOMPARE(planJson(again), planJson(m_plan));
        for (std::size_t i = 0; i < again.trials.size(); ++i) {
            QCOMPARE(again.trials[i].id, m_plan.trials[i].id);
            QCOMPARE(again.trials[i].unit, m_plan.trials[i].unit);
            QCOMPARE(again.trials[i].queryMax.file, m_plan.trials[i].queryMax.file);
        }
        o.seed = 8;
        o.outDir = m_dir + "/exp-other";
        const PsychPlan other = buildPlan(o, sink, cancel).plan;
        bool differs = false;
        for (std::size_t i = 0; i < other.trials.size(); ++i)
            differs |= other.trials[i].unit != m_plan.trials[i].unit || other.trials[i].model != m_plan.trials[i].model;
        QVERIFY(differs);
    }

    void planErrors()
    {
        NullSink sink;
        CancelToken cancel;
        PlanOptions o;
        o.analyses = {m_dir + "/base.h5"};
        o.outDir = m_dir + "/e1";
        QVERIFY(errorOf([&] { buildPlan(o, sink, cancel); }).contains(QStringLiteral("two or more analyses")));
        o.analyses = {m_dir + "/base.h5", m_dir + "/tuned.h5"};
        o.k = 60; // 120 images cannot give 61 + 61
        const QString tooShort = errorOf([&] { buildPlan(o, sink, cancel); });
        QVERIFY2(tooShort.contains(QStringLiteral("too few for k = 60")) && tooShort.contains(QStringLiteral("--k")),
            qPrintable(tooShort));
        o.k = 0;
        o.data = "shapes:120:4"; // other images than those analysed
        const QString wrongData = errorOf([&] { buildPlan(o, sink, cancel); });
        QVERIFY2(wrongData.contains(QStringLiteral("not the data it was analysed on")), qPrintable(wrongData));
        o.data.clear();
        o.outDir = m_exp; // not empty
        QVERIFY(errorOf([&] { buildPlan(o, sink, cancel); }).contains(QStringLiteral("--force")));
        makeDirs(m_dir + "/bad");
        testutil::writeText(m_dir + "/bad/plan.json",
            "{\"format\": \"repalign-psych-plan\", \"seed\": 1, \"k\": 2, \"catch_threshold\": 0.8, \"models\": []}");
        const QString badPlan = errorOf([&] { readPlan(m_dir + "/bad"); });
        QVERIFY2(badPlan.contains(QStringLiteral("plan.json: models: expected a non-empty array")), qPrintable(badPlan));
    }

    void scheduleMatchesTheShippedJavaScript()
    {
        // the 15-trial plan of gen_schedule_reference.js: 3 practice, seed 4242
        PsychPlan p;
        p.seed = 4242;
        for (int i = 0; i < 15; ++i) {
            PsychTrial t;
            t.id = "x" + std::to_string(i);
            t.kind = i < 3 ? TrialKind::Practice : (i % 5 == 0 ? TrialKind::Catch : TrialKind::Main);
            p.trials.push_back(t);
        }
        std::ifstream in(std::string(REPALIGN_TEST_DATA) + "/psych/schedule_reference.txt");
        std::string line;
        int checked = 0;
        while (std::getline(in, line)) {
            std::istringstream ls(line);
            std::string kind, id, item, expected, got;
            ls >> kind >> id;
            std::string decoded;
            for (std::size_t i = 0; i < id.size(); ++i) {
                if (id[i] == '%' && i + 2 < id.size()) {
                    decoded += static_cast<char>(std::stoi(id.substr(i + 1, 2), nullptr, 16));
                    i += 2;
                } else
                    decoded += id[i];
            }
            while (ls >> item)
                expected += item + " ";
            for (const Presentation& pr : participantSchedule(p, decoded))
                got += std::to_string(pr.trial) + (pr.correctOnLeft ? "L" : "R") + " ";
            QCOMPARE(QString::fromStdString(got), QString::fromStdString(expected));
            ++checked;
        }
        QCOMPARE(checked, 5);
    }

    void scheduleProperties()
    {
        const auto a = participantSchedule(m_plan, "alice");
        QCOMPARE(a.size(), m_plan.trials.size());
        QCOMPARE(a[0].trial, 0);
        QCOMPARE(a[1].trial, 1);
        std::set<int> seen;
        int left = 0;
        for (const Presentation& p : a) {
            seen.insert(p.trial);
            left += p.correctOnLeft;
        }
        QCOMPARE(seen.size(), m_plan.trials.size());
        QVERIFY(left > 0 && left < static_cast<int>(a.size()));
        const auto again = participantSchedule(m_plan, "alice");
        QVERIFY(std::equal(a.begin(), a.end(), again.begin(), [](const Presentation& x, const Presentation& y) {
            return x.trial == y.trial && x.correctOnLeft == y.correctOnLeft;
        }));
        const auto b = participantSchedule(m_plan, "bob");
        QVERIFY(!std::equal(
            a.begin(), a.end(), b.begin(), [](const Presentation& x, const Presentation& y) { return x.trial == y.trial; }));
    }

    void exportJsPsychFolder()
    {
        if (!runtimeAvailable())
            QSKIP("resources/psych/node_modules is missing: run packaging/install-deps-debian.sh (npm ci)");
        ExportOptions o;
        o.experimentDir = m_exp;
        o.out = m_dir + "/web";
        const std::string out = exportExperiment(o);
        for (const char* f : {"index.html", "experiment.js", "experiment.css", "trials.js", "README.txt", "lib/jspsych.js",
                 "lib/jspsych.css", "lib/plugin-html-keyboard-response.js", "lib/plugin-instructions.js", "lib/plugin-preload.js",
                 "lib/LICENSES.txt"})
            QVERIFY2(fileExists(out + "/" + f), f);
        QVERIFY(readFileText(out + "/lib/LICENSES.txt").find("MIT") != std::string::npos);
        QVERIFY(readFileText(out + "/index.html").find("jatos.js") == std::string::npos);
        const std::string trials = readFileText(out + "/trials.js");
        // blinded: no model, unit, analysis or kind
        for (const char* word : {"resnet18", "base.h5", "catch", "unit", "\"model\"", "activation"})
            QVERIFY2(trials.find(word) == std::string::npos, word);
        QVERIFY(trials.find("\"seed\": \"7\"") != std::string::npos);
        for (const PsychTrial& t : m_plan.trials) {
            QVERIFY(trials.find("\"" + t.id + "\"") != std::string::npos);
            QVERIFY(fileExists(out + "/" + t.queryMin.file));
        }
        QVERIFY(errorOf([&] { exportExperiment(o); }).contains(QStringLiteral("--force")));
        o.force = true;
        QCOMPARE(exportExperiment(o), out);
        o.runtimeDir = m_dir + "/no-runtime";
        makeDirs(o.runtimeDir + "/template");
        testutil::writeText(o.runtimeDir + "/template/experiment.js", "x");
        const QString missing = errorOf([&] { exportExperiment(o); });
        QVERIFY2(missing.contains(QStringLiteral("packaging/install-deps-debian.sh")), qPrintable(missing));
    }

    void exportJatosArchive()
    {
        if (!runtimeAvailable())
            QSKIP("resources/psych/node_modules is missing: run packaging/install-deps-debian.sh (npm ci)");
        ExportOptions o;
        o.experimentDir = m_exp;
        o.format = ExportFormat::Jatos;
        o.out = m_dir + "/study.jzip";
        exportExperiment(o);
        const auto members = readZip(o.out);
        std::map<std::string, std::string> byName;
        for (const auto& m : members)
            byName[m.name] = m.data;
        QVERIFY(byName.count("repalign_psych_exp.jas"));
        const JsonValue jas = parseJson(byName["repalign_psych_exp.jas"], "jas");
        QCOMPARE(jas.find("version")->text, std::string("3"));
        const JsonValue* data = jas.find("data");
        QCOMPARE(data->find("dirName")->text, std::string("repalign_psych_exp"));
        QCOMPARE(data->find("uuid")->text.size(), std::size_t(36));
        const JsonValue* comp = data->find("componentList");
        QCOMPARE(comp->items.size(), std::size_t(1));
        QCOMPARE(comp->items[0].find("htmlFilePath")->text, std::string("index.html"));
        QVERIFY(data->find("batchList")->items.size() == 1);
        QVERIFY(byName["repalign_psych_exp/index.html"].find("<script src=\"jatos.js\"></script>") != std::string::npos);
        QVERIFY(byName.count("repalign_psych_exp/lib/jspsych.js"));
        QVERIFY(byName.count("repalign_psych_exp/" + m_plan.trials[0].queryMax.file));
        QVERIFY(byName["repalign_psych_exp/experiment.js"].find("jatos.submitResultData") != std::string::npos);
    }

    void zipRoundTripAndDamage()
    {
        const std::string path = m_dir + "/t.zip";
        writeFileAtomic(path, zipStore({{"a/b.txt", "hello"}, {"c.json", std::string(1000, 'x')}}));
        const auto m = readZip(path);
        QCOMPARE(m.size(), std::size_t(2));
        QCOMPARE(m[0].data, std::string("hello"));
        // the test suite's independent CRC agrees with the archive's
        QCOMPARE(testutil::crc32("hello"), 0x3610a686u);
        std::string bytes = readFileText(path);
        writeFileAtomic(path, bytes.substr(0, bytes.size() / 2));
        const QString e = errorOf([&] { readZip(path); });
        QVERIFY2(e.contains(QStringLiteral("t.zip: not a readable ZIP archive")), qPrintable(e));
    }

    void simulatedObserverFollowsTheLpipsRule()
    {
        NullSink sink;
        CancelToken cancel;
        const std::vector<double> e = observerEvidence(m_plan, "random:1", "cpu", nullptr, sink, cancel);
        QCOMPARE(e.size(), m_plan.trials.size());
        // the evidence of trial 2 from lpips on the files (independent path: lpipsBetweenFiles)
        {
            const PsychTrial& t = m_plan.trials[2];
            LpipsOptions lo;
            lo.weights = "random:1";
            lo.resize = 64;
            auto d = [&](const PsychImage& a, const PsychImage& b) {
                return lpipsBetweenFiles(m_exp + "/" + a.file, m_exp + "/" + b.file, lo).distance;
            };
            double ev[2];
            const PsychImage* qs[2] = {&t.queryMax, &t.queryMin};
            for (int q = 0; q < 2; ++q) {
                double toMax = 0, toMin = 0;
                for (const auto& r : t.maxRefs)
                    toMax += d(*qs[q], r);
                for (const auto& r : t.minRefs)
                    toMin += d(*qs[q], r);
                ev[q] = toMax / 3 - toMin / 3;
            }
            QVERIFY2(std::fabs((ev[1] - ev[0]) - e[2]) < 1e-5,
                qPrintable(QString::number(ev[1] - ev[0]) + QStringLiteral(" vs ") + QString::number(e[2])));
        }
        SimulateOptions o;
        o.experimentDir = m_exp;
        o.participants = 5;
        o.noise = 0;
        o.lpipsWeights = "random:1";
        o.out = m_dir + "/sim0.csv";
        simulateObservers(o, sink, cancel);
        const auto responses = readResponses(o.out);
        QCOMPARE(responses.size(), std::size_t(5) * m_plan.trials.size());
        std::map<std::string, int> trialIndex;
        for (std::size_t i = 0; i < m_plan.trials.size(); ++i)
            trialIndex[m_plan.trials[i].id] = static_cast<int>(i);
        for (const PsychResponse& r : responses) {
            QCOMPARE(r.source, std::string("simulated"));
            QCOMPARE(r.correct, e[static_cast<std::size_t>(trialIndex[r.trialId])] > 0);
            // the order is the participant's schedule
            QCOMPARE(m_plan
                         .trials[static_cast<std::size_t>(
                             participantSchedule(m_plan, r.participant)[static_cast<std::size_t>(r.position)].trial)]
                         .id,
                r.trialId);
        }
        // per unit: noise 0 -> every participant answers alike -> accuracy 0 or 1 per the rule
        ImportOptions io;
        io.experimentDir = m_exp;
        io.results = {o.out};
        io.resamples = 500;
        io.out = m_dir + "/sim0.h5";
        const ImportResult ir = importResults(io);
        QCOMPARE(ir.summary.source, std::string("simulated"));
        QCOMPARE(ir.summary.observerNoise, 0.0);
        for (std::size_t u = 0; u < ir.summary.unitModel.size(); ++u) {
            for (std::size_t t = 0; t < m_plan.trials.size(); ++t) {
                const PsychTrial& tr = m_plan.trials[t];
                if (tr.kind == TrialKind::Main && tr.model == ir.summary.unitModel[u] && tr.unit == ir.summary.unitIndex[u])
                    QCOMPARE(ir.summary.unitAccuracy[u], e[t] > 0 ? 1.0 : 0.0);
            }
        }
        // catch trials (query = a reference itself) are obvious to the observer
        for (std::size_t t = 0; t < m_plan.trials.size(); ++t)
            if (m_plan.trials[t].kind == TrialKind::Catch)
                QVERIFY(e[t] > 0);
        // high noise: chance
        o.noise = 100;
        o.participants = 150;
        o.out = m_dir + "/sim-noisy.csv";
        const SimulateResult noisy = simulateObservers(o, sink, cancel);
        QVERIFY2(noisy.accuracy > 0.44 && noisy.accuracy < 0.56, qPrintable(QString::number(noisy.accuracy)));
    }

    void importEverySource()
    {
        // (a) the in-app runner's / simulate's CSV (writeResponsesCsv)
        const auto& T = m_plan.trials;
        std::vector<const PsychTrial*> mains, catches;
        for (const auto& t : T)
            (t.kind == TrialKind::Main ? mains : catches).push_back(&t);
        std::vector<PsychResponse> rs;
        rs.push_back(answer("p1", *mains[0], 2, true, 3));
        rs.push_back(answer("p1", *mains[1], 3, false, 1));
        rs.back().rtMs = 1234.5;
        writeResponsesCsv(m_dir + "/inapp.csv", rs);
        const auto a = readResponses(m_dir + "/inapp.csv");
        QCOMPARE(a.size(), std::size_t(2));
        QCOMPARE(a[1].trialId, mains[1]->id);
        QCOMPARE(a[1].rtMs, 1234.5);
        QCOMPARE(a[1].correct, false);
        QCOMPARE(a[1].confidence, 1);
        QCOMPARE(a[0].source, std::string("inapp"));
        // (b) jsPsych's data.csv(): its own columns, other trials' rows, quoted HTML stimuli
        std::string csv = "\"rt\",\"stimulus\",\"response\",\"task\",\"trial_type\",\"trial_index\",\"time_elapsed\","
                          "\"internal_node_id\",\"participant\",\"source\",\"trial_id\",\"position\",\"confidence_rt\","
                          "\"confidence\",\"correct_side\",\"correct\",\"practice\"\r\n";
        csv += "\"\",\"\",\"\",\"\",\"preload\",\"0\",\"5\",\"0.0-0.0\",\"web1\",\"jspsych\",\"\",\"\",\"\",\"\",\"\",\"\","
               "\"\"\r\n";
        csv += "\"880\",\"<div class=\"\"psych-trial\"\">a, "
               "b</div>\",\"f\",\"psych_choice\",\"html-keyboard-response\",\"3\",\"900\","
               "\"0.0-1.0\",\"web1\",\"jspsych\",\""
            + mains[0]->id + "\",\"0\",\"\",\"\",\"\",\"\",\"\"\r\n";
        csv += "\"880\",\"<p>How confident?</p>\",\"left\",\"psych_response\",\"html-keyboard-response\",\"4\",\"1300\","
               "\"0.0-2.0\",\"web1\",\"jspsych\",\""
            + mains[0]->id + "\",\"0\",\"410\",\"2\",\"left\",\"1\",\"0\"\r\n";
        testutil::writeText(m_dir + "/jspsych.csv", csv);
        const auto b = readResponses(m_dir + "/jspsych.csv");
        QCOMPARE(b.size(), std::size_t(1));
        QCOMPARE(b[0].participant, std::string("web1"));
        QCOMPARE(b[0].confidenceRtMs, 410.0);
        QCOMPARE(b[0].correct, true);
        QCOMPARE(b[0].source, std::string("jspsych"));
        // (c) jsPsych's data.json()
        testutil::writeText(m_dir + "/jspsych.json",
            "[{\"trial_type\":\"preload\",\"trial_index\":0},{\"rt\":700,\"response\":\"right\",\"task\":\"psych_response\","
            "\"participant\":\"web2\",\"source\":\"jspsych\",\"trial_id\":\""
                + mains[1]->id
                + "\",\"position\":5,\"confidence_rt\":200,\"confidence\":3,\"correct_side\":\"left\",\"correct\":0,"
                  "\"stimulus\":\"<p>x</p>\"}]");
        const auto c = readResponses(m_dir + "/jspsych.json");
        QCOMPARE(c.size(), std::size_t(1));
        QCOMPARE(c[0].position, 5);
        QCOMPARE(c[0].choseLeft, false);
        // (d) JATOS's text export: one component result per line
        testutil::writeText(m_dir + "/jatos.txt",
            "[{\"task\":\"psych_response\",\"participant\":\"j9\",\"trial_id\":\"" + mains[0]->id
                + "\",\"position\":0,\"correct_side\":\"right\",\"response\":\"right\",\"correct\":1,\"confidence\":2,\"rt\":500}"
                  "]\n"
                  "[{\"task\":\"psych_response\",\"participant\":\"j8\",\"trial_id\":\""
                + mains[0]->id
                + "\",\"position\":0,\"correct_side\":\"right\",\"response\":\"left\",\"correct\":0,\"confidence\":1,\"rt\":600}]"
                  "\n");
        const auto d = readResponses(m_dir + "/jatos.txt");
        QCOMPARE(d.size(), std::size_t(2));
        QCOMPARE(d[1].participant, std::string("j8"));
        QCOMPARE(d[0].source, std::string("jatos"));
        // (e) JATOS 3.8's results archive (deflated; gen_reference.py)
        const auto e = readResponses(std::string(REPALIGN_TEST_DATA) + "/psych/jatos_results.zip");
        QCOMPARE(e.size(), std::size_t(5));
        QCOMPARE(e[1].participant, std::string("j1"));
        QCOMPARE(e[1].trialId, std::string("t002"));
        QCOMPARE(e[1].correct, false);
        QCOMPARE(e[1].rtMs, 1500.0);
        QCOMPARE(e[4].participant, std::string("j2"));
    }

    void exclusionAndStatistics()
    {
        std::vector<const PsychTrial*> mains, catches;
        for (const auto& t : m_plan.trials)
            if (t.kind == TrialKind::Main)
                mains.push_back(&t);
            else if (t.kind == TrialKind::Catch)
                catches.push_back(&t);
        QCOMPARE(mains.size(), std::size_t(8));
        QCOMPARE(catches.size(), std::size_t(2));
        std::vector<PsychResponse> rs;
        // p1, p2, p3 pass the catch trials; p4 fails one of two (0.5 < 0.8) and is excluded
        const bool p1[8] = {true, true, true, false, true, false, true, true};
        const bool p2[8] = {true, false, true, true, false, false, true, true};
        const bool p3[8] = {false, true, true, true, true, false, false, true};
        const bool* all[3] = {p1, p2, p3};
        for (int p = 0; p < 3; ++p) {
            const std::string id = "p" + std::to_string(p + 1);
            for (int i = 0; i < 8; ++i)
                rs.push_back(answer(id, *mains[static_cast<std::size_t>(i)], i, all[p][i]));
            rs.push_back(answer(id, *catches[0], 8, true));
            rs.push_back(answer(id, *catches[1], 9, true));
        }
        for (int i = 0; i < 8; ++i)
            rs.push_back(answer("p4", *mains[static_cast<std::size_t>(i)], i, false));
        rs.push_back(answer("p4", *catches[0], 8, true));
        rs.push_back(answer("p4", *catches[1], 9, false));
        // p5 stopped early (partial) and answered no catch trial: excluded by the rule, reported
        rs.push_back(answer("p5", *mains[0], 0, true));
        // a repeated response (reloaded page): only the first counts
        rs.push_back(answer("p1", *mains[0], 0, false));
        const ImportResult r = analyseResponses(m_plan, rs, 0.8, 2000, 1);
        const PsychSummary& s = r.summary;
        QCOMPARE(s.source, std::string("human"));
        QCOMPARE(s.participants, (std::vector<std::string> {"p1", "p2", "p3", "p4", "p5"}));
        QCOMPARE(s.participantExcluded, (std::vector<std::uint8_t> {0, 0, 0, 1, 1}));
        QCOMPARE(s.participantCatchAccuracy[3], 0.5);
        QVERIFY(std::isnan(s.participantCatchAccuracy[4]));
        QCOMPARE(s.participantAccuracy[0], 6.0 / 8);
        auto hasNote = [&](const char* text) {
            return std::any_of(
                r.notes.begin(), r.notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
        };
        QVERIFY(hasNote("participant p4 excluded: catch-trial accuracy 0.500 (1/2) is below the threshold 0.80"));
        QVERIFY(hasNote("participant p5 excluded: catch-trial accuracy undefined"));
        QVERIFY(hasNote("participant p5 is partial: 1 of 8 main trials answered"));
        QVERIFY(hasNote("1 repeated responses"));
        QCOMPARE(s.unitModel.size(), std::size_t(8));
        // each main trial is one unit: 3 included answers each; hand counts and Wilson
        for (std::size_t u = 0; u < s.unitModel.size(); ++u) {
            int i = -1;
            for (int j = 0; j < 8; ++j)
                if (mains[static_cast<std::size_t>(j)]->model == s.unitModel[u]
                    && mains[static_cast<std::size_t>(j)]->unit == s.unitIndex[u])
                    i = j;
            QVERIFY(i >= 0);
            const int correct = p1[i] + p2[i] + p3[i];
            QCOMPARE(s.unitTrials[u], std::int64_t(3));
            QCOMPARE(s.unitCorrect[u], std::int64_t(correct));
            QCOMPARE(s.unitAccuracy[u], correct / 3.0);
            QCOMPARE(s.unitCiLow[u], wilsonInterval(correct, 3).low);
            QCOMPARE(s.unitIiLpips[u], mains[static_cast<std::size_t>(i)]->iiLpips);
        }
        // per model: pooled over included participants
        for (std::size_t m = 0; m < 2; ++m) {
            int t = 0, c = 0;
            for (int i = 0; i < 8; ++i)
                if (mains[static_cast<std::size_t>(i)]->model == static_cast<int>(m)) {
                    t += 3;
                    c += p1[i] + p2[i] + p3[i];
                }
            QCOMPARE(s.modelTrials[m], std::int64_t(t));
            QCOMPARE(s.modelAccuracy[m], static_cast<double>(c) / t);
            QVERIFY(s.modelCiLow[m] <= s.modelAccuracy[m] && s.modelAccuracy[m] <= s.modelCiHigh[m]);
        }
        QVERIFY(s.comparisonMethod.find("sign-flip permutation") != std::string::npos);
        QVERIFY(s.comparisonMethod.find("exact, 2^3") != std::string::npos);
        QVERIFY(s.comparisonP > 0 && s.comparisonP <= 1);
        // Spearman over the 8 units, as the maths alone gives it
        std::vector<double> acc, lp;
        for (std::size_t u = 0; u < 8; ++u) {
            acc.push_back(s.unitAccuracy[u]);
            lp.push_back(s.unitIiLpips[u]);
        }
        QCOMPARE(s.spearmanLpips, spearman(acc, lp, 2000, 1).rho);
        // a lower threshold keeps p4
        const ImportResult lenient = analyseResponses(m_plan, rs, 0.5, 2000, 1);
        QCOMPARE(lenient.summary.participantExcluded[3], std::uint8_t(0));
        QCOMPARE(lenient.summary.unitTrials[0], std::int64_t(4));
    }

    void summaryFileRoundTrip()
    {
        std::vector<PsychResponse> rs;
        int position = 0;
        for (const char* id : {"q1", "q2"})
            for (const auto& t : m_plan.trials)
                if (t.kind != TrialKind::Practice) {
                    rs.push_back(answer(id, t, position, position % 3 != 0));
                    ++position;
                }
        writeResponsesCsv(m_dir + "/two.csv", rs);
        ImportOptions o;
        o.experimentDir = m_exp;
        o.results = {m_dir + "/two.csv"};
        o.resamples = 500;
        o.catchThreshold = 0;
        o.out = m_dir + "/out/two.h5";
        const ImportResult r = importResults(o);
        QVERIFY(hasPsychSummary(o.out));
        QVERIFY(!hasPsychSummary(m_dir + "/base.h5"));
        const PsychSummary s = readPsychSummary(o.out);
        QCOMPARE(s.unitAccuracy, r.summary.unitAccuracy);
        QCOMPARE(s.unitIndex, r.summary.unitIndex);
        QCOMPARE(s.modelLabels, r.summary.modelLabels);
        QCOMPARE(s.modelNames, r.summary.modelNames);
        QCOMPARE(s.participants, (std::vector<std::string> {"q1", "q2"}));
        QCOMPARE(s.comparisonMethod, r.summary.comparisonMethod);
        QCOMPARE(s.spearmanLpips, r.summary.spearmanLpips);
        QCOMPARE(s.catchThreshold, 0.0);
        QCOMPARE(s.plan, m_exp);
        QVERIFY(fileExists(m_dir + "/out/two_units.csv"));
        QVERIFY(readFileText(m_dir + "/out/two_units.csv").rfind("model,model_name,unit,trials,correct,accuracy", 0) == 0);
        const QString e = errorOf([&] { readPsychSummary(m_dir + "/base.h5"); });
        QVERIFY2(e.contains(QStringLiteral("no complete /psych summary")), qPrintable(e));
        QVERIFY(summaryText(s).find("II-LPIPS: rho") != std::string::npos);
    }

    void malformedFilesGiveOneLine()
    {
        const std::string id = m_plan.trials[3].id;
        const std::string header
            = "participant,trial_id,position,correct_side,response,correct,confidence,rt,confidence_rt,source\n";
        auto check = [&](const std::string& name, const std::string& text, const char* expected) {
            testutil::writeText(m_dir + "/" + name, text);
            const QString e = errorOf([&] { readResponses(m_dir + "/" + name); });
            QVERIFY2(e.contains(QString::fromUtf8(expected)) && !e.contains(QLatin1Char('\n')),
                qPrintable(QString::fromStdString(name + " -> ") + e));
        };
        check("trunc.csv", header + "a," + id + ",0,left,left,1,2,500,300,inapp\nb," + id + ",1,le",
            "trunc.csv: row 3: 4 fields where the header has 10 (truncated or edited file?)");
        check("side.csv", header + "a," + id + ",0,up,left,1,2,500,300,inapp\n",
            "side.csv: row 2, field correct_side: 'up' is not a side (valid: left, right)");
        check("conf.csv", header + "a," + id + ",0,left,left,1,7,500,300,inapp\n",
            "field confidence: '7' is not a rating (valid: 1, 2, 3)");
        check("rt.csv", header + "a," + id + ",0,left,left,1,2,fast,300,inapp\n",
            "row 2, field rt: 'fast' is not a non-negative number");
        check("edit.csv", header + "a," + id + ",0,left,right,1,2,500,300,inapp\n",
            "field correct: '1' disagrees with response 'right'");
        check("quote.csv", header + "\"a," + id + ",0,left,left,1,2,500,300,inapp\n",
            "quote.csv: line 2: a quoted field is not closed");
        check("cols.csv", "name,value\nx,1\n", "cols.csv: not a psychophysics result file: missing column(s) participant");
        check("pid.csv", header + "a b," + id + ",0,left,left,1,2,500,300,inapp\n", "field participant: 'a b' is not a valid id");
        check("cut.json", "[{\"task\":\"psych_response\",\"participant\":\"a\",", "cut.json: invalid JSON at line 1");
        check("empty.csv", "", "empty.csv: empty file");
        check("zipcut.zip", readFileText(std::string(REPALIGN_TEST_DATA) + "/psych/jatos_results.zip").substr(0, 300),
            "zipcut.zip: not a readable ZIP archive");
        QVERIFY(errorOf([&] { readResponses(m_dir + "/none.csv"); }).contains(QStringLiteral("does not exist")));
        // a response to a trial the plan does not have: results of another experiment
        std::vector<PsychResponse> rs {answer("a", m_plan.trials[3], 0, true)};
        rs[0].trialId = "t999";
        const QString other = errorOf([&] { analyseResponses(m_plan, rs, 0.8, 500, 1); });
        QVERIFY2(other.contains(QStringLiteral("answered trial 't999', which the plan")), qPrintable(other));
        // mixing simulated and human data is refused
        std::vector<PsychResponse> mixed {answer("a", m_plan.trials[3], 0, true), answer("b", m_plan.trials[3], 0, true)};
        mixed[1].source = "simulated";
        QVERIFY(errorOf([&] { analyseResponses(m_plan, mixed, 0.8, 500, 1); }).contains(QStringLiteral("mixed")));
        // a file that is fine is still read after the bad ones (nothing lost)
        writeResponsesCsv(m_dir + "/fine.csv", {answer("a", m_plan.trials[3], 0, true)});
        QCOMPARE(readResponses(m_dir + "/fine.csv").size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestPsych)
#include "test_psych.moc"
