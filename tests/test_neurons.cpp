// Neurons browser: the unit list sorts and filters, thumbnails load lazily, keyboard
// navigation (arrows, typed unit numbers), compare mode and the uncalibrated-LPIPS banner.
#include "mainwindow.h"
#include "neuronmodel.h"
#include "neuronsview.h"
#include "qcp.h"
#include "test_gui_fixtures.h"
#include "testutil.h"

#include "common/error.h"
#include "io/h5.h"

#include <QApplication>
#include <QDir>
#include <QHeaderView>
#include <QListView>
#include <QTabWidget>
#include <QTableView>
#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace repalign;
using namespace repalign::gui;

class TestNeurons : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void modelReadsFile();
    void sortsNumerically();
    void filters();
    void lazyThumbnails();
    void keyboardNavigation();
    void compareAndBanner();
    void rejectsNonAnalysis();
    void bannerNamesRuns();
    void compareLegibleAt1280();
    void layerLegendClearOfBars();
    void gridCaptionsInsideCells();
    void synthesisedImagesBesideMeis();

private:
    QString m_path, m_uncal;
    QString m_runBaseline, m_runTuned; ///< PROJECT/RUN/analysis/ii_layer4.h5, both uncalibrated
    guifixture::SyntheticAnalysis m_truth;
};

void TestNeurons::initTestCase()
{
    const std::string dir = testutil::tempDir("neurons");
    m_path = QString::fromStdString(dir + "/baseline.h5");
    m_uncal = QString::fromStdString(dir + "/tuned.h5");
    m_truth = guifixture::writeSyntheticAnalysis(m_path.toStdString(), 64, 5, 11, true);
    guifixture::writeSyntheticAnalysis(m_uncal.toStdString(), 64, 5, 12, false);
    // The demo's layout: every analysis file has the same name, in its run's analysis/ folder.
    const QString project = QString::fromStdString(testutil::tempDir("neurons-project"));
    m_runBaseline = project + QStringLiteral("/baseline/analysis/ii_layer4.h5");
    m_runTuned = project + QStringLiteral("/tuned-hV4/analysis/ii_layer4.h5");
    QDir().mkpath(QFileInfo(m_runBaseline).absolutePath());
    QDir().mkpath(QFileInfo(m_runTuned).absolutePath());
    guifixture::writeSyntheticAnalysis(m_runBaseline.toStdString(), 64, 5, 13, false);
    guifixture::writeSyntheticAnalysis(m_runTuned.toStdString(), 64, 5, 14, false);
    // The main window's tests must not read or write the user's settings.
    qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("neurons-config")));
    qputenv("XDG_DATA_HOME", QByteArray::fromStdString(testutil::tempDir("neurons-data")));
}

void TestNeurons::modelReadsFile()
{
    NeuronModel model;
    model.open(m_path);
    QCOMPARE(model.rowCount(), 64);
    QCOMPARE(model.index(10, NeuronModel::LpipsColumn).data(NeuronModel::SortRole).toDouble(), double(m_truth.lpips[10]));
    QCOMPARE(model.index(10, NeuronModel::TopActivationColumn).data(NeuronModel::SortRole).toDouble(),
        double(m_truth.topActivation[10]));
    QCOMPARE(model.index(3, NeuronModel::UnitColumn).data().toInt(), 3);
    // shapes data: labels get the generator's class names.
    QVERIFY(!model.className(0).isEmpty());
    QVERIFY(model.className(0) != QLatin1String("0"));
}

void TestNeurons::sortsNumerically()
{
    NeuronModel model;
    model.open(m_path);
    NeuronFilterModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(NeuronModel::LpipsColumn, Qt::DescendingOrder);
    std::vector<int> order(64);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return m_truth.lpips[a] > m_truth.lpips[b]; });
    for (int r = 0; r < 64; ++r)
        QCOMPARE(proxy.index(r, 0).data(NeuronModel::UnitRole).toInt(), order[r]);
    // Unit numbers sort as numbers (2 before 10), not text.
    proxy.sort(NeuronModel::UnitColumn, Qt::AscendingOrder);
    QCOMPARE(proxy.index(2, 0).data().toInt(), 2);
    QCOMPARE(proxy.index(10, 0).data().toInt(), 10);
    proxy.sort(NeuronModel::ColorColumn, Qt::AscendingOrder);
    const int first = proxy.index(0, 0).data(NeuronModel::UnitRole).toInt();
    QCOMPARE(m_truth.color[first], *std::min_element(m_truth.color.begin(), m_truth.color.end()));
}

void TestNeurons::filters()
{
    NeuronModel model;
    model.open(m_path);
    NeuronFilterModel proxy;
    proxy.setSourceModel(&model);
    const float median = [&] {
        std::vector<float> v = m_truth.lpips;
        std::nth_element(v.begin(), v.begin() + 32, v.end());
        return v[32];
    }();
    QVERIFY(proxy.setFilterText(QStringLiteral(">%1").arg(double(median), 0, 'g', 17)));
    const int above
        = static_cast<int>(std::count_if(m_truth.lpips.begin(), m_truth.lpips.end(), [&](float v) { return v >= median; }));
    QCOMPARE(proxy.rowCount(), above);
    QVERIFY(proxy.setFilterText(QStringLiteral("<%1").arg(double(median), 0, 'g', 17)));
    QCOMPARE(proxy.rowCount(), 64 - above + 1); // the median itself is in both
    // Range on another metric.
    proxy.setMetricColumn(NeuronModel::ColorColumn);
    QVERIFY(proxy.setFilterText(QStringLiteral("20-60")));
    QCOMPARE(proxy.rowCount(),
        static_cast<int>(std::count_if(m_truth.color.begin(), m_truth.color.end(), [](float v) { return v >= 20 && v <= 60; })));
    // Unit numbers containing "1": 1, 10..19, 21, 31, 41, 51, 61.
    QVERIFY(proxy.setFilterText(QStringLiteral("1")));
    QCOMPARE(proxy.rowCount(), 16);
    // Not a filter: rejected, the previous one stays.
    QVERIFY(!proxy.setFilterText(QStringLiteral(">>x")));
    QCOMPARE(proxy.rowCount(), 16);
    QVERIFY(proxy.setFilterText(QString()));
    QCOMPARE(proxy.rowCount(), 64);
}

void TestNeurons::lazyThumbnails()
{
    NeuronModel model;
    model.open(m_path);
    QCOMPARE(model.loadedThumbnails(), 0);
    // A view showing a few rows asks only for those.
    QTableView view;
    view.setModel(&model);
    view.resize(600, 200);
    view.verticalHeader()->setDefaultSectionSize(46);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(model.loadedThumbnails() > 0);
    QTest::qWait(50);
    QVERIFY2(model.loadedThumbnails() < 20, qPrintable(QString::number(model.loadedThumbnails())));
    const QPixmap strip = model.thumbnailStrip(5);
    QCOMPARE(strip.height(), model.thumbnailSide());
    QCOMPARE(strip.width(), 5 * model.thumbnailSide() + 4 * 2);
}

void TestNeurons::keyboardNavigation()
{
    NeuronsView view;
    view.resize(1200, 700);
    view.show();
    QVERIFY(view.openAnalysis(m_path));
    QCOMPARE(view.currentUnit(), 0);
    view.table()->setFocus();
    QTest::keyClick(view.table(), Qt::Key_Down);
    QCOMPARE(view.currentUnit(), 1);
    QTest::keyClick(view.table(), Qt::Key_Down);
    QCOMPARE(view.currentUnit(), 2);
    QTest::keyClick(view.table(), Qt::Key_Up);
    QCOMPARE(view.currentUnit(), 1);
    // Typing a number jumps to that unit.
    QTest::keyClicks(view.table(), QStringLiteral("42"));
    QCOMPARE(view.currentUnit(), 42);
    QTest::qWait(1000); // the typed number times out
    QTest::keyClicks(view.table(), QStringLiteral("7"));
    QCOMPARE(view.currentUnit(), 7);
    // The detail shows that unit's k MEIs.
    QCOMPARE(view.meiGrid()->rows().size(), 1);
    QCOMPARE(view.meiGrid()->rows().first().images.size(), 5);
}

void TestNeurons::compareAndBanner()
{
    NeuronsView view;
    view.resize(1200, 700);
    view.show();
    QVERIFY(view.openAnalysis(m_path));
    QVERIFY(!view.uncalibratedBannerVisible());
    QVERIFY(view.setCompareAnalysis(m_uncal));
    QVERIFY(view.uncalibratedBannerVisible());
    view.selectUnit(9);
    QCOMPARE(view.meiGrid()->rows().size(), 2); // same unit, both analyses
    QVERIFY(view.setCompareAnalysis(QString()));
    QVERIFY(!view.uncalibratedBannerVisible());
    QCOMPARE(view.meiGrid()->rows().size(), 1);
}

void TestNeurons::rejectsNonAnalysis()
{
    const std::string dir = testutil::tempDir("neurons-bad");
    {
        H5File f(dir + "/other.h5", H5File::Mode::CreateAtomic);
        f.writeF32("/x", {2}, {1.f, 2.f});
        f.commit();
    }
    NeuronsView view;
    QVERIFY(!view.openAnalysis(QString::fromStdString(dir + "/other.h5")));
    bool threw = false;
    NeuronModel model;
    try {
        model.open(QString::fromStdString(dir + "/other.h5"));
    } catch (const Error& e) {
        threw = QString::fromUtf8(e.what()).contains(QStringLiteral("/mei/indices"));
    }
    QVERIFY(threw);
}

void TestNeurons::bannerNamesRuns()
{
    NeuronsView view;
    QVERIFY(view.openAnalysis(m_runBaseline));
    QVERIFY(view.setCompareAnalysis(m_runTuned));
    QVERIFY(view.uncalibratedBannerVisible());
    const QString text = view.uncalibratedBannerText();
    QVERIFY2(text.contains(QStringLiteral("baseline, tuned-hV4 used random LPIPS weights")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("ii_layer4")), qPrintable(text));

    // A file outside a run directory is named by the run of the checkpoint it analysed.
    const std::string dir = testutil::tempDir("neurons-loose");
    const std::string loose = dir + "/exported.h5";
    guifixture::writeSyntheticAnalysis(loose, 8, 5, 15, false);
    {
        H5File f(loose, H5File::Mode::ReadWrite);
        f.setAttr("/", "checkpoint", std::string("/data/study/runs/tuned-IT/checkpoints/best_acc.pt"));
    }
    QVERIFY(view.setCompareAnalysis(QString::fromStdString(loose)));
    const QString looseText = view.uncalibratedBannerText();
    QVERIFY2(looseText.contains(QStringLiteral("baseline, tuned-IT used")), qPrintable(looseText));
}

void TestNeurons::compareLegibleAt1280()
{
    // The study's central view at the smallest supported screen: the same unit of two models.
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    NeuronsView* view = window.neurons();
    window.tabs()->setCurrentWidget(view);
    QVERIFY(view->openAnalysis(m_runBaseline));
    QVERIFY(view->setCompareAnalysis(m_runTuned));
    view->selectUnit(3);
    MeiGridView* grid = view->meiGrid();
    QCOMPARE(grid->rows().size(), 2);
    QTRY_VERIFY(grid->isVisible() && grid->width() > 0);
    QCoreApplication::processEvents();
    const MeiGridView::Layout layout = grid->layoutFor(grid->width(), grid->height());
    const QFontMetrics fm(grid->font());
    QList<QRect> captions, images;
    for (int r = 0; r < 2; ++r) {
        QCOMPARE(layout.images[r].size(), 5);
        for (int i = 0; i < 5; ++i) {
            const QRect image = layout.images[r][i];
            const QRect caption = layout.captions[r][i];
            const QString where = QStringLiteral("row %1 MEI %2: image %3x%4 at %5,%6, widget %7x%8")
                                      .arg(r)
                                      .arg(i)
                                      .arg(image.width())
                                      .arg(image.height())
                                      .arg(image.x())
                                      .arg(image.y())
                                      .arg(grid->width())
                                      .arg(grid->height());
            // Legible: never below the minimum side, and whole inside the widget (which scrolls).
            QVERIFY2(image.width() >= NeuronsView::kLegibleMeiSide, qPrintable(where));
            QVERIFY2(QRect(QPoint(0, 0), grid->size()).contains(image), qPrintable(where));
            QVERIFY2(QRect(QPoint(0, 0), grid->size()).contains(caption), qPrintable(where));
            QVERIFY2(caption.height() >= 3 * fm.height(), qPrintable(where));
            // Every caption line as drawn fits its cell.
            for (const QString& line : grid->captionLines(grid->rows()[r].captions[i], caption.width()))
                QVERIFY2(fm.horizontalAdvance(line) <= caption.width(), qPrintable(where + QStringLiteral(": ") + line));
            captions << caption;
            images << image;
        }
    }
    // No caption overlaps another caption or any image.
    for (int a = 0; a < captions.size(); ++a) {
        for (int b = a + 1; b < captions.size(); ++b)
            QVERIFY2(!captions[a].intersects(captions[b]), qPrintable(QStringLiteral("captions %1 and %2").arg(a).arg(b)));
        for (const QRect& image : images)
            QVERIFY2(!captions[a].intersects(image), qPrintable(QStringLiteral("caption %1 on an image").arg(a)));
    }
}

void TestNeurons::layerLegendClearOfBars()
{
    NeuronsView view;
    view.resize(1050, 620);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.openAnalysis(m_runBaseline));
    QVERIFY(view.setCompareAnalysis(m_runTuned));
    QCustomPlot* plot = view.layerPlot();
    for (int unit = 0; unit < 64; ++unit) {
        view.selectUnit(unit);
        plot->replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(plot->legend->visible());
        QCOMPARE(plot->plottableCount(), 2);
        const QRectF legend = plot->legend->outerRect();
        QVERIFY(legend.width() > 0 && legend.height() > 0);
        const double base = plot->yAxis->coordToPixel(0);
        for (int p = 0; p < plot->plottableCount(); ++p) {
            auto* bars = qobject_cast<QCPBars*>(plot->plottable(p));
            QVERIFY(bars);
            const double half = std::abs(plot->xAxis->coordToPixel(bars->width()) - plot->xAxis->coordToPixel(0)) / 2;
            for (int i = 0; i < bars->dataCount(); ++i) {
                const QPointF top = bars->dataPixelPosition(i);
                const QRectF bar(
                    QPointF(top.x() - half, std::min(top.y(), base)), QPointF(top.x() + half, std::max(top.y(), base)));
                QVERIFY2(!legend.intersects(bar),
                    qPrintable(QStringLiteral("unit %1: legend over bar %2 of %3").arg(unit).arg(i).arg(bars->name())));
            }
        }
    }
}

void TestNeurons::gridCaptionsInsideCells()
{
    NeuronsView view;
    view.resize(1050, 620);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.openAnalysis(m_runBaseline));
    view.setGrid(true);
    QVERIFY(view.isGrid());
    QListView* grid = view.gridView();
    QTRY_VERIFY(grid->isVisible());
    QCoreApplication::processEvents();
    const int thumb = view.model()->thumbnailSide();
    const int textHeight = grid->fontMetrics().height();
    // Each cell holds its thumbnails and its "Unit N" line; the next row starts below both.
    QList<QRect> cells;
    for (int r = 0; r < 12; ++r) {
        const QRect cell = grid->visualRect(view.proxy()->index(r, NeuronModel::MeiColumn));
        QVERIFY(cell.isValid());
        QVERIFY2(cell.height() >= thumb + textHeight,
            qPrintable(QStringLiteral("cell %1 is %2 px tall for a %3 px thumbnail and a %4 px caption")
                           .arg(r)
                           .arg(cell.height())
                           .arg(thumb)
                           .arg(textHeight)));
        cells << cell;
    }
    for (int a = 0; a < cells.size(); ++a)
        for (int b = a + 1; b < cells.size(); ++b)
            QVERIFY(!cells[a].intersects(cells[b]));
}

QTEST_MAIN(TestNeurons)

void TestNeurons::synthesisedImagesBesideMeis()
{
    // An analysis with /synth for units 2 and 9 (two starts each), as repalign-cli visualize adds it.
    const QString path = QDir(QString::fromStdString(testutil::tempDir("neurons-synth"))).filePath(QStringLiteral("a.h5"));
    guifixture::writeSyntheticAnalysis(path.toStdString(), 16, 5, 21, true);
    {
        H5File f(path.toStdString(), H5File::Mode::ReadWrite);
        std::vector<std::uint8_t> images(2 * 2 * 32 * 32 * 3);
        for (std::size_t i = 0; i < images.size(); ++i)
            images[i] = static_cast<std::uint8_t>(i / (32 * 32 * 3) * 60 + 10); // one flat grey per image
        f.write("/synth/images", H5Type::UInt8, {2, 2, 32, 32, 3}, images.data());
        f.writeF32("/synth/activations", {2, 2}, {1.5f, 2.5f, 3.5f, 0.5f});
        f.writeI64("/synth/best", {2}, {1, 0});
        f.writeI64("/synth/units", {2}, {2, 9});
        f.setAttr("/synth", "objective", std::string("unit"));
        f.setAttr("/synth", "layer", std::string("layer4"));
    }
    NeuronsView view;
    view.resize(1200, 700);
    view.show();
    QVERIFY(view.openAnalysis(path));
    view.selectUnit(9);
    QCOMPARE(view.meiGrid()->rows().size(), 2);
    const MeiGridView::Row& synth = view.meiGrid()->rows().at(1);
    QVERIFY2(synth.title.contains(QStringLiteral("synthesised")), qPrintable(synth.title));
    QCOMPARE(synth.images.size(), 2);
    QCOMPARE(qRed(synth.images.at(0).pixel(5, 5)), 130); // unit 9 is entry 1: images 2 and 3
    QCOMPARE(qRed(synth.images.at(1).pixel(5, 5)), 190);
    QVERIFY(synth.captions.at(0).contains(QStringLiteral("best")));
    QVERIFY(synth.captions.at(0).contains(QStringLiteral("3.5")));
    QVERIFY(!synth.captions.at(1).contains(QStringLiteral("best")));
    view.selectUnit(3); // no synthesised images for this unit
    QCOMPARE(view.meiGrid()->rows().size(), 1);
    // compare mode: the second analysis' synthesised row too
    QVERIFY(view.setCompareAnalysis(path));
    view.selectUnit(2);
    QCOMPARE(view.meiGrid()->rows().size(), 4);
    // images of another layer are not this analysis' units
    {
        H5File f(path.toStdString(), H5File::Mode::ReadWrite);
        f.setAttr("/synth", "layer", std::string("layer3"));
    }
    QVERIFY(view.openAnalysis(path));
    QVERIFY(view.setCompareAnalysis(QString()));
    view.selectUnit(2);
    QCOMPARE(view.meiGrid()->rows().size(), 1);
}
#include "test_neurons.moc"
