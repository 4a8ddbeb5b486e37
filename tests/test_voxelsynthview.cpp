// The Brain alignment view's "Voxel images" page: baseline (ridge readout) and tuned
// synthesised voxel images side by side with their predicted responses, read off the UI thread;
// an empty state naming the commands, and one-line notes for files that do not fit.
#include "alignmentview.h"
#include "testutil.h"
#include "voxelsynthview.h"

#include "io/h5.h"

#include <QTabWidget>
#include <QTableWidget>
#include <QtTest>

using namespace repalign;
using namespace repalign::gui;

namespace {

/// A /synth group as visualize writes it: R starts of 8x8 images per voxel, each start a flat
/// colour (value 10*voxel + start), activations 0.5*voxel + start (so start R-1 is the best).
void writeVoxelSynth(const std::string& path, const std::vector<std::int64_t>& voxels, const std::string& objective,
    const std::string& roi, const std::string& readout, float offset)
{
    const std::uint64_t U = voxels.size(), R = 2, S = 8;
    std::vector<std::uint8_t> images(U * R * S * S * 3);
    std::vector<float> act(U * R);
    std::vector<std::int64_t> best(U, 1);
    for (std::uint64_t u = 0; u < U; ++u)
        for (std::uint64_t r = 0; r < R; ++r) {
            std::fill_n(images.begin() + static_cast<std::ptrdiff_t>((u * R + r) * S * S * 3), S * S * 3,
                static_cast<std::uint8_t>(10 * voxels[u] + static_cast<std::int64_t>(r)));
            act[u * R + r] = offset + 0.5f * static_cast<float>(voxels[u]) + static_cast<float>(r);
        }
    H5File f(path, H5File::Mode::CreateAtomic);
    f.write("/synth/images", H5Type::UInt8, {U, R, S, S, 3}, images.data());
    f.writeF32("/synth/activations", {U, R}, act);
    f.writeI64("/synth/best", {U}, best);
    f.writeI64("/synth/units", {U}, voxels);
    f.setAttr("/synth", "objective", objective);
    f.setAttr("/synth", "roi", roi);
    f.setAttr("/synth", "readout", readout);
    f.setAttr("/synth", "layer", std::string("layer4"));
    f.setAttr("/synth", "model", std::string("resnet18_cifar10"));
    f.commit();
}

} // namespace

class TestVoxelSynthView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyStateNamesCommands()
    {
        AlignmentView view;
        VoxelSynthView* v = view.voxelView();
        QVERIFY(v);
        QCOMPARE(view.pages()->tabText(1), QStringLiteral("Voxel images"));
        QCOMPARE(v->table()->rowCount(), 0);
        QVERIFY(v->note().contains(QStringLiteral("--readout ridge --bundle")));
        QVERIFY(v->note().contains(QStringLiteral("--readout checkpoint")));
        QVERIFY(v->note().contains(QStringLiteral("repalign-cli visualize")));
    }

    void baselineBesideTuned()
    {
        const std::string dir = testutil::tempDir("voxelsynthview");
        const std::string base = dir + "/base.h5", tuned = dir + "/tuned.h5";
        writeVoxelSynth(base, {0, 1, 2}, "voxel", "V4", "ridge:b.h5 (alpha 10)", 0.0f);
        writeVoxelSynth(tuned, {1, 2, 3}, "voxel", "V4", "checkpoint", 100.0f);
        VoxelSynthView v;
        v.resize(900, 600);
        v.show();
        QSignalSpy shown(&v, &VoxelSynthView::shown);
        v.setFiles(QString::fromStdString(base), QString::fromStdString(tuned));
        QVERIFY(shown.wait(5000));
        QTableWidget* t = v.table();
        QCOMPARE(t->rowCount(), 4); // voxels 0..3, the union of both files
        QVERIFY2(v.note().isEmpty(), qPrintable(v.note()));
        for (int row = 0; row < 4; ++row) {
            QCOMPARE(t->item(row, 0)->text(), QString::number(row));
            const bool inBase = row <= 2, inTuned = row >= 1;
            // the best start (1): its colour and its activation
            QCOMPARE(t->item(row, 2)->data(Qt::UserRole).isValid(), inBase);
            QCOMPARE(t->item(row, 4)->data(Qt::UserRole).isValid(), inTuned);
            if (inBase) {
                QCOMPARE(t->item(row, 2)->data(Qt::UserRole).toDouble(), 0.5 * row + 1);
                const QImage img = t->item(row, 1)->data(Qt::UserRole).value<QImage>();
                QCOMPARE(img.size(), QSize(8, 8));
                QCOMPARE(qRed(img.pixel(3, 3)), 10 * row + 1);
            } else {
                QCOMPARE(t->item(row, 2)->text(), QStringLiteral("—"));
            }
            if (inTuned)
                QCOMPARE(t->item(row, 4)->data(Qt::UserRole).toDouble(), 100 + 0.5 * row + 1);
        }
    }

    void notesForFilesThatDoNotFit()
    {
        const std::string dir = testutil::tempDir("voxelsynthview");
        const std::string units = dir + "/units.h5", other = dir + "/v1.h5", base = dir + "/base.h5";
        writeVoxelSynth(units, {0}, "unit", "", "", 0.0f);
        writeVoxelSynth(other, {0}, "voxel", "V1", "checkpoint", 0.0f);
        writeVoxelSynth(base, {0}, "voxel", "V4", "checkpoint", 0.0f);
        VoxelSynthView v;
        QSignalSpy shown(&v, &VoxelSynthView::shown);
        v.setFiles(QString::fromStdString(units), QString());
        QVERIFY(shown.wait(5000));
        QVERIFY2(v.note().contains(QStringLiteral("not voxel images")), qPrintable(v.note()));
        v.setFiles(QString::fromStdString(base), QString::fromStdString(other));
        QVERIFY(shown.wait(5000));
        QVERIFY2(v.note().contains(QStringLiteral("different ROIs (V4 and V1)")), qPrintable(v.note()));
        QVERIFY2(v.note().contains(QStringLiteral("not a ridge fit")), qPrintable(v.note()));
        QCOMPARE(v.table()->rowCount(), 1);
    }
};

QTEST_MAIN(TestVoxelSynthView)
#include "test_voxelsynthview.moc"
