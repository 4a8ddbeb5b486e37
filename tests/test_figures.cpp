// Figure export: PNG/SVG/PDF of the preset's size (PNG pixels = inches x dpi, SVG width in mm,
// PDF MediaBox in points), for plots and whole widgets, from the GUI code and `repalign-cli figure`.
#include "distributionsview.h"
#include "figureexport.h"
#include "neuronsview.h"
#include "plotstyle.h"
#include "qcp.h"
#include "test_gui_fixtures.h"
#include "testutil.h"

#include "common/error.h"

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QRegularExpression>
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
    static const QRegularExpression re(QStringLiteral("/MediaBox\\s*\\[\\s*([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s+([-0-9.]+)\\s*\\]"));
    const auto m = re.match(QString::fromLatin1(data));
    if (!m.hasMatch())
        return {};
    return QSizeF(m.captured(3).toDouble() - m.captured(1).toDouble(), m.captured(4).toDouble() - m.captured(2).toDouble());
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

} // namespace

class TestFigures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void presets();
    void plotExport_data();
    void plotExport();
    void widgetExport();
    void exportRestoresFonts();
    void badSuffix();
    void cliFigure_data();
    void cliFigure();
    void cliFigureErrors();

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
    // A small run for the loss figure.
    std::string csv = "step,epoch,wall_time,split,name,value\n";
    for (int i = 1; i <= 60; ++i)
        csv += std::to_string(i) + "," + std::to_string(i / 20.0) + "," + std::to_string(i) + ",train,loss," + std::to_string(2.0 / i) + "\n";
    QDir().mkpath(QString::fromStdString(m_dir + "/run"));
    testutil::writeText(m_dir + "/run/metrics.csv", csv);
}

void TestFigures::presets()
{
    QCOMPARE(figurePresetInfo(FigurePreset::Talk).inches, QSizeF(10.0, 5.625));
    QCOMPARE(figurePresetInfo(FigurePreset::Talk).inches.width() / figurePresetInfo(FigurePreset::Talk).inches.height(), 16.0 / 9.0);
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
    view.setSelectedAnalyses({m_a, m_b});
    for (const char* s : {"png", "svg", "pdf"}) {
        const QString path = QString::fromStdString(m_dir) + QStringLiteral("/page.") + QLatin1String(s);
        exportWidgetFigure(view.page(), path, FigurePreset::TwoColumn, 200);
        QVERIFY(QFileInfo(path).size() > 0);
    }
    QImage img(QString::fromStdString(m_dir) + QStringLiteral("/page.png"));
    QCOMPARE(img.size(), QSize(1400, 700));
    QVERIFY(pdfMediaBox(QString::fromStdString(m_dir) + QStringLiteral("/page.pdf")).width() > 503);
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
    QTest::newRow("loss") << QStringLiteral("--kind loss --run %1/run").arg(d) << d + QStringLiteral("/cli-loss.pdf") << QStringLiteral("talk");
    QTest::newRow("distribution") << QStringLiteral("--kind ii-distribution --analysis %1 --analysis %2 --plot violin").arg(m_a, m_b)
                                  << d + QStringLiteral("/cli-dist.svg") << QStringLiteral("column");
    QTest::newRow("scatter") << QStringLiteral("--kind ii-scatter --analysis %1 --analysis %2 --labels Baseline,Tuned").arg(m_a, m_b)
                             << d + QStringLiteral("/cli-scatter.png") << QStringLiteral("two-column");
    QTest::newRow("mei-grid") << QStringLiteral("--kind mei-grid --analysis %1 --unit 3").arg(m_a) << d + QStringLiteral("/cli-mei.pdf")
                              << QStringLiteral("two-column");
}

void TestFigures::cliFigure()
{
    QFETCH(QString, args);
    QFETCH(QString, out);
    QFETCH(QString, preset);
    std::string output;
    const int rc = testutil::run(std::string(REPALIGN_CLI) + " figure " + args.toStdString() + " --out " + out.toStdString() +
                                     " --preset " + preset.toStdString() + " --dpi 100",
                                 &output);
    QVERIFY2(rc == 0, output.c_str());
    const FigurePresetInfo info = figurePresetInfo(parseFigurePreset(preset));
    if (out.endsWith(QLatin1String(".png")))
        QCOMPARE(QImage(out).size(), QSize(qRound(info.inches.width() * 100), qRound(info.inches.height() * 100)));
    else if (out.endsWith(QLatin1String(".svg")))
        QVERIFY(std::abs(svgInches(out).width() - info.inches.width()) < 0.02);
    else
        QVERIFY(std::abs(pdfMediaBox(out).width() - info.inches.width() * 72) < 1.0);
}

void TestFigures::cliFigureErrors()
{
    std::string output;
    int rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind pie --analysis " + m_a.toStdString() + " --out " + m_dir + "/x.pdf", &output);
    QCOMPARE(rc, 1);
    QVERIFY2(output.find("loss, ii-distribution, ii-scatter, mei-grid") != std::string::npos, output.c_str());
    rc = testutil::run(std::string(REPALIGN_CLI) + " figure --kind mei-grid --analysis " + m_a.toStdString() + " --unit 999 --out " + m_dir + "/x.pdf",
                       &output);
    QCOMPARE(rc, 1);
    QVERIFY2(output.find("0..47") != std::string::npos, output.c_str());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(m_dir + "/x.pdf")));
}

QTEST_MAIN(TestFigures)
#include "test_figures.moc"
