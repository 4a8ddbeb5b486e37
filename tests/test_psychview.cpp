// The Distributions tab's "Human psychophysics" view and its figures: /psych written here in the
// layout of contract D (by hand, not by the core's writer) -> the bars, error bars and chance
// line of accuracy per model, the per-unit scatter against II-LPIPS / II-color with Spearman's
// rho in the legend, the tables, the simulated-observer banner, the empty state with the
// commands, and the figures' sizes at each preset from the GUI code and `repalign-cli figure`.
#include "distributionsview.h"
#include "figureexport.h"
#include "psychplots.h"
#include "psychview.h"
#include "qcp.h"
#include "testutil.h"

#include "io/h5.h"
#include "psych/psych.h"

#include <QImage>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QtTest>

using namespace repalign;
using namespace repalign::gui;

namespace {

struct Fixture {
    std::vector<double> modelAccuracy {0.81, 0.64}, modelLow {0.74, 0.57}, modelHigh {0.87, 0.71};
    std::vector<std::int64_t> modelTrials {96, 96};
    std::vector<std::int64_t> unitModel {0, 0, 0, 0, 1, 1, 1, 1}, unitIndex {3, 7, 11, 19, 3, 7, 11, 19};
    std::vector<std::int64_t> unitTrials {12, 12, 12, 12, 12, 12, 12, 12}, unitCorrect {11, 10, 9, 9, 8, 7, 8, 8};
    std::vector<double> unitIiLpips {0.42, 0.37, 0.31, 0.29, 0.30, 0.26, 0.27, 0.22};
    std::vector<double> unitIiColor {0.12, 0.11, 0.09, 0.10, 0.08, 0.07, 0.09, 0.06};
    std::vector<double> lpips {0.71, 0.12, 0.93, 0.047}, color {0.38, -0.31, 0.81, 0.35};
    std::vector<std::string> participants {"p01", "p02", "p03"};
    std::vector<double> participantAccuracy {0.78, 0.70, 0.52}, participantCatch {1.0, 0.9, 0.5};
    std::vector<std::uint8_t> excluded {0, 0, 1};
    std::vector<double> unitAccuracy() const
    {
        std::vector<double> a;
        for (std::size_t i = 0; i < unitTrials.size(); ++i)
            a.push_back(static_cast<double>(unitCorrect[i]) / static_cast<double>(unitTrials[i]));
        return a;
    }
};

void writeF64(H5File& f, const std::string& name, const std::vector<double>& v)
{
    f.write(name, H5Type::Float64, {v.size()}, v.data());
}

/// /psych in contract D's layout.
void writePsych(const std::string& path, const Fixture& x, const std::string& source, double noise)
{
    H5File f(path, H5File::Mode::CreateAtomic);
    const std::uint64_t R = x.unitModel.size();
    f.writeI64("/psych/units/model", {R}, x.unitModel);
    f.writeI64("/psych/units/unit", {R}, x.unitIndex);
    f.writeI64("/psych/units/trials", {R}, x.unitTrials);
    f.writeI64("/psych/units/correct", {R}, x.unitCorrect);
    const auto acc = x.unitAccuracy();
    std::vector<double> lo, hi;
    for (double a : acc) {
        lo.push_back(std::max(0.0, a - 0.15));
        hi.push_back(std::min(1.0, a + 0.1));
    }
    writeF64(f, "/psych/units/accuracy", acc);
    writeF64(f, "/psych/units/ci_low", lo);
    writeF64(f, "/psych/units/ci_high", hi);
    writeF64(f, "/psych/units/ii_lpips", x.unitIiLpips);
    writeF64(f, "/psych/units/ii_color", x.unitIiColor);
    writeF64(f, "/psych/models/accuracy", x.modelAccuracy);
    writeF64(f, "/psych/models/ci_low", x.modelLow);
    writeF64(f, "/psych/models/ci_high", x.modelHigh);
    f.writeI64("/psych/models/trials", {2}, x.modelTrials);
    writeF64(f, "/psych/correlation/lpips", x.lpips);
    writeF64(f, "/psych/correlation/color", x.color);
    const bool human = source == "human";
    const std::uint64_t P = human ? x.participants.size() : 1;
    writeF64(f, "/psych/participants/catch_accuracy", human ? x.participantCatch : std::vector<double> {1.0});
    writeF64(f, "/psych/participants/accuracy", human ? x.participantAccuracy : std::vector<double> {0.72});
    const std::vector<std::uint8_t> ex = human ? x.excluded : std::vector<std::uint8_t> {0};
    f.write("/psych/participants/excluded", H5Type::UInt8, {P}, ex.data());
    f.setAttr("/psych", "source", source);
    f.setAttr("/psych", "plan", std::string("exp"));
    f.setAttr("/psych", "catch_threshold", 0.8);
    f.setAttr("/psych", "observer_noise", noise);
    f.setAttr("/psych", "model_labels", std::string("A,B"));
    f.setAttr("/psych", "model_names", std::string("baseline,tuned-hV4"));
    f.setAttr("/psych", "participants", human ? std::string("p01,p02,p03") : std::string("simulated"));
    f.setAttr("/psych", "comparison_method", std::string("McNemar (exact, 96 pairs); model CIs: bootstrap"));
    f.setAttr("/psych", "comparison_statistic", 6.25);
    f.setAttr("/psych", "comparison_p", 0.0124);
    f.commit();
}

QStringList legendNames(QCustomPlot* plot)
{
    QStringList names;
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (plot->legend->hasItemWithPlottable(plot->plottable(i)))
            names << plot->plottable(i)->name();
    return names;
}

QString subtitle(QCustomPlot* plot)
{
    auto* t = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(1, 0));
    return t ? t->text() : QString();
}

QSizeF pdfPoints(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression re(
        QStringLiteral("/MediaBox\\s*\\[\\s*([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s*\\]"));
    const auto m = re.match(QString::fromLatin1(f.readAll()));
    if (!m.hasMatch())
        return {};
    return QSizeF(m.captured(3).toDouble() - m.captured(1).toDouble(), m.captured(4).toDouble() - m.captured(2).toDouble());
}

} // namespace

class TestPsychView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void emptyState();
    void humanResults();
    void simulatedObserver();
    void notAPsychFile();
    void availableFiles();
    void figureExport_data();
    void figureExport();
    void cliFigure();
    void screenshots_data();
    void screenshots();

private:
    std::string m_dir;
    QString m_human, m_simulated, m_plain;
    Fixture m_x;
};

void TestPsychView::initTestCase()
{
    m_dir = testutil::tempDir("psychview");
    m_human = QString::fromStdString(m_dir + "/human.h5");
    m_simulated = QString::fromStdString(m_dir + "/simulated.h5");
    m_plain = QString::fromStdString(m_dir + "/plain.h5");
    writePsych(m_human.toStdString(), m_x, "human", NAN);
    writePsych(m_simulated.toStdString(), m_x, "simulated", 0.25);
    H5File plain(m_plain.toStdString(), H5File::Mode::CreateAtomic);
    plain.writeF32("/ii/lpips", {2}, {0.1f, 0.2f});
    plain.commit();
}

void TestPsychView::emptyState()
{
    PsychView view;
    for (const char* command :
        {"repalign-cli psych plan --analysis", "repalign-cli psych export", "repalign-cli psych import", "psych simulate"})
        QVERIFY2(view.note().contains(QLatin1String(command)), qPrintable(view.note()));
    QCOMPARE(view.banner(), QString());
    QCOMPARE(view.accuracyPlot()->plottableCount(), 0);
    QSignalSpy run(&view, &PsychView::runExperimentRequested);
    QTest::mouseClick(view.runButton(), Qt::LeftButton);
    QCOMPARE(run.count(), 1);
}

void TestPsychView::humanResults()
{
    PsychView view;
    view.resize(1280, 760);
    view.show();
    QSignalSpy shown(&view, &PsychView::shown);
    view.openFile(m_human);
    QVERIFY(shown.wait(5000));
    QCOMPARE(view.note(), QString());
    QVERIFY(view.summary());
    QCOMPARE(view.banner(), QString());

    // Accuracy per model: the bars, their CIs, the chance line, the comparison in the legend.
    QCustomPlot* acc = view.accuracyPlot();
    QCPBars* bars = nullptr;
    QCPErrorBars* errors = nullptr;
    QCPGraph* chance = nullptr;
    for (int i = 0; i < acc->plottableCount(); ++i) {
        if (auto* b = qobject_cast<QCPBars*>(acc->plottable(i)))
            bars = b;
        if (auto* e = qobject_cast<QCPErrorBars*>(acc->plottable(i)))
            errors = e;
        if (auto* g = qobject_cast<QCPGraph*>(acc->plottable(i)); g && g->name().startsWith(QStringLiteral("chance")))
            chance = g;
    }
    QVERIFY(bars && errors && chance);
    QCOMPARE(bars->data()->size(), 2);
    for (int m = 0; m < 2; ++m) {
        QCOMPARE(bars->data()->at(m)->key, double(m + 1));
        QCOMPARE(bars->data()->at(m)->value, m_x.modelAccuracy[static_cast<std::size_t>(m)]);
        QVERIFY(std::abs(errors->data()->at(m).errorMinus - (m_x.modelAccuracy[m] - m_x.modelLow[m])) < 1e-12);
        QVERIFY(std::abs(errors->data()->at(m).errorPlus - (m_x.modelHigh[m] - m_x.modelAccuracy[m])) < 1e-12);
    }
    QCOMPARE(chance->data()->at(0)->value, 0.5);
    QCOMPARE(chance->data()->at(1)->value, 0.5);
    QVERIFY2(legendNames(acc).contains(QStringLiteral("McNemar: p = 0.0124")),
        qPrintable(legendNames(acc).join(QStringLiteral(" | "))));
    auto* ticker = dynamic_cast<QCPAxisTickerText*>(acc->xAxis->ticker().data());
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().value(1), QStringLiteral("baseline (A)"));
    QCOMPARE(ticker->ticks().value(2), QStringLiteral("tuned-hV4 (B)"));
    QCOMPARE(subtitle(acc), QStringLiteral("human observers (n = 2)")); // p03 excluded

    // Per-unit scatter: one graph per model, x = the unit's II, y = its accuracy; Spearman in the legend.
    const auto unitAcc = m_x.unitAccuracy();
    for (const bool lpips : {true, false}) {
        QCustomPlot* p = lpips ? view.lpipsPlot() : view.colorPlot();
        const std::vector<double>& ii = lpips ? m_x.unitIiLpips : m_x.unitIiColor;
        int units = 0;
        for (int i = 0; i < p->graphCount(); ++i) {
            QCPGraph* g = p->graph(i);
            const int model = g->name().startsWith(QStringLiteral("baseline")) ? 0
                : g->name().startsWith(QStringLiteral("tuned"))                ? 1
                                                                               : -1;
            if (model < 0)
                continue;
            QVERIFY2(g->name().endsWith(QStringLiteral("(4 units)")), qPrintable(g->name()));
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
                bool found = false;
                for (std::size_t u = 0; u < ii.size(); ++u)
                    found = found
                        || (m_x.unitModel[u] == model && std::abs(ii[u] - it->key) < 1e-12
                            && std::abs(unitAcc[u] - it->value) < 1e-12);
                QVERIFY2(found, qPrintable(QStringLiteral("(%1, %2)").arg(it->key).arg(it->value)));
                ++units;
            }
        }
        QCOMPARE(units, 8);
        const QString spearman = lpips ? QStringLiteral("Spearman rho = 0.71 [0.12, 0.93], p = 0.047")
                                       : QStringLiteral("Spearman rho = 0.38 [-0.31, 0.81], p = 0.35");
        QVERIFY2(legendNames(p).contains(spearman), qPrintable(legendNames(p).join(QStringLiteral(" | "))));
        QCOMPARE(p->xAxis->label(), lpips ? QStringLiteral("II-LPIPS") : QStringLiteral("II-color"));
    }

    // Tables: models and participants.
    QCOMPARE(view.modelTable()->rowCount(), 2);
    QCOMPARE(view.modelTable()->item(1, 1)->text(), QStringLiteral("tuned-hV4"));
    QCOMPARE(view.modelTable()->item(0, 2)->text(), QStringLiteral("0.810"));
    QCOMPARE(view.modelTable()->item(0, 3)->text(), QStringLiteral("[0.740, 0.870]"));
    QCOMPARE(view.participantTable()->rowCount(), 3);
    QCOMPARE(view.participantTable()->item(2, 3)->text(), QStringLiteral("yes"));
}

void TestPsychView::simulatedObserver()
{
    PsychView view;
    QSignalSpy shown(&view, &PsychView::shown);
    view.openFile(m_simulated);
    QVERIFY(shown.wait(5000));
    QVERIFY2(view.banner().contains(QStringLiteral("Simulated observer (noise 0.25)")), qPrintable(view.banner()));
    QVERIFY(view.banner().contains(QStringLiteral("not from people")));
    for (QCustomPlot* p : {view.accuracyPlot(), view.lpipsPlot(), view.colorPlot()})
        QCOMPARE(subtitle(p), QStringLiteral("simulated observer (noise 0.25)"));
    // Back to a human file: the banner goes.
    view.openFile(m_human);
    QVERIFY(shown.wait(5000));
    QCOMPARE(view.banner(), QString());
}

void TestPsychView::notAPsychFile()
{
    PsychView view;
    QSignalSpy shown(&view, &PsychView::shown);
    view.openFile(m_plain);
    QVERIFY(shown.wait(5000));
    QVERIFY2(view.note().contains(QStringLiteral("psych import")), qPrintable(view.note()));
    QVERIFY(!view.summary());
    QCOMPARE(view.accuracyPlot()->plottableCount(), 0);
}

void TestPsychView::availableFiles()
{
    // In the Distributions tab, among the project's analyses only files with /psych are offered.
    DistributionsView tab;
    QVERIFY(tab.psychView());
    bool found = false;
    for (int i = 0; i < tab.views()->count(); ++i)
        found = found || tab.views()->tabText(i) == QStringLiteral("Human psychophysics");
    QVERIFY(found);
    tab.setAvailableAnalyses({m_plain, m_human});
    QTRY_COMPARE(tab.psychView()->files(), QStringList {m_human});
    QTRY_VERIFY(tab.psychView()->summary());
}

void TestPsychView::figureExport_data()
{
    QTest::addColumn<int>("preset");
    QTest::addColumn<QString>("kind");
    for (FigurePreset p : {FigurePreset::Talk, FigurePreset::OneColumn, FigurePreset::TwoColumn})
        for (const char* kind : {"accuracy", "lpips", "color"})
            QTest::newRow(qPrintable(figurePresetInfo(p).key + QLatin1Char('-') + QLatin1String(kind)))
                << static_cast<int>(p) << QString::fromLatin1(kind);
}

void TestPsychView::figureExport()
{
    QFETCH(int, preset);
    QFETCH(QString, kind);
    const FigurePresetInfo info = figurePresetInfo(static_cast<FigurePreset>(preset));
    const psych::PsychSummary s = psych::readPsychSummary(m_simulated.toStdString());
    QCustomPlot plot;
    if (kind == QLatin1String("accuracy"))
        plotPsychAccuracy(&plot, s);
    else
        plotPsychIi(&plot, s, kind);
    const QString base = QString::fromStdString(m_dir) + QStringLiteral("/psych-%1-%2").arg(kind, info.key);
    exportPlotFigure(&plot, base + QStringLiteral(".png"), info.preset, 150);
    exportPlotFigure(&plot, base + QStringLiteral(".pdf"), info.preset, 150);
    const QImage png(base + QStringLiteral(".png"));
    QCOMPARE(png.size(), QSize(qRound(info.inches.width() * 150), qRound(info.inches.height() * 150)));
    const QSizeF pts = pdfPoints(base + QStringLiteral(".pdf"));
    QVERIFY(std::abs(pts.width() - info.inches.width() * 72) < 1.0);
    QVERIFY(std::abs(pts.height() - info.inches.height() * 72) < 1.0);
    const QString shots = qEnvironmentVariable("REPALIGN_SCREENSHOTS");
    if (!shots.isEmpty()) // for a look by eye
        QFile::copy(base + QStringLiteral(".png"), shots + QStringLiteral("/psych-%1-%2.png").arg(kind, info.key));
    // The simulated observer is named on the figure itself.
    bool named = false;
    for (const FigureTextItem& t : probePlotFigureText(&plot, info.preset, 150).items)
        named = named || t.text == QStringLiteral("simulated observer (noise 0.25)");
    QVERIFY(named);
}

void TestPsychView::cliFigure()
{
    for (const char* kind : {"psych-accuracy", "psych-ii"})
        for (const char* preset : {"talk", "column", "two-column"}) {
            const std::string out = m_dir + "/cli-" + kind + "-" + preset + ".pdf";
            std::string output;
            const int rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind " + kind + " --analysis "
                    + m_human.toStdString() + " --out " + out + " --preset " + preset,
                &output);
            QVERIFY2(rc == 0, output.c_str());
            const FigurePresetInfo info = figurePresetInfo(parseFigurePreset(QString::fromLatin1(preset)));
            QVERIFY(std::abs(pdfPoints(QString::fromStdString(out)).width() - info.inches.width() * 72) < 1.0);
        }
    std::string output;
    int rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind psych-ii --metric color --analysis "
            + m_human.toStdString() + " --out " + m_dir + "/cli-color.png --preset column --dpi 100",
        &output);
    QVERIFY2(rc == 0, output.c_str());
    QCOMPARE(QImage(QString::fromStdString(m_dir + "/cli-color.png")).size(), QSize(350, 263));
    rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind psych-ii --metric label --analysis " + m_human.toStdString()
            + " --out " + m_dir + "/cli-bad.png",
        &output);
    QCOMPARE(rc, 1);
    QVERIFY2(output.find("valid: lpips, color") != std::string::npos, output.c_str());
    rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind psych-accuracy --analysis " + m_plain.toStdString() + " --out "
            + m_dir + "/cli-bad.png",
        &output);
    QCOMPARE(rc, 1);
    QVERIFY2(output.find("psych import") != std::string::npos, output.c_str());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(m_dir + "/cli-bad.png")));
}

void TestPsychView::screenshots_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1280x800") << QSize(1280, 800);
    QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void TestPsychView::screenshots()
{
    // The view at common screen sizes (saved to $REPALIGN_SCREENSHOTS for a look by eye): the
    // plots keep a usable size and the tables stay visible.
    QFETCH(QSize, size);
    DistributionsView tab;
    tab.resize(size.width(), size.height() - 120); // the window's menu, tabs and job dock take the rest
    tab.views()->setCurrentWidget(tab.psychView());
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    PsychView* view = tab.psychView();
    const QString shots = qEnvironmentVariable("REPALIGN_SCREENSHOTS");
    if (!shots.isEmpty())
        tab.grab().save(QStringLiteral("%1/psychview-empty-%2x%3.png").arg(shots).arg(size.width()).arg(size.height()));
    QSignalSpy shown(view, &PsychView::shown);
    view->openFile(m_simulated);
    QVERIFY(shown.wait(5000));
    QCoreApplication::processEvents();
    for (QCustomPlot* p : {view->accuracyPlot(), view->lpipsPlot(), view->colorPlot()}) {
        QVERIFY2(p->width() >= 300 && p->height() >= 240, qPrintable(QStringLiteral("%1 x %2").arg(p->width()).arg(p->height())));
        QVERIFY(p->visibleRegion().boundingRect().size() == p->size());
    }
    QVERIFY(view->modelTable()->height() >= 80);
    if (!shots.isEmpty())
        tab.grab().save(QStringLiteral("%1/psychview-%2x%3.png").arg(shots).arg(size.width()).arg(size.height()));
}

QTEST_MAIN(TestPsychView)
#include "test_psychview.moc"
