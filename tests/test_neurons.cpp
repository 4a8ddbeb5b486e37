// Neurons browser: the unit list sorts and filters, thumbnails load lazily, keyboard
// navigation (arrows, typed unit numbers), compare mode and the uncalibrated-LPIPS banner.
#include "neuronmodel.h"
#include "neuronsview.h"
#include "test_gui_fixtures.h"
#include "testutil.h"

#include "common/error.h"

#include <QApplication>
#include <QHeaderView>
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

private:
    QString m_path, m_uncal;
    guifixture::SyntheticAnalysis m_truth;
};

void TestNeurons::initTestCase()
{
    const std::string dir = testutil::tempDir("neurons");
    m_path = QString::fromStdString(dir + "/baseline.h5");
    m_uncal = QString::fromStdString(dir + "/tuned.h5");
    m_truth = guifixture::writeSyntheticAnalysis(m_path.toStdString(), 64, 5, 11, true);
    guifixture::writeSyntheticAnalysis(m_uncal.toStdString(), 64, 5, 12, false);
}

void TestNeurons::modelReadsFile()
{
    NeuronModel model;
    model.open(m_path);
    QCOMPARE(model.rowCount(), 64);
    QCOMPARE(model.index(10, NeuronModel::LpipsColumn).data(NeuronModel::SortRole).toDouble(), double(m_truth.lpips[10]));
    QCOMPARE(model.index(10, NeuronModel::TopActivationColumn).data(NeuronModel::SortRole).toDouble(), double(m_truth.topActivation[10]));
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
    const int above = static_cast<int>(std::count_if(m_truth.lpips.begin(), m_truth.lpips.end(), [&](float v) { return v >= median; }));
    QCOMPARE(proxy.rowCount(), above);
    QVERIFY(proxy.setFilterText(QStringLiteral("<%1").arg(double(median), 0, 'g', 17)));
    QCOMPARE(proxy.rowCount(), 64 - above + 1); // the median itself is in both
    // Range on another metric.
    proxy.setMetricColumn(NeuronModel::ColorColumn);
    QVERIFY(proxy.setFilterText(QStringLiteral("20-60")));
    QCOMPARE(proxy.rowCount(), static_cast<int>(std::count_if(m_truth.color.begin(), m_truth.color.end(),
                                                              [](float v) { return v >= 20 && v <= 60; })));
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

QTEST_MAIN(TestNeurons)
#include "test_neurons.moc"
