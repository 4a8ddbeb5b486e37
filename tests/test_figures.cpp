// Figure export: PNG/SVG/PDF of the preset's size (PNG pixels = inches x dpi, SVG width in mm,
// PDF MediaBox in points), for plots and whole widgets, from the GUI code and `repalign-cli figure`.
#include "alignmentplot.h"
#include "alignmentview.h"
#include "behaviour_fixture.h"
#include "behaviourplots.h"
#include "distributionsview.h"
#include "figureexport.h"
#include "meigridfigure.h"
#include "metricsmodel.h"
#include "monitorview.h"
#include "neuronmodel.h"
#include "neuronsview.h"
#include "plotstyle.h"
#include "psychplots.h"
#include "qcp.h"
#include "test_gui_fixtures.h"
#include "testutil.h"

#include "common/error.h"
#include "io/h5.h"
#include "pipeline/align.h"
#include "psych/psych.h"
#include "psych/psych_internal.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QRegularExpression>
#include <QTableWidget>
#include <QtTest>

using namespace repalign;
using namespace repalign::gui;

namespace {

/// The /MediaBox of a one-page PDF, in points.
QSizeF pdfMediaBox(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = f.readAll();
    if (!data.startsWith("%PDF-"))
        return {};
    static const QRegularExpression re(
        QStringLiteral("/MediaBox\\s*\\[\\s*([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s*\\]"));
    const auto m = re.match(QString::fromLatin1(data));
    if (!m.hasMatch())
        return {};
    return QSizeF(m.captured(3).toDouble() - m.captured(1).toDouble(), m.captured(4).toDouble() - m.captured(2).toDouble());
}

/// A layer profile as `repalign-cli align` writes it: 2 models x 5 layers x 2 ROIs.
void writeAlignmentFixture(const std::string& path)
{
    H5File f(path, H5File::Mode::CreateAtomic);
    std::vector<double> r, n, rsa, cka;
    for (int m = 0; m < 2; ++m)
        for (int l = 0; l < 5; ++l)
            for (int roi = 0; roi < 2; ++roi) {
                r.push_back(0.1 + 0.05 * l + 0.02 * m + 0.03 * roi);
                n.push_back(0.2 + 0.04 * l);
                rsa.push_back(0.05 + 0.03 * l * (roi + 1) + 0.01 * m);
                cka.push_back(0.3 + 0.1 * l - 0.02 * l * l + 0.05 * m);
            }
    f.write("/alignment/r_median", H5Type::Float64, {2, 5, 2}, r.data());
    f.write("/alignment/normalized_median", H5Type::Float64, {2, 5, 2}, n.data());
    f.write("/alignment/rsa", H5Type::Float64, {2, 5, 2}, rsa.data());
    f.write("/alignment/cka", H5Type::Float64, {2, 5, 2}, cka.data());
    const std::vector<double> ceiling {0.4, 0.3};
    f.write("/alignment/rsa_ceiling", H5Type::Float64, {2}, ceiling.data());
    f.writeI64("/alignment/features", {2, 5}, std::vector<std::int64_t>(10, 4096));
    f.setAttr("/alignment", "models", std::string("baseline,tuned"));
    f.setAttr("/alignment", "checkpoints", std::string("a.pt,b.pt"));
    f.setAttr("/alignment", "layers", std::string("conv1,layer1,layer2,layer3,layer4"));
    f.setAttr("/alignment", "rois", std::string("V1,V4"));
    f.setAttr("/alignment", "bundle", std::string("vc.h5"));
    f.setAttr("/alignment", "max_features", std::int64_t(4096));
    f.setAttr("/alignment", "train_images", std::int64_t(80));
    f.setAttr("/alignment", "val_images", std::int64_t(20));
    f.commit();
}

/// SVG width/height converted to inches (QSvgGenerator writes millimetres).
QSizeF svgInches(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(f.readAll());
    static const QRegularExpression w(QStringLiteral("<svg[^>]*\\swidth=\"([0-9.]+)mm\""));
    static const QRegularExpression h(QStringLiteral("<svg[^>]*\\sheight=\"([0-9.]+)mm\""));
    const auto mw = w.match(text), mh = h.match(text);
    if (!mw.hasMatch() || !mh.hasMatch() || !text.contains(QStringLiteral("</svg>")))
        return {};
    return QSizeF(mw.captured(1).toDouble() / 25.4, mh.captured(1).toDouble() / 25.4);
}

void fillPlot(QCustomPlot& plot)
{
    stylePlot(&plot);
    auto* g = plot.addGraph();
    QVector<double> x, y;
    for (int i = 0; i < 200; ++i) {
        x << i;
        y << std::exp(-i / 50.0);
    }
    g->setData(x, y);
    g->setName(QStringLiteral("loss"));
    plot.legend->setVisible(true);
    plot.rescaleAxes();
}

/// Checks a figure's text as drawn: inside the canvas and inside its clip, no two pieces overlapping,
/// and every font at its preset size (tick labels, legend and captions at the preset's points,
/// axis titles and plot titles at theirs), in output pixels = points x dpi / 72.
void checkLegible(const FigureTextLayout& layout, const FigurePresetInfo& info, int dpi, const QStringList& mustShow)
{
    QVERIFY2(!layout.items.isEmpty(), "no text was drawn");
    const QRectF canvas(QPointF(0, 0), layout.canvas);
    const double tol = 0.75; // antialiasing slack, output pixels
    QStringList drawn;
    const double allowed[] = {info.fontPoints * dpi / 72.0, info.labelPoints() * dpi / 72.0, info.titlePoints() * dpi / 72.0};
    static const QRegularExpression numeric(QStringLiteral("^[-−+0-9.,eE×^ ]+$"));
    int ticks = 0;
    for (const FigureTextItem& t : layout.items) {
        drawn << t.text;
        const QString what = QStringLiteral("'%1' at (%2, %3, %4 x %5) px")
                                 .arg(t.text)
                                 .arg(t.rect.x(), 0, 'f', 1)
                                 .arg(t.rect.y(), 0, 'f', 1)
                                 .arg(t.rect.width(), 0, 'f', 1)
                                 .arg(t.rect.height(), 0, 'f', 1);
        QVERIFY2(canvas.adjusted(-tol, -tol, tol, tol).contains(t.rect),
            qPrintable(what + QStringLiteral(" leaves the %1 x %2 canvas").arg(canvas.width()).arg(canvas.height())));
        // QCustomPlot clips each element to its rect moved up one logical pixel: allow that pixel.
        const double clipTol = tol + dpi / kLayoutDpi;
        if (!t.clip.isNull())
            QVERIFY2(t.clip.adjusted(-clipTol, -clipTol, clipTol, clipTol).contains(t.rect),
                qPrintable(what
                    + QStringLiteral(" is clipped to (%1, %2, %3 x %4)")
                          .arg(t.clip.x(), 0, 'f', 1)
                          .arg(t.clip.y(), 0, 'f', 1)
                          .arg(t.clip.width(), 0, 'f', 1)
                          .arg(t.clip.height(), 0, 'f', 1)));
        bool sized = false;
        for (double px : allowed)
            sized = sized || std::abs(t.pixelSize - px) < 1e-6;
        QVERIFY2(sized,
            qPrintable(what
                + QStringLiteral(" has a %1 px font (allowed: %2, %3, %4)")
                      .arg(t.pixelSize)
                      .arg(allowed[0])
                      .arg(allowed[1])
                      .arg(allowed[2])));
        if (numeric.match(t.text).hasMatch()) { // tick labels
            ++ticks;
            QVERIFY2(std::abs(t.pixelSize - allowed[0]) < 1e-6,
                qPrintable(what + QStringLiteral(" is a tick label of %1 px, not %2").arg(t.pixelSize).arg(allowed[0])));
        }
    }
    for (int i = 0; i < layout.items.size(); ++i)
        for (int j = i + 1; j < layout.items.size(); ++j) {
            const QRectF a = layout.items[i].rect.adjusted(tol, tol, -tol, -tol);
            const QRectF b = layout.items[j].rect.adjusted(tol, tol, -tol, -tol);
            QVERIFY2(!a.intersects(b),
                qPrintable(QStringLiteral("'%1' and '%2' overlap").arg(layout.items[i].text, layout.items[j].text)));
        }
    for (const QString& text : mustShow)
        QVERIFY2(std::any_of(drawn.begin(), drawn.end(),
                     [&](const QString& d) { return d == text || d.startsWith(text + QLatin1Char(' ')); }),
            qPrintable(QStringLiteral("'%1' is not drawn whole (drawn: %2)").arg(text, drawn.join(QStringLiteral(" | ")))));
    Q_UNUSED(ticks);
}

} // namespace

class TestFigures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void presets();
    void plotExport_data();
    void plotExport();
    void widgetExport();
    void distributionsListSurvivesANewerProjectList();
    void exportRestoresFonts();
    void badSuffix();
    void cliFigure_data();
    void cliFigure();
    void cliFigureErrors();
    void legibility_data();
    void legibility();
    void meiGridUnits();
    void cliLossTwoRuns();
    void brainAlignmentView();

private:
    std::string m_dir;
    QString m_a, m_b;
};

void TestFigures::initTestCase()
{
    m_dir = testutil::tempDir("figures");
    m_a = QString::fromStdString(m_dir + "/a.h5");
    m_b = QString::fromStdString(m_dir + "/b.h5");
    guifixture::writeSyntheticAnalysis(m_a.toStdString(), 48, 5, 3);
    guifixture::writeSyntheticAnalysis(m_b.toStdString(), 48, 5, 4);
    writeAlignmentFixture(m_dir + "/alignment.h5");
    {
        // Two behaviour files (repalign-cli behave): all 19 CIFAR-10-C corruptions, both PGD norms, CIFAR-10H.
        behavefixture::Options o;
        o.corruptions = behavefixture::allCorruptions();
        behavefixture::writeBehaviourFile(m_dir + "/behave-base.h5", behavefixture::makeBehaviour(o));
        o.seed = 2;
        o.skill = 0.9;
        behavefixture::writeBehaviourFile(m_dir + "/behave-tuned.h5", behavefixture::makeBehaviour(o));
    }
    {
        // A psych import's /psych: two models, four units each, a simulated observer.
        psych::PsychSummary p;
        p.source = "simulated";
        p.observerNoise = 0.05;
        p.catchThreshold = 0.8;
        p.modelLabels = {"A", "B"};
        p.modelNames = {"baseline", "tuned-hV4"};
        p.modelAccuracy = {0.82, 0.66};
        p.modelCiLow = {0.75, 0.58};
        p.modelCiHigh = {0.88, 0.73};
        p.modelTrials = {64, 64};
        p.comparisonMethod = "paired sign-flip permutation test of the per-participant accuracy difference A - B (exact, 2^12 "
                             "patterns, 12 participants); model CIs: participant-cluster bootstrap, 10000 resamples";
        p.comparisonStatistic = 5.5;
        p.comparisonP = 0.019;
        for (int u = 0; u < 8; ++u) {
            p.unitModel.push_back(u / 4);
            p.unitIndex.push_back(u * 3);
            p.unitTrials.push_back(8);
            p.unitCorrect.push_back(8 - u / 2);
            p.unitAccuracy.push_back((8 - u / 2) / 8.0);
            p.unitCiLow.push_back((8 - u / 2) / 8.0 - 0.2);
            p.unitCiHigh.push_back(std::min(1.0, (8 - u / 2) / 8.0 + 0.1));
            p.unitIiLpips.push_back(0.45 - 0.03 * u);
            p.unitIiColor.push_back(0.12 - 0.01 * u);
        }
        p.spearmanLpips = 0.93, p.spearmanLpipsLow = 0.61, p.spearmanLpipsHigh = 0.99, p.spearmanLpipsP = 0.0009;
        p.spearmanColor = 0.93, p.spearmanColorLow = 0.61, p.spearmanColorHigh = 0.99, p.spearmanColorP = 0.0009;
        p.participants = {"simulated-1"};
        p.participantAccuracy = {0.74};
        p.participantCatchAccuracy = {1.0};
        p.participantExcluded = {0};
        H5File f(m_dir + "/psych.h5", H5File::Mode::CreateAtomic);
        psych::writePsychSummary(f, p);
        f.commit();
    }
    // An analysis with synthesised images of units 3 and 7 (two starts), as repalign-cli visualize adds them.
    QFile::copy(m_a, QString::fromStdString(m_dir + "/synth.h5"));
    {
        H5File f(m_dir + "/synth.h5", H5File::Mode::ReadWrite);
        std::vector<std::uint8_t> images(2 * 2 * 32 * 32 * 3);
        for (std::size_t i = 0; i < images.size(); ++i)
            images[i] = static_cast<std::uint8_t>((i * 37) % 251);
        f.write("/synth/images", H5Type::UInt8, {2, 2, 32, 32, 3}, images.data());
        f.writeF32("/synth/activations", {2, 2}, {1.5f, 2.5f, 3.5f, 0.5f});
        f.writeI64("/synth/best", {2}, {1, 0});
        f.writeI64("/synth/units", {2}, {3, 7});
        f.setAttr("/synth", "objective", std::string("unit"));
        f.setAttr("/synth", "layer", std::string("layer4"));
    }
    // A small run for the loss figure.
    std::string csv = "step,epoch,wall_time,split,name,value\n";
    for (int i = 1; i <= 60; ++i)
        csv += std::to_string(i) + "," + std::to_string(i / 20.0) + "," + std::to_string(i) + ",train,loss,"
            + std::to_string(2.0 / i) + "\n";
    QDir().mkpath(QString::fromStdString(m_dir + "/run"));
    testutil::writeText(m_dir + "/run/metrics.csv", csv);
    // Two runs with train and validation rows, named as the README walkthrough names them.
    for (const char* name : {"baseline", "tuned-hV4"}) {
        std::string rows = "step,epoch,wall_time,split,name,value\n";
        for (int i = 1; i <= 120; ++i) {
            rows += std::to_string(i) + "," + std::to_string(i / 40.0) + "," + std::to_string(i) + ",train,loss,"
                + std::to_string(2.0 / i + 0.01 * (i % 7)) + "\n";
            if (i % 40 == 0) {
                rows += std::to_string(i) + "," + std::to_string(i / 40) + "," + std::to_string(i) + ",val,loss,"
                    + std::to_string(2.5 / i) + "\n";
                rows += std::to_string(i) + "," + std::to_string(i / 40) + "," + std::to_string(i) + ",val,acc,"
                    + std::to_string(0.5 + i / 400.0) + "\n";
            }
        }
        QDir().mkpath(QString::fromStdString(m_dir + "/runs/" + name));
        testutil::writeText(m_dir + "/runs/" + name + "/metrics.csv", rows);
    }
}

void TestFigures::presets()
{
    QCOMPARE(figurePresetInfo(FigurePreset::Talk).inches, QSizeF(10.0, 5.625));
    QCOMPARE(
        figurePresetInfo(FigurePreset::Talk).inches.width() / figurePresetInfo(FigurePreset::Talk).inches.height(), 16.0 / 9.0);
    QCOMPARE(figurePresetInfo(FigurePreset::OneColumn).inches.width(), 3.5);
    QCOMPARE(figurePresetInfo(FigurePreset::TwoColumn).inches.width(), 7.0);
    QCOMPARE(parseFigurePreset(QStringLiteral("column")), FigurePreset::OneColumn);
    bool threw = false;
    try {
        parseFigurePreset(QStringLiteral("poster"));
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("talk, column, two-column"));
    }
    QVERIFY(threw);
}

void TestFigures::plotExport_data()
{
    QTest::addColumn<int>("preset");
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<int>("dpi");
    for (FigurePreset p : {FigurePreset::Talk, FigurePreset::OneColumn, FigurePreset::TwoColumn})
        for (const char* s : {"png", "svg", "pdf"})
            QTest::newRow(qPrintable(figurePresetInfo(p).key + QLatin1Char('-') + QLatin1String(s)))
                << static_cast<int>(p) << QString::fromLatin1(s) << (p == FigurePreset::Talk ? 150 : 300);
}

void TestFigures::plotExport()
{
    QFETCH(int, preset);
    QFETCH(QString, suffix);
    QFETCH(int, dpi);
    const FigurePresetInfo info = figurePresetInfo(static_cast<FigurePreset>(preset));
    QCustomPlot plot;
    fillPlot(plot);
    const QString path = QString::fromStdString(m_dir) + QStringLiteral("/plot-%1.%2").arg(info.key, suffix);
    exportPlotFigure(&plot, path, info.preset, dpi);
    QVERIFY(QFileInfo::exists(path));
    QVERIFY(!QFileInfo::exists(path + QStringLiteral(".part")));
    if (suffix == QLatin1String("png")) {
        QImage img(path);
        QVERIFY(!img.isNull());
        QCOMPARE(img.width(), qRound(info.inches.width() * dpi));
        QCOMPARE(img.height(), qRound(info.inches.height() * dpi));
        QCOMPARE(qRound(img.dotsPerMeterX() * 0.0254), dpi);
        // Something was drawn: not a blank page.
        int dark = 0;
        for (int y = 0; y < img.height(); y += 3)
            for (int x = 0; x < img.width(); x += 3)
                dark += qGray(img.pixel(x, y)) < 128;
        QVERIFY(dark > 50);
    } else if (suffix == QLatin1String("svg")) {
        const QSizeF in = svgInches(path);
        QVERIFY(!in.isEmpty());
        QVERIFY2(std::abs(in.width() - info.inches.width()) < 0.02, qPrintable(QString::number(in.width())));
        QVERIFY(std::abs(in.height() - info.inches.height()) < 0.02);
    } else {
        const QSizeF pts = pdfMediaBox(path);
        QVERIFY(!pts.isEmpty());
        QVERIFY2(std::abs(pts.width() - info.inches.width() * 72) < 1.0, qPrintable(QString::number(pts.width())));
        QVERIFY(std::abs(pts.height() - info.inches.height() * 72) < 1.0);
    }
}

void TestFigures::widgetExport()
{
    DistributionsView view;
    QSignalSpy shown(&view, &DistributionsView::shown);
    view.setSelectedAnalyses({m_a, m_b});
    // the files are read off the UI thread; the plots fill when the result arrives
    QTRY_VERIFY(view.distributionPlot()->plottableCount() >= 2);
    QVERIFY(shown.count() >= 1);
    QVERIFY(view.scatterPlot()->plottableCount() >= 1);
    QCOMPARE(view.selectedAnalyses(), (QStringList {m_a, m_b}));
    // Copy as Markdown formats the comparison computed for the table
    const QString md = view.statisticsText(QStringLiteral("markdown"));
    QVERIFY2(md.contains(QLatin1Char('|')) && md.contains(QStringLiteral("95%")), qPrintable(md));
    for (const char* s : {"png", "svg", "pdf"}) {
        const QString path = QString::fromStdString(m_dir) + QStringLiteral("/page.") + QLatin1String(s);
        exportWidgetFigure(view.page(), path, FigurePreset::TwoColumn, 200);
        QVERIFY(QFileInfo(path).size() > 0);
    }
    QImage img(QString::fromStdString(m_dir) + QStringLiteral("/page.png"));
    QCOMPARE(img.size(), QSize(1400, 700));
    QVERIFY(pdfMediaBox(QString::fromStdString(m_dir) + QStringLiteral("/page.pdf")).width() > 503);
}

/// The unit-analysis check runs off the UI thread: a selection made while the project's list
/// is still being checked wins, keeps the project's other analyses listed and drops files that
/// are no analyses.
void TestFigures::distributionsListSurvivesANewerProjectList()
{
    DistributionsView view;
    QSignalSpy shown(&view, &DistributionsView::shown);
    const QString missing = QString::fromStdString(m_dir) + QStringLiteral("/no-such-analysis.h5");
    view.setAvailableAnalyses({m_a, missing, m_b});
    view.setSelectedAnalyses({m_b});
    view.setAvailableAnalyses({m_a, missing, m_b}); // the project scan again, before either finished
    QTRY_COMPARE(view.selectedAnalyses(), QStringList {m_b});
    QTRY_VERIFY(view.distributionPlot()->plottableCount() >= 1);
    QVERIFY(shown.count() >= 1);
    QCOMPARE(view.statisticsText(QStringLiteral("markdown")), QString()); // one analysis: no comparison
    // both analyses are listed (ticking the other one compares them), the missing file is not
    view.setSelectedAnalyses({m_a, m_b});
    QTRY_COMPARE(view.selectedAnalyses(), (QStringList {m_a, m_b}));
    QTRY_VERIFY(view.statisticsText(QStringLiteral("markdown")).contains(QLatin1Char('|')));
    view.setSelectedAnalyses({m_a, missing});
    QTRY_COMPARE(view.selectedAnalyses(), QStringList {m_a});
}

void TestFigures::exportRestoresFonts()
{
    QCustomPlot plot;
    fillPlot(plot);
    const double before = plot.xAxis->tickLabelFont().pointSizeF();
    exportPlotFigure(&plot, QString::fromStdString(m_dir) + QStringLiteral("/fonts.png"), FigurePreset::Talk, 100);
    QCOMPARE(plot.xAxis->tickLabelFont().pointSizeF(), before);
}

void TestFigures::badSuffix()
{
    QCustomPlot plot;
    bool threw = false;
    try {
        exportPlotFigure(&plot, QString::fromStdString(m_dir) + QStringLiteral("/x.jpeg"), FigurePreset::Talk);
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral(".png, .svg, .pdf"));
    }
    QVERIFY(threw);
}

void TestFigures::cliFigure_data()
{
    QTest::addColumn<QString>("args");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("preset");
    const QString d = QString::fromStdString(m_dir);
    QTest::newRow("loss") << QStringLiteral("--kind loss --run %1/run").arg(d) << d + QStringLiteral("/cli-loss.pdf")
                          << QStringLiteral("talk");
    QTest::newRow("distribution")
        << QStringLiteral("--kind ii-distribution --analysis %1 --analysis %2 --plot violin").arg(m_a, m_b)
        << d + QStringLiteral("/cli-dist.svg") << QStringLiteral("column");
    QTest::newRow("scatter")
        << QStringLiteral("--kind ii-scatter --analysis %1 --analysis %2 --labels Baseline,Tuned").arg(m_a, m_b)
        << d + QStringLiteral("/cli-scatter.png") << QStringLiteral("two-column");
    QTest::newRow("mei-grid") << QStringLiteral("--kind mei-grid --analysis %1 --unit 3").arg(m_a)
                              << d + QStringLiteral("/cli-mei.pdf") << QStringLiteral("two-column");
    QTest::newRow("synth-grid") << QStringLiteral("--kind synth-grid --analysis %1/synth.h5 --units 7,3").arg(d)
                                << d + QStringLiteral("/cli-synth.pdf") << QStringLiteral("two-column");
    QTest::newRow("layer-profile") << QStringLiteral("--kind layer-profile --analysis %1/alignment.h5 --metric cka").arg(d)
                                   << d + QStringLiteral("/cli-layers.png") << QStringLiteral("column");
}

void TestFigures::cliFigure()
{
    QFETCH(QString, args);
    QFETCH(QString, out);
    QFETCH(QString, preset);
    std::string output;
    const int rc = testutil::run(std::string(REPALIGN_CLI) + " figure " + args.toStdString() + " --out " + out.toStdString()
            + " --preset " + preset.toStdString() + " --dpi 100",
        &output);
    QVERIFY2(rc == 0, output.c_str());
    const FigurePresetInfo info = figurePresetInfo(parseFigurePreset(preset));
    if (out.endsWith(QLatin1String(".png")))
        QCOMPARE(QImage(out).size(), QSize(qRound(info.inches.width() * 100), qRound(info.inches.height() * 100)));
    else if (args.contains(QLatin1String("mei-grid")) || args.contains(QLatin1String("synth-grid")))
        QVERIFY(std::abs(pdfMediaBox(out).width() - info.inches.width() * 72) < 1.0); // height follows the content
    else if (out.endsWith(QLatin1String(".svg")))
        QVERIFY(std::abs(svgInches(out).width() - info.inches.width()) < 0.02);
    else
        QVERIFY(std::abs(pdfMediaBox(out).width() - info.inches.width() * 72) < 1.0);
}

void TestFigures::cliFigureErrors()
{
    std::string output;
    int rc = testutil::run(
        std::string(REPALIGN_CLI) + " figure --kind pie --analysis " + m_a.toStdString() + " --out " + m_dir + "/x.pdf", &output);
    QCOMPARE(rc, 1);
    QVERIFY2(output.find("loss, ii-distribution, ii-scatter, mei-grid") != std::string::npos, output.c_str());
    rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind mei-grid --analysis " + m_a.toStdString()
            + " --unit 999 --out " + m_dir + "/x.pdf",
        &output);
    QCOMPARE(rc, 1);
    QVERIFY2(output.find("0..47") != std::string::npos, output.c_str());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(m_dir + "/x.pdf")));
}

void TestFigures::legibility_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("preset");
    QTest::addColumn<int>("dpi");
    for (const char* kind :
        {"loss", "acc", "histogram", "violin", "box", "scatter", "mei-grid", "layer-profile", "psych-accuracy", "psych-ii"})
        for (FigurePreset p : {FigurePreset::Talk, FigurePreset::OneColumn, FigurePreset::TwoColumn})
            for (int dpi : {150, 300})
                QTest::newRow(qPrintable(QStringLiteral("%1-%2-%3").arg(QLatin1String(kind), figurePresetInfo(p).key).arg(dpi)))
                    << QString::fromLatin1(kind) << static_cast<int>(p) << dpi;
    // The Behaviour view's figures (robustness, corruption heat map, reliability, human agreement).
    for (const QString& kind : behaviourFigureKinds())
        for (FigurePreset p : {FigurePreset::Talk, FigurePreset::OneColumn, FigurePreset::TwoColumn})
            for (int dpi : {150, 300})
                QTest::newRow(qPrintable(QStringLiteral("%1-%2-%3").arg(kind, figurePresetInfo(p).key).arg(dpi)))
                    << kind << static_cast<int>(p) << dpi;
    // The study figure (II vs a grid axis, grouped by another, accuracy on a second axis).
    for (FigurePreset p : {FigurePreset::Talk, FigurePreset::OneColumn, FigurePreset::TwoColumn})
        for (int dpi : {150, 300})
            QTest::newRow(qPrintable(QStringLiteral("study-%1-%2").arg(figurePresetInfo(p).key).arg(dpi)))
                << QStringLiteral("study") << static_cast<int>(p) << dpi;
}

void TestFigures::legibility()
{
    QFETCH(QString, kind);
    QFETCH(int, preset);
    QFETCH(int, dpi);
    const FigurePresetInfo info = figurePresetInfo(static_cast<FigurePreset>(preset));
    const QString dir = QString::fromStdString(m_dir);
    const QString png = dir + QStringLiteral("/legible-%1-%2-%3.png").arg(kind, info.key).arg(dpi);
    if (kind == QLatin1String("loss") || kind == QLatin1String("acc")) {
        MetricsModel model;
        const QStringList runs = {dir + QStringLiteral("/runs/baseline"), dir + QStringLiteral("/runs/tuned-hV4")};
        for (const QString& r : runs)
            model.addRun(r);
        MetricPlot plot(kind);
        plot.resize(qRound(info.inches.width() * kLayoutDpi), qRound(info.inches.height() * kLayoutDpi));
        plot.setSeries(model, runs, runColors(runs), MonitorOptions {});
        const FigureTextLayout layout = probePlotFigureText(&plot, info.preset, dpi);
        QStringList must = {plot.xAxis->label()};
        for (int i = 0; i < plot.graphCount(); ++i)
            if (plot.legend->hasItemWithPlottable(plot.graph(i)))
                must << plot.graph(i)->name();
        checkLegible(layout, info, dpi, must);
        exportPlotFigure(&plot, png, info.preset, dpi); // kept for a look by eye
    } else if (kind == QLatin1String("layer-profile")) {
        const AlignmentScores scores = readAlignment(m_dir + "/alignment.h5");
        QCustomPlot plot;
        stylePlot(&plot);
        plotLayerProfile(&plot, scores, QStringLiteral("rsa"));
        QCOMPARE(plot.graphCount(), 2 * 2 + 2); // models x ROIs, and the two ROIs' ceilings
        const FigureTextLayout layout = probePlotFigureText(&plot, info.preset, dpi);
        QStringList must = {plot.xAxis->label(), plot.yAxis->label(), QStringLiteral("tuned V4"), QStringLiteral("layer4")};
        checkLegible(layout, info, dpi, must);
        exportPlotFigure(&plot, png, info.preset, dpi);
    } else if (kind == QLatin1String("psych-accuracy") || kind == QLatin1String("psych-ii")) {
        const psych::PsychSummary summary = psych::readPsychSummary(m_dir + "/psych.h5");
        QCustomPlot plot;
        stylePlot(&plot);
        QStringList must = {QStringLiteral("simulated observer (noise 0.05)")};
        if (kind == QLatin1String("psych-accuracy")) {
            plotPsychAccuracy(&plot, summary);
            must << QStringLiteral("baseline (A)") << QStringLiteral("tuned-hV4 (B)") << QStringLiteral("chance (0.5)")
                 << QStringLiteral("paired sign-flip permutation test: p = 0.019");
        } else {
            plotPsychIi(&plot, summary, QStringLiteral("lpips"));
            must << plot.xAxis->label() << QStringLiteral("baseline (A) (4 units)")
                 << QStringLiteral("Spearman rho = 0.93 [0.61, 0.99], p = 0.0009");
        }
        must << plot.yAxis->label();
        const FigureTextLayout layout = probePlotFigureText(&plot, info.preset, dpi);
        checkLegible(layout, info, dpi, must);
        exportPlotFigure(&plot, png, info.preset, dpi);
    } else if (isBehaviourFigureKind(kind)) {
        const QList<BehaviourModel> models
            = {loadBehaviourModel(dir + QStringLiteral("/behave-base.h5"), QStringLiteral("baseline")),
                loadBehaviourModel(dir + QStringLiteral("/behave-tuned.h5"), QStringLiteral("tuned-hV4"))};
        QCustomPlot plot;
        stylePlot(&plot);
        plotBehaviourFigure(&plot, kind, models);
        QStringList must;
        for (QCPAxisRect* rect : plot.axisRects())
            for (QCPAxis* axis : rect->axes())
                if (axis->visible() && !axis->label().isEmpty())
                    must << axis->label();
        if (kind == QLatin1String("corruption-heatmap"))
            must << QStringLiteral("gaussian noise") << QStringLiteral("elastic transform") << QStringLiteral("saturate");
        else
            must << QStringLiteral("baseline") << QStringLiteral("tuned-hV4");
        const FigureTextLayout layout = probePlotFigureText(&plot, info.preset, dpi);
        // Text with Greek or maths letters (L∞ ε, κ, Δ) is drawn as one item per script: checked in sequence.
        QString sequence;
        for (const FigureTextItem& t : layout.items)
            sequence += t.text;
        QStringList whole;
        for (const QString& text : must) {
            if (std::all_of(text.begin(), text.end(), [](QChar c) { return c.unicode() <= 0xff; }))
                whole << text;
            else
                QVERIFY2(sequence.contains(text), qPrintable(QStringLiteral("'%1' is not drawn (%2)").arg(text, sequence)));
        }
        checkLegible(layout, info, dpi, whole);
        exportPlotFigure(&plot, png, info.preset, dpi);
    } else if (kind == QLatin1String("study")) {
        QList<StudyFigureSeriesPoint> points;
        for (const char* hue : {"[V1]", "[V4]"})
            for (double alpha : {0.0, 0.5, 1.0, 2.0}) {
                const double m = 0.3 + 0.02 * alpha + (hue[2] == '4' ? 0.03 : 0.0);
                points << StudyFigureSeriesPoint {
                    QString::number(alpha), QLatin1String(hue), m, m - 0.01, m + 0.012, 0.8 - 0.05 * alpha};
            }
        QCustomPlot plot;
        stylePlot(&plot);
        plotStudyFigure(&plot, points, QStringLiteral("tune.alpha"), QStringLiteral("II-LPIPS (mean, 95% CI)"),
            QStringLiteral("accuracy"), QStringLiteral("tune.rois"));
        QCOMPARE(plot.graphCount(), 2 * 2); // II and accuracy per hue value
        const FigureTextLayout layout = probePlotFigureText(&plot, info.preset, dpi);
        const QStringList must
            = {plot.xAxis->label(), plot.yAxis->label(), plot.yAxis2->label(), QStringLiteral("tune.rois = [V4]")};
        checkLegible(layout, info, dpi, must);
        exportPlotFigure(&plot, png, info.preset, dpi);
    } else if (kind == QLatin1String("mei-grid")) {
        NeuronModel a, b;
        a.open(m_a);
        b.open(m_b);
        QList<MeiFigureSource> sources
            = {{a.analysis(), QStringLiteral("baseline"), [&a](std::int64_t l) { return a.className(l); }},
                {b.analysis(), QStringLiteral("tuned-hV4"), [&b](std::int64_t l) { return b.className(l); }}};
        const MeiGridFigure figure = buildMeiGridFigure(sources, rankUnits(*a.analysis(), "lpips", 4, true), "lpips");
        const FigureTextLayout layout = probeMeiGridFigureText(figure, info.preset, dpi);
        checkLegible(layout, info, dpi, {QStringLiteral("baseline"), QStringLiteral("tuned-hV4")});
        // Sized to its content: the preset's width, a height that holds the four units and no more.
        const QSizeF inches = meiGridFigureInches(figure, info.preset);
        QCOMPARE(inches.width(), info.inches.width());
        double bottom = 0;
        for (const FigureTextItem& t : layout.items)
            bottom = std::max(bottom, t.rect.bottom());
        // (A slide may drop the captions to give the images room: then the images end the page.)
        if (info.preset != FigurePreset::Talk)
            QVERIFY2(layout.canvas.height() - bottom < 0.35 * dpi,
                qPrintable(QStringLiteral("%1 px blank under the grid").arg(layout.canvas.height() - bottom)));
        if (info.preset == FigurePreset::Talk)
            QVERIFY(inches.height() <= info.inches.height() + 1e-9);
        exportMeiGridFigure(figure, png, info.preset, dpi);
        QCOMPARE(QImage(png).width(), qRound(info.inches.width() * dpi));
    } else {
        QList<DistributionGroup> groups = {loadDistributionGroup(m_a, QStringLiteral("lpips"), QStringLiteral("baseline")),
            loadDistributionGroup(m_b, QStringLiteral("lpips"), QStringLiteral("tuned-hV4"))};
        QCustomPlot plot;
        stylePlot(&plot);
        if (kind == QLatin1String("scatter"))
            plotPairedScatter(&plot, groups[0], groups[1], metricLabel(QStringLiteral("lpips")));
        else
            plotDistributions(&plot, groups,
                kind == QLatin1String("histogram")    ? DistributionKind::Histogram
                    : kind == QLatin1String("violin") ? DistributionKind::Violin
                                                      : DistributionKind::Box,
                metricLabel(QStringLiteral("lpips")));
        const FigureTextLayout layout = probePlotFigureText(&plot, info.preset, dpi);
        QStringList must;
        for (QCPAxis* axis : {plot.xAxis, plot.yAxis})
            if (!axis->label().isEmpty())
                must << axis->label();
        QVERIFY2(!must.isEmpty(), "the plot has no axis titles");
        if (kind != QLatin1String("scatter"))
            must << QStringLiteral("baseline") << QStringLiteral("tuned-hV4");
        checkLegible(layout, info, dpi, must);
        exportPlotFigure(&plot, png, info.preset, dpi);
    }
    QVERIFY(QFileInfo::exists(png));
}

void TestFigures::meiGridUnits()
{
    NeuronModel a;
    a.open(m_a);
    const AnalysisFile& f = *a.analysis();
    const auto units = parseUnitList(QStringLiteral("3, 7-9,40"), f.units);
    QCOMPARE(units, (std::vector<std::int64_t> {3, 7, 8, 9, 40}));
    const auto top = rankUnits(f, "lpips", 3, true);
    const auto bottom = rankUnits(f, "lpips", 3, false);
    QCOMPARE(top.size(), std::size_t(3));
    for (std::size_t i = 1; i < top.size(); ++i) {
        QVERIFY(f.iiLpips[top[i - 1]] >= f.iiLpips[top[i]]);
        QVERIFY(f.iiLpips[bottom[i - 1]] <= f.iiLpips[bottom[i]]);
    }
    for (float v : f.iiLpips) {
        QVERIFY(v <= f.iiLpips[top[0]]);
        QVERIFY(v >= f.iiLpips[bottom[0]]);
    }
    for (const char* bad : {"48", "5-2", "x", ""}) {
        bool threw = false;
        try {
            parseUnitList(QString::fromLatin1(bad), f.units);
        } catch (const Error& e) {
            threw = QString::fromUtf8(e.what()).contains(QStringLiteral("--units"));
        }
        QVERIFY2(threw, bad);
    }
    // Several units, two models: the grid has a heading per unit and model, and every MEI.
    NeuronModel b;
    b.open(m_b);
    const MeiGridFigure fig
        = buildMeiGridFigure({{&f, QStringLiteral("A"), {}}, {b.analysis(), QStringLiteral("B"), {}}}, top, "lpips");
    QCOMPARE(fig.blocks.size(), 3);
    for (const auto& row : fig.blocks) {
        QCOMPARE(row.size(), 2);
        QCOMPARE(row[0].cells.size(), f.k);
    }
}

void TestFigures::cliLossTwoRuns()
{
    // The README walkthrough's command: overlaid runs (crashed in the legend's font reset before).
    for (const char* preset : {"talk", "column", "two-column"})
        for (const char* suffix : {"png", "svg", "pdf"}) {
            std::string output;
            const std::string out = m_dir + "/loss-two-" + preset + "." + suffix;
            const int rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind loss --run " + m_dir
                    + "/runs/baseline --run " + m_dir + "/runs/tuned-hV4 --out " + out + " --preset " + preset + " --dpi 100",
                &output);
            QVERIFY2(rc == 0, output.c_str());
            QVERIFY(QFileInfo(QString::fromStdString(out)).size() > 0);
        }
    std::string output;
    const int rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind mei-grid --analysis " + m_a.toStdString()
            + " --analysis " + m_b.toStdString() + " --bottom 3 --labels baseline,tuned --out " + m_dir
            + "/mei-two.png --preset talk --dpi 100",
        &output);
    QVERIFY2(rc == 0, output.c_str());
    const QImage img(QString::fromStdString(m_dir + "/mei-two.png"));
    QCOMPARE(img.width(), 1000);
    QVERIFY(img.height() <= 563);
}

QTEST_MAIN(TestFigures)
void TestFigures::brainAlignmentView()
{
    // The Distributions tab's Brain alignment view: files with /alignment among the analyses,
    // the layer profile and the table of every score.
    DistributionsView view;
    view.resize(1200, 760);
    view.show();
    const QString alignment = QString::fromStdString(m_dir + "/alignment.h5");
    view.setAvailableAnalyses({m_a, alignment});
    AlignmentView* a = view.alignmentView();
    QTRY_COMPARE(a->files(), QStringList {alignment});
    QTRY_COMPARE(a->table()->rowCount(), 2 * 5 * 2);
    QCOMPARE(a->note(), QString());
    QCOMPARE(a->plot()->graphCount(), 2 * 2 + 2); // RSA: models x ROIs and the two ceilings
    QCOMPARE(a->table()->item(0, 0)->text(), QStringLiteral("baseline"));
    QCOMPARE(a->table()->item(3, 1)->text(), QStringLiteral("layer1")); // row = (model, layer, ROI)
    QCOMPARE(a->table()->item(3, 2)->text(), QStringLiteral("V4"));
    QCOMPARE(a->table()->item(3, 6)->text(), QString::number(0.05 + 0.03 * 1 * 2, 'f', 4));
    a->scoreBox()->setCurrentIndex(a->scoreBox()->findData(QStringLiteral("cka")));
    QCOMPARE(a->plot()->graphCount(), 2 * 2);
    // a file without /alignment says so instead of drawing
    QSignalSpy shown(a, &AlignmentView::shown);
    a->openFile(m_a);
    QVERIFY(shown.wait(5000));
    QVERIFY2(a->note().contains(QStringLiteral("has no /alignment")), qPrintable(a->note()));
    QCOMPARE(a->table()->rowCount(), 0);
}

#include "test_figures.moc"
