// The Behaviour view and its figures: two behaviour files (/behaviour) read back and drawn,
// the plotted values against the fixtures' own numbers (PGD and corruption curves, heat-map
// cells = tuned − baseline, reliability bins, human-agreement bars with their CIs), the view's
// file discovery off the UI thread, its notes and empty state, every figure kind exported at
// every preset through the path `repalign-cli figure` uses, and the Setup form's behave job.
#include "behaveformpanel.h"
#include "behaviour_fixture.h"
#include "behaviourplots.h"
#include "behaviourview.h"
#include "corejobs.h"
#include "distributionsview.h"
#include "figureexport.h"
#include "mainwindow.h"
#include "monitorview.h"
#include "neuronsview.h"
#include "qcp.h"
#include "setuppanel.h"
#include "test_gui_fixtures.h"
#include "testutil.h"

#include "behaviour/behaviour_compare.h"
#include "common/error.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QtTest>

using namespace repalign;
using namespace repalign::gui;

namespace {

QSizeF pdfMediaBox(const QString& path)
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

QVector<double> keys(const QCPGraph* g)
{
    QVector<double> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        out << it->key;
    return out;
}

QVector<double> values(const QCPGraph* g)
{
    QVector<double> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        out << it->value;
    return out;
}

/// The graphs of @p plot drawn on the axis rect @p panel (0 = leftmost).
QList<QCPGraph*> graphsOf(QCustomPlot* plot, int panel)
{
    QList<QCPGraph*> out;
    QCPAxisRect* rect = plot->axisRects().value(panel);
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->keyAxis()->axisRect() == rect)
            out << plot->graph(i);
    return out;
}

void compareSeries(const QVector<double>& got, const std::vector<double>& want)
{
    QCOMPARE(got.size(), static_cast<int>(want.size()));
    for (int i = 0; i < got.size(); ++i)
        QVERIFY2(std::abs(got[i] - want[static_cast<std::size_t>(i)]) < 1e-12,
            qPrintable(QStringLiteral("%1: %2 vs %3").arg(i).arg(got[i]).arg(want[static_cast<std::size_t>(i)])));
}

/// With REPALIGN_TEST_KEEP=DIR the figures and window grabs are copied there for a look by eye.
void keep(const QString& file)
{
    const QString dir = qEnvironmentVariable("REPALIGN_TEST_KEEP");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    const QString to = QDir(dir).filePath(QFileInfo(file).fileName());
    QFile::remove(to);
    QFile::copy(file, to);
}

} // namespace

class TestBehaviourView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void robustnessCurves();
    void corruptionHeatmap();
    void reliabilityDiagram();
    void humanAgreementBars();
    void mismatchNotes();
    void exportEveryKind_data();
    void exportEveryKind();
    void cliFigure();
    void viewFindsAndDrawsFiles();
    void viewEmptyStateAndErrors();
    void behaveForm();
    void mainWindowLayout();
    void demoFinishedShowsBehaviour();

private:
    std::string m_dir;
    QString m_base, m_tuned, m_plain, m_other, m_base19, m_tuned19;
    behaviour::BehaviourData m_b, m_t;
};

void TestBehaviourView::initTestCase()
{
    m_dir = testutil::tempDir("behaviourview");
    QDir().mkpath(QString::fromStdString(m_dir + "/baseline/analysis"));
    QDir().mkpath(QString::fromStdString(m_dir + "/tuned/analysis"));
    m_base = QString::fromStdString(m_dir + "/baseline/analysis/behave.h5");
    m_tuned = QString::fromStdString(m_dir + "/tuned/analysis/behave.h5");
    behavefixture::Options o;
    m_b = behavefixture::makeBehaviour(o);
    behavefixture::Options ot;
    ot.seed = 2;
    ot.skill = 0.9;
    ot.corruptions = {"contrast", "gaussian_noise", "frost"}; // another order, fog missing, frost added
    m_t = behavefixture::makeBehaviour(ot);
    behavefixture::writeBehaviourFile(m_base.toStdString(), m_b);
    behavefixture::writeBehaviourFile(m_tuned.toStdString(), m_t);
    // An analysis without /behaviour (skipped by the view) and a behaviour file with other PGD settings.
    m_plain = QString::fromStdString(m_dir + "/baseline/analysis/layer4.h5");
    guifixture::writeSyntheticAnalysis(m_plain.toStdString(), 8, 5, 3);
    // All 19 CIFAR-10-C corruptions, for the exported figures.
    m_base19 = QString::fromStdString(m_dir + "/base19.h5");
    m_tuned19 = QString::fromStdString(m_dir + "/tuned19.h5");
    behavefixture::Options o19;
    o19.corruptions = behavefixture::allCorruptions();
    behavefixture::writeBehaviourFile(m_base19.toStdString(), behavefixture::makeBehaviour(o19));
    o19.seed = 5;
    o19.skill = 0.9;
    behavefixture::writeBehaviourFile(m_tuned19.toStdString(), behavefixture::makeBehaviour(o19));
    m_other = QString::fromStdString(m_dir + "/other.h5");
    behavefixture::Options oo;
    oo.seed = 3;
    oo.pgdSteps = 20;
    oo.human = false;
    oo.corruptions.clear();
    behavefixture::writeBehaviourFile(m_other.toStdString(), behavefixture::makeBehaviour(oo));
}

void TestBehaviourView::robustnessCurves()
{
    const QList<BehaviourModel> models = {loadBehaviourModel(m_base), loadBehaviourModel(m_tuned, QStringLiteral("tuned"))};
    QCOMPARE(models[0].label, QStringLiteral("baseline")); // the run of RUN/analysis/behave.h5
    QCustomPlot plot;
    plotRobustness(&plot, models);
    QCOMPARE(plot.axisRects().size(), 3); // L∞, L2, corruptions
    for (int m = 0; m < 2; ++m) {
        const behaviour::BehaviourData& d = m == 0 ? m_b : m_t;
        // L∞: ε in 1/255 steps, starting at the clean accuracy of the attacked images (no ε = 0 in the file).
        const QList<QCPGraph*> linf = graphsOf(&plot, 0);
        QCOMPARE(linf.size(), 2);
        double clean = 0;
        for (std::int64_t i : d.pgd[0].imageIndices)
            clean += d.correct[static_cast<std::size_t>(i)];
        clean /= static_cast<double>(d.pgd[0].imageIndices.size());
        compareSeries(keys(linf[m]), {0.0, 1.0, 2.0, 4.0});
        compareSeries(values(linf[m]), {clean, d.pgd[0].accuracy[0], d.pgd[0].accuracy[1], d.pgd[0].accuracy[2]});
        QCOMPARE(linf[m]->name(), models[m].label);
        // L2 holds ε = 0 itself: drawn as stored.
        const QList<QCPGraph*> l2 = graphsOf(&plot, 1);
        compareSeries(keys(l2[m]), d.pgd[1].eps);
        compareSeries(values(l2[m]), d.pgd[1].accuracy);
        // Corruptions: severity 0 = clean accuracy, then the mean over corruptions per severity.
        const QList<QCPGraph*> corr = graphsOf(&plot, 2);
        std::vector<double> want {d.accuracy};
        for (int s = 0; s < 5; ++s) {
            double sum = 0;
            for (std::size_t c = 0; c < d.corruption.names.size(); ++c)
                sum += d.corruption.accuracy[c * 5 + static_cast<std::size_t>(s)];
            want.push_back(sum / static_cast<double>(d.corruption.names.size()));
        }
        compareSeries(values(corr[m]), want);
        compareSeries(keys(corr[m]), {0, 1, 2, 3, 4, 5});
    }
    // One legend entry per model, not per panel.
    QCOMPARE(plot.legend->itemCount(), 2);
    // Only PGD, only corruptions.
    plotRobustness(&plot, models, parseRobustnessPanels(QStringLiteral("pgd")));
    QCOMPARE(plot.axisRects().size(), 2);
    plotRobustness(&plot, models, parseRobustnessPanels(QStringLiteral("corruption")));
    QCOMPARE(plot.axisRects().size(), 1);
    QCOMPARE(plot.graphCount(), 2);
    bool threw = false;
    try {
        parseRobustnessPanels(QStringLiteral("fgsm"));
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("all, pgd, corruption"));
    }
    QVERIFY(threw);
    // A file without corruptions cannot draw the corruption panel alone: one line saying how to add them.
    threw = false;
    try {
        plotRobustness(&plot, {loadBehaviourModel(m_other)}, RobustnessPanels::Corruption);
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("--corruptions"));
    }
    QVERIFY(threw);
}

void TestBehaviourView::corruptionHeatmap()
{
    const BehaviourModel base = loadBehaviourModel(m_base), tuned = loadBehaviourModel(m_tuned, QStringLiteral("tuned"));
    QCustomPlot plot;
    plotCorruptionHeatmap(&plot, base, tuned);
    QCPColorMap* map = nullptr;
    for (int i = 0; i < plot.plottableCount(); ++i)
        if (plot.plottable(i)->name() == QLatin1String("difference"))
            map = qobject_cast<QCPColorMap*>(plot.plottable(i));
    QVERIFY(map);
    // The shared corruptions in the baseline's order: gaussian_noise, contrast (fog and frost are in one file only).
    QCOMPARE(map->data()->keySize(), 2);
    QCOMPARE(map->data()->valueSize(), 5);
    const std::size_t baseRow[2] = {0, 2}, tunedRow[2] = {1, 0};
    for (int c = 0; c < 2; ++c)
        for (int s = 0; s < 5; ++s) {
            const double want = m_t.corruption.accuracy[tunedRow[c] * 5 + static_cast<std::size_t>(s)]
                - m_b.corruption.accuracy[baseRow[c] * 5 + static_cast<std::size_t>(s)];
            QVERIFY2(std::abs(map->data()->cell(c, s) - want) < 1e-12, qPrintable(QStringLiteral("cell %1,%2").arg(c).arg(s)));
        }
    // Symmetric colour range around 0.
    QCOMPARE(map->dataRange().lower, -map->dataRange().upper);
    const CorruptionDifference d = corruptionDifference(base, tuned);
    QCOMPARE(d.names, (std::vector<std::string> {"gaussian_noise", "contrast"}));
    QCOMPARE(d.notes.size(), 2);
    QVERIFY2(d.notes.join(QLatin1Char('|')).contains(QStringLiteral("fog")), qPrintable(d.notes.join(QLatin1Char('|'))));
    // The tick labels name the corruptions.
    auto* ticker = dynamic_cast<QCPAxisTickerText*>(plot.axisRect()->axis(QCPAxis::atBottom)->ticker().data());
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().value(0), QStringLiteral("gaussian noise"));
    // A file without corruption results: one line naming it.
    bool threw = false;
    try {
        plotCorruptionHeatmap(&plot, base, loadBehaviourModel(m_other));
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(m_other)
            && QString::fromUtf8(e.what()).contains(QStringLiteral("--corruptions"));
    }
    QVERIFY(threw);
}

void TestBehaviourView::reliabilityDiagram()
{
    const QList<BehaviourModel> models = {loadBehaviourModel(m_base), loadBehaviourModel(m_tuned, QStringLiteral("tuned"))};
    QCustomPlot plot;
    plotReliability(&plot, models);
    QCOMPARE(plot.graphCount(), 3); // the diagonal and one line per model
    compareSeries(keys(plot.graph(0)), {0.0, 1.0});
    compareSeries(values(plot.graph(0)), {0.0, 1.0});
    for (int m = 0; m < 2; ++m) {
        const behaviour::CalibrationResult& c = (m == 0 ? m_b : m_t).calibration;
        QCPGraph* g = plot.graph(1 + m);
        // The empty first bin is left out.
        compareSeries(keys(g), std::vector<double>(c.binConfidence.begin() + 1, c.binConfidence.end()));
        compareSeries(values(g), std::vector<double>(c.binAccuracy.begin() + 1, c.binAccuracy.end()));
        QCOMPARE(g->name(), QStringLiteral("%1 (ECE %2)").arg(models[m].label, QString::number(c.ece, 'f', 3)));
    }
    QCOMPARE(plot.legend->itemCount(), 2); // no entry for the diagonal
}

void TestBehaviourView::humanAgreementBars()
{
    const QList<BehaviourModel> models
        = {loadBehaviourModel(m_base), loadBehaviourModel(m_tuned, QStringLiteral("tuned")), loadBehaviourModel(m_other)};
    QCustomPlot plot;
    plotHumanAgreement(&plot, models);
    QCOMPARE(plot.axisRects().size(), 3);
    QList<QCPBars*> bars;
    QList<QCPErrorBars*> errors;
    for (int i = 0; i < plot.plottableCount(); ++i) {
        if (auto* b = qobject_cast<QCPBars*>(plot.plottable(i)))
            bars << b;
        if (auto* e = qobject_cast<QCPErrorBars*>(plot.plottable(i)))
            errors << e;
    }
    QCOMPARE(bars.size(), 3 * 2); // the third file has no human results: no bar
    QCOMPARE(errors.size(), 3 * 2);
    for (int p = 0; p < 3; ++p)
        for (int m = 0; m < 2; ++m) {
            const behaviour::HumanResult& h = (m == 0 ? m_b : m_t).human;
            const double want[3] = {h.crossEntropy, h.agreement, h.kappaMedian};
            const behaviour::Interval2 ci[3] = {h.crossEntropyCI, h.agreementCI, h.kappaCI};
            QCPBars* b = bars[p * 2 + m];
            QCOMPARE(b->keyAxis()->axisRect(), plot.axisRects()[p]);
            QCOMPARE(b->data()->at(0)->key, static_cast<double>(m));
            QCOMPARE(b->data()->at(0)->value, want[p]);
            QCPErrorBars* e = errors[p * 2 + m];
            QCOMPARE(e->dataPlottable(), static_cast<QCPAbstractPlottable*>(b));
            QVERIFY(std::abs(e->data()->at(0).errorMinus - (want[p] - ci[p].low)) < 1e-12);
            QVERIFY(std::abs(e->data()->at(0).errorPlus - (ci[p].high - want[p])) < 1e-12);
        }
    QCOMPARE(plot.legend->itemCount(), 2);
    bool threw = false;
    try {
        plotHumanAgreement(&plot, {loadBehaviourModel(m_other)});
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("--human"));
    }
    QVERIFY(threw);
}

void TestBehaviourView::mismatchNotes()
{
    const QStringList same = behaviourMismatchNotes({loadBehaviourModel(m_base), loadBehaviourModel(m_base)});
    QVERIFY2(same.isEmpty(), qPrintable(same.join(QLatin1Char('\n'))));
    const QStringList notes = behaviourMismatchNotes({loadBehaviourModel(m_base), loadBehaviourModel(m_other)});
    const QString all = notes.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QStringLiteral("10 vs 20 steps")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("only baseline has human results")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("only baseline has corruption results")), qPrintable(all));
    for (const QString& n : notes)
        QVERIFY2(!n.contains(QLatin1Char('\n')), qPrintable(n));
    const QString corr
        = behaviourMismatchNotes({loadBehaviourModel(m_base), loadBehaviourModel(m_tuned)}).join(QLatin1Char('\n'));
    QVERIFY2(corr.contains(QStringLiteral("different corruption sets")), qPrintable(corr));
}

void TestBehaviourView::exportEveryKind_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("preset");
    for (const QString& kind : behaviourFigureKinds())
        for (FigurePreset p : {FigurePreset::Talk, FigurePreset::OneColumn, FigurePreset::TwoColumn})
            QTest::newRow(qPrintable(kind + QLatin1Char('-') + figurePresetInfo(p).key)) << kind << static_cast<int>(p);
}

void TestBehaviourView::exportEveryKind()
{
    QFETCH(QString, kind);
    QFETCH(int, preset);
    const FigurePresetInfo info = figurePresetInfo(static_cast<FigurePreset>(preset));
    const QList<BehaviourModel> models
        = {loadBehaviourModel(m_base19, QStringLiteral("baseline")), loadBehaviourModel(m_tuned19, QStringLiteral("tuned-hV4"))};
    QCustomPlot plot;
    plotBehaviourFigure(&plot, kind, models);
    const QString png = QString::fromStdString(m_dir) + QStringLiteral("/%1-%2.png").arg(kind, info.key);
    exportPlotFigure(&plot, png, info.preset, 100);
    keep(png);
    const QImage img(png);
    QCOMPARE(img.size(), QSize(qRound(info.inches.width() * 100), qRound(info.inches.height() * 100)));
    int dark = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2)
            dark += qGray(img.pixel(x, y)) < 128;
    QVERIFY2(dark > 50, "a blank figure");
    const QString pdf = QString::fromStdString(m_dir) + QStringLiteral("/%1-%2.pdf").arg(kind, info.key);
    exportPlotFigure(&plot, pdf, info.preset);
    QVERIFY(std::abs(pdfMediaBox(pdf).width() - info.inches.width() * 72) < 1.0);
    QVERIFY(std::abs(pdfMediaBox(pdf).height() - info.inches.height() * 72) < 1.0);
}

void TestBehaviourView::cliFigure()
{
    const FigurePresetInfo talk = figurePresetInfo(FigurePreset::Talk);
    const FigurePresetInfo column = figurePresetInfo(FigurePreset::OneColumn);
    const std::string cli = REPALIGN_CLI;
    const std::string two = " --analysis " + m_base.toStdString() + " --analysis " + m_tuned.toStdString();
    struct Case {
        std::string args, out;
        const FigurePresetInfo* info;
    };
    const std::vector<Case> cases = {{"--kind robustness" + two + " --preset talk", m_dir + "/rob.pdf", &talk},
        {"--kind robustness" + two + " --metric pgd --preset column", m_dir + "/rob.png", &column},
        {"--kind corruption-heatmap" + two + " --labels base,tuned --preset column", m_dir + "/heat.png", &column},
        {"--kind reliability" + two + " --preset talk", m_dir + "/rel.png", &talk},
        {"--kind human-agreement" + two + " --preset talk", m_dir + "/human.svg", &talk}};
    for (const Case& c : cases) {
        std::string output;
        const int rc = testutil::run(cli + " figure " + c.args + " --out " + c.out + " --dpi 100", &output);
        QVERIFY2(rc == 0, (c.args + "\n" + output).c_str());
        const QString out = QString::fromStdString(c.out);
        if (out.endsWith(QLatin1String(".png")))
            QCOMPARE(QImage(out).size(), QSize(qRound(c.info->inches.width() * 100), qRound(c.info->inches.height() * 100)));
        else if (out.endsWith(QLatin1String(".pdf")))
            QVERIFY(std::abs(pdfMediaBox(out).width() - c.info->inches.width() * 72) < 1.0);
        else
            QVERIFY(QFileInfo(out).size() > 0);
    }
    // One line for a file without /behaviour, and for a heat map of one file.
    std::string output;
    int rc = testutil::run(
        cli + " figure --kind reliability --analysis " + m_plain.toStdString() + " --out " + m_dir + "/x.png", &output);
    QCOMPARE(rc, 1);
    QVERIFY2(output.find("no /behaviour") != std::string::npos, output.c_str());
    rc = testutil::run(
        cli + " figure --kind corruption-heatmap --analysis " + m_base.toStdString() + " --out " + m_dir + "/x.png", &output);
    QCOMPARE(rc, 1);
    QVERIFY2(output.find("two behaviour files") != std::string::npos, output.c_str());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(m_dir + "/x.png")));
}

void TestBehaviourView::viewFindsAndDrawsFiles()
{
    BehaviourView view;
    view.resize(1200, 700);
    view.show();
    QSignalSpy shown(&view, &BehaviourView::shown);
    view.setAvailableFiles({m_base, m_plain, m_tuned});
    QTRY_COMPARE(view.files(), (QStringList {m_base, m_tuned}));
    QVERIFY(!view.showsEmptyState());
    QTRY_VERIFY(shown.count() >= 1);
    QTRY_COMPARE(view.models().size(), 2);
    QCOMPARE(view.baseFile(), m_base);
    QCOMPARE(view.tunedFile(), m_tuned);
    // Both runs' files are named behave.h5: labelled by run.
    QCOMPARE(view.models()[0].label, QStringLiteral("baseline"));
    QCOMPARE(view.models()[1].label, QStringLiteral("tuned"));
    // Every page drawn, with the values of the files.
    for (const QString& kind : behaviourFigureKinds())
        QVERIFY2(view.pageNote(kind).isEmpty(), qPrintable(kind + QStringLiteral(": ") + view.pageNote(kind)));
    QCustomPlot* rob = view.plot(QStringLiteral("robustness"));
    compareSeries(values(graphsOf(rob, 1)[1]), m_t.pgd[1].accuracy);
    QCPColorMap* map = nullptr;
    QCustomPlot* heat = view.plot(QStringLiteral("corruption-heatmap"));
    for (int i = 0; i < heat->plottableCount(); ++i)
        if (heat->plottable(i)->name() == QLatin1String("difference"))
            map = qobject_cast<QCPColorMap*>(heat->plottable(i));
    QVERIFY(map);
    QVERIFY(std::abs(map->data()->cell(0, 0) - (m_t.corruption.accuracy[5] - m_b.corruption.accuracy[0])) < 1e-12);
    QVERIFY2(view.note().contains(QStringLiteral("different corruption sets")), qPrintable(view.note()));
    // The export button and the context menu hand the page's plot and kind to the main window.
    QSignalSpy exports(&view, &BehaviourView::exportPlotRequested);
    view.pages()->setCurrentIndex(2);
    const auto buttons = view.findChildren<QPushButton*>();
    for (QPushButton* b : buttons)
        if (b->text().contains(QStringLiteral("Export")))
            b->click();
    QCOMPARE(exports.size(), 1);
    QCOMPARE(exports[0][1].toString(), QStringLiteral("reliability"));
    // Another tuned file: read in the background, the notes follow.
    shown.clear();
    view.openFile(m_other, true);
    QVERIFY(shown.wait(5000));
    QCOMPARE(view.tunedFile(), m_other);
    QVERIFY2(view.note().contains(QStringLiteral("10 vs 20 steps")), qPrintable(view.note()));
    QVERIFY2(view.pageNote(QStringLiteral("corruption-heatmap")).contains(QStringLiteral("--corruptions")),
        qPrintable(view.pageNote(QStringLiteral("corruption-heatmap"))));
    QVERIFY(view.pageNote(QStringLiteral("human-agreement")).isEmpty()); // the baseline's bars alone
    // The baseline alone: the heat map asks for a tuned file.
    shown.clear();
    view.setFiles(m_base, QString());
    QVERIFY(shown.wait(5000));
    QCOMPARE(view.models().size(), 1);
    QVERIFY(view.pageNote(QStringLiteral("corruption-heatmap")).contains(QStringLiteral("tuned")));
    QVERIFY(view.note().isEmpty());
    // Layout at the main window's sizes, kept for a look.
    for (const QSize size : {QSize(1180, 640), QSize(1820, 900)}) {
        view.setFiles(m_base, m_tuned);
        QVERIFY(shown.wait(5000));
        view.resize(size);
        QCoreApplication::processEvents();
        for (int page = 0; page < view.pages()->count(); ++page) {
            view.pages()->setCurrentIndex(page);
            QCoreApplication::processEvents();
            const QString grab = QString::fromStdString(m_dir)
                + QStringLiteral("/view-%1x%2-%3.png").arg(size.width()).arg(size.height()).arg(page);
            QVERIFY(view.grab().save(grab));
            keep(grab);
        }
    }
}

void TestBehaviourView::viewEmptyStateAndErrors()
{
    BehaviourView view;
    view.setAvailableFiles({m_plain});
    QTest::qWait(50);
    QTRY_VERIFY(view.files().isEmpty());
    QVERIFY(view.showsEmptyState());
    QVERIFY2(view.emptyText().contains(QStringLiteral("repalign-cli behave --checkpoint")), qPrintable(view.emptyText()));
    // A file opened by hand that has no /behaviour: one line naming it.
    QSignalSpy shown(&view, &BehaviourView::shown);
    view.openFile(m_plain);
    QVERIFY(shown.wait(5000));
    QVERIFY(!view.showsEmptyState());
    QVERIFY2(view.note().contains(QStringLiteral("no /behaviour")) && view.note().contains(m_plain), qPrintable(view.note()));
    QVERIFY(!view.pageNote(QStringLiteral("robustness")).isEmpty());
    // An opened file stays offered when the project's list changes.
    view.setAvailableFiles({m_base});
    QTRY_COMPARE(view.files(), (QStringList {m_base, m_plain}));
    QCOMPARE(view.baseFile(), m_plain);
}

void TestBehaviourView::behaveForm()
{
    // A run with a checkpoint file (the form checks that it exists; the job would read it).
    const QString run = QString::fromStdString(m_dir + "/project/baseline");
    QDir().mkpath(run + QStringLiteral("/checkpoints"));
    const QString ckpt = run + QStringLiteral("/checkpoints/best_acc.pt");
    testutil::writeText(ckpt.toStdString(), "not read by the form");
    BehaveFormPanel form;
    form.setCheckpoint(ckpt);
    form.setData(QStringLiteral("shapes:40"));
    QVERIFY2(form.validateNow(), qPrintable(form.errorText()));
    behaviour::BehaveOptions o = form.options();
    QCOMPARE(QString::fromStdString(o.checkpoint), ckpt);
    QCOMPARE(o.pgd.size(), std::size_t(1)); // L∞ 1,2,4,8 by default
    QCOMPARE(o.pgd[0].norm, std::string("linf"));
    QCOMPARE(o.pgd[0].eps, (behaviour::parsePgdRequest("linf:1,2,4,8").eps));
    // Validation as you type, beside the field the message names.
    auto* l2 = qobject_cast<QLineEdit*>(form.field(QStringLiteral("pgd-l2")));
    QVERIFY(l2);
    l2->setText(QStringLiteral("0.25,x"));
    QVERIFY(!form.validateNow());
    QVERIFY2(!form.fieldError(QStringLiteral("pgd-l2")).isEmpty(), qPrintable(form.errorText()));
    l2->setText(QStringLiteral("0.25,0.5"));
    QVERIFY(form.validateNow());
    auto* raw = qobject_cast<QLineEdit*>(form.field(QStringLiteral("human-raw")));
    raw->setText(m_plain); // an existing file, but no --human
    QVERIFY(!form.validateNow());
    QVERIFY2(form.fieldError(QStringLiteral("human-raw")).contains(QStringLiteral("human labels")), qPrintable(form.errorText()));
    raw->clear();
    auto* data = qobject_cast<QLineEdit*>(form.field(QStringLiteral("data")));
    data->setText(QStringLiteral("pictures:/nowhere"));
    QVERIFY(!form.validateNow());
    QVERIFY(!form.fieldError(QStringLiteral("data")).isEmpty());
    data->setText(QStringLiteral("shapes:40"));
    qobject_cast<QCheckBox*>(form.field(QStringLiteral("pgd-random-start")))->setChecked(true);
    QVERIFY(form.validateNow());
    // The command line the CLI takes: the form's settings as behave options.
    const QString args = form.cliArguments(QStringLiteral("/tmp/out dir/b.h5")).join(QLatin1Char(' '));
    for (const char* want : {"--pgd linf:1,2,4,8", "--pgd l2:0.25,0.5", "--data shapes:40", "--pgd-random-start on",
             "--pgd-steps 10", "--split test", "--out '/tmp/out dir/b.h5'"})
        QVERIFY2(args.contains(QLatin1String(want)), qPrintable(args));
    QVERIFY(!args.contains(QStringLiteral("--human")));
    // Save YAML and load it into a fresh form: the same settings.
    const QString yamlPath = QString::fromStdString(m_dir + "/behave.yaml");
    testutil::writeText(yamlPath.toStdString(), form.yaml().toStdString());
    BehaveFormPanel loaded;
    loaded.loadYamlFile(yamlPath);
    QCOMPARE(loaded.overrides(), form.overrides());
    QCOMPARE(loaded.options().pgdRandomStart, true);
    testutil::writeText(m_dir + "/bad.yaml", "checkpoint: a.pt\nepochs: 3\n");
    bool threw = false;
    try {
        loaded.loadYamlFile(QString::fromStdString(m_dir + "/bad.yaml"));
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("key 'epochs'"));
    }
    QVERIFY(threw);
    // Launch from the Setup tab: the behave job writing RUN/analysis/<name>.h5.
    SetupPanel setup;
    setup.setProjectPath(QString::fromStdString(m_dir + "/project"));
    setup.showForm(3);
    QCOMPARE(setup.currentForm(), static_cast<ConfigForm*>(setup.behaveForm()));
    setup.behaveForm()->setCheckpoint(ckpt);
    setup.behaveForm()->setData(QStringLiteral("shapes:40"));
    const JobSpec spec = setup.buildJob();
    QCOMPARE(spec.kind, QStringLiteral("behave"));
    QCOMPARE(QFileInfo(spec.runDir).absoluteFilePath(), QFileInfo(run).absoluteFilePath());
    QVERIFY(spec.title.contains(QStringLiteral("behave.h5")));
    // Export for cluster: the whole command line in the script.
    const QString script = setup.exportForCluster(QString::fromStdString(m_dir + "/cluster"));
    const QString text = QString::fromStdString(testutil::readText(script.toStdString()));
    QVERIFY2(text.contains(QStringLiteral("\"$REPALIGN_CLI\" behave --checkpoint"))
            && text.contains(QStringLiteral("--out analysis/behave.h5")),
        qPrintable(text));
}

void TestBehaviourView::mainWindowLayout()
{
    // The Behaviour sub-page of Distributions and the Setup form at the window sizes the README
    // names; the grabs are kept with REPALIGN_TEST_KEEP for a look.
    const QString project = QString::fromStdString(m_dir + "/window-project");
    QDir().mkpath(project);
    MainWindow window;
    window.openProject(project);
    BehaviourView* view = window.distributions()->behaviourView();
    QTabWidget* views = window.distributions()->views();
    QCOMPARE(views->tabText(views->indexOf(view)), QStringLiteral("Behaviour"));
    QSignalSpy shown(view, &BehaviourView::shown);
    view->setFiles(m_base, m_tuned);
    QVERIFY(shown.wait(5000));
    for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
        window.resize(size);
        window.show();
        window.tabs()->setCurrentWidget(window.distributions());
        views->setCurrentWidget(view);
        QCoreApplication::processEvents();
        QVERIFY2(view->height() >= 400, qPrintable(QString::number(view->height())));
        for (int page = 0; page < view->pages()->count(); ++page) {
            view->pages()->setCurrentIndex(page);
            QCoreApplication::processEvents();
            QCustomPlot* plot = view->plot(behaviourFigureKinds()[page]);
            QVERIFY2(plot->height() >= 200, qPrintable(QString::number(plot->height())));
            const QString grab = QString::fromStdString(m_dir) + QStringLiteral("/window-%1-%2.png").arg(size.width()).arg(page);
            QVERIFY(window.grab().save(grab));
            keep(grab);
        }
        window.tabs()->setCurrentWidget(window.setup());
        window.setup()->showForm(3);
        QCoreApplication::processEvents();
        const QString grab = QString::fromStdString(m_dir) + QStringLiteral("/window-%1-setup.png").arg(size.width());
        QVERIFY(window.grab().save(grab));
        keep(grab);
    }
}

void TestBehaviourView::demoFinishedShowsBehaviour()
{
    // A demo-like project: two runs, each with analysis/behaviour.h5 as the demo writes them. The
    // job stands in for runDemo (which trains for minutes): it fills the DemoResult the way the
    // demo does, with the real behaviour comparison, and the window takes the queue's finished path.
    const QString project = QString::fromStdString(m_dir + "/demo-project");
    const QString base = project + QStringLiteral("/baseline/analysis/behaviour.h5");
    const QString tuned = project + QStringLiteral("/neural-tuned/analysis/behaviour.h5");
    for (const QString& f : {base, tuned})
        QDir().mkpath(QFileInfo(f).absolutePath());
    QVERIFY(QFile::copy(m_base, base));
    QVERIFY(QFile::copy(m_tuned, tuned));
    QDir().mkpath(project + QStringLiteral("/data/demo-cifar"));
    testutil::writeText(project.toStdString() + "/data/demo-cifar/test_batch.bin", "not read");
    for (const char* run : {"baseline", "neural-tuned"})
        testutil::writeText(project.toStdString() + "/" + run + "/status.json", "{\"state\": \"finished\"}\n");
    MainWindow window;
    window.openProject(project);
    window.resize(1280, 800);
    window.show();
    BehaviourView* view = window.distributions()->behaviourView();
    // The demo's data is the Behaviour form's default in its project.
    QCOMPARE(qobject_cast<QLineEdit*>(window.setup()->behaveForm()->field(QStringLiteral("data")))->text(),
        QStringLiteral("cifar10:") + project + QStringLiteral("/data/demo-cifar"));
    QCOMPARE(window.demoResultText(), QString());
    auto result = std::make_shared<DemoResult>();
    JobSpec spec;
    spec.kind = QStringLiteral("demo");
    spec.title = QStringLiteral("Demo pipeline");
    spec.work = [result, base, tuned](ProgressSink&, const CancelToken&) {
        result->baselineRun = QFileInfo(base).dir().absoluteFilePath(QStringLiteral("..")).toStdString();
        result->baselineBehaviour = base.toStdString();
        result->tunedBehaviour = tuned.toStdString();
        result->behaviourComparison = behaviour::formatBehaviourComparison(
            behaviour::compareBehaviour({base.toStdString(), tuned.toStdString()}, {"Baseline", "Neural-tuned"}), "text");
        result->summary = {"baseline: 1 epochs, val acc 0.5", "behaviour (200 test images): 1.0 s"};
        result->status = JobStatus::Finished;
        JobOutcome out;
        out.message = QStringLiteral("done");
        return out;
    };
    QSignalSpy shown(view, &BehaviourView::shown);
    window.launchDemo(spec, result);
    QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.monitor()));
    // Landed on Distributions > Behaviour with both files, read off the UI thread.
    QTRY_COMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.distributions()));
    QCOMPARE(window.distributions()->views()->currentWidget(), static_cast<QWidget*>(view));
    QCOMPARE(view->baseFile(), base);
    QCOMPARE(view->tunedFile(), tuned);
    QTRY_COMPARE(view->models().size(), 2);
    QTRY_VERIFY(shown.count() >= 1);
    for (const QString& kind : behaviourFigureKinds())
        QVERIFY2(view->pageNote(kind).isEmpty(), qPrintable(kind + QStringLiteral(": ") + view->pageNote(kind)));
    // The demo's summary with the behaviour comparison lines, as the CLI prints them.
    const QString text = window.demoResultText();
    QVERIFY2(text.startsWith(QStringLiteral("Demo finished. baseline: 1 epochs")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Behaviour, baseline vs neural-tuned:")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Neural-tuned")) && text.contains(QStringLiteral("McNemar")), qPrintable(text));
    QVERIFY(!text.contains(QStringLiteral("II-LPIPS, baseline vs"))); // no II table in this result
    // Both tables: the behaviour one first, above the II one.
    result->comparison = "II-LPIPS per analysis\n";
    const QString both = demoComparisonText(*result);
    QVERIFY2(both.indexOf(QStringLiteral("Behaviour, baseline")) < both.indexOf(QStringLiteral("II-LPIPS, baseline")),
        qPrintable(both));
    // The view keeps room for its plots under the panel at 1280x800.
    QCoreApplication::processEvents();
    QVERIFY2(view->height() >= 400, qPrintable(QString::number(view->height())));
    const QString grab = QString::fromStdString(m_dir) + QStringLiteral("/window-demo-finished.png");
    QVERIFY(window.grab().save(grab));
    keep(grab);
    // On another tab the panel keeps its summary line only.
    auto* tables = window.findChild<QPlainTextEdit*>(QStringLiteral("demoTables"));
    QVERIFY(tables && tables->isVisible());
    window.tabs()->setCurrentWidget(window.neurons());
    QVERIFY(!tables->isVisible());
    // A failed demo leaves the window where it is and shows no result.
    window.tabs()->setCurrentWidget(window.setup());
    auto failed = std::make_shared<DemoResult>();
    JobSpec bad = spec;
    bad.work = [](ProgressSink&, const CancelToken&) -> JobOutcome { throw Error("demo data missing"); };
    const int id = window.launchDemo(bad, failed);
    QTRY_COMPARE(window.jobs()->jobState(id), RunState::Failed);
    QCoreApplication::processEvents();
    QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(window.monitor()));
    QCOMPARE(window.demoResultText(), QString());
}

QTEST_MAIN(TestBehaviourView)
#include "test_behaviourview.moc"
