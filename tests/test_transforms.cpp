// Transforms (crop/pad/flip/normalise/resize) and the batched loader.
#include "common/error.h"
#include "data/loader.h"

#include <QtTest>

#include <set>

using namespace repalign;

namespace {

ImageDataset ramp(int n, int side = 32)
{
    ImageDataset ds;
    ds.count = n;
    ds.height = ds.width = side;
    ds.classes = {"a", "b"};
    ds.pixels.resize(static_cast<std::size_t>(n) * side * side * 3);
    ds.labels.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        ds.labels[static_cast<std::size_t>(i)] = i % 2;
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x)
                for (int c = 0; c < 3; ++c)
                    ds.pixels[((static_cast<std::size_t>(i) * side + y) * side + x) * 3 + c]
                        = static_cast<std::uint8_t>((x * 7 + y * 3 + c * 50 + i) % 256);
    }
    return ds;
}

TransformConfig reference(bool train)
{
    TransformConfig t;
    if (train) {
        t.cropSize = 32;
        t.padding = 4;
        t.horizontalFlip = true;
    }
    t.mean = {{0.4914, 0.4822, 0.4465}};
    t.std = {{0.2470, 0.2435, 0.2616}};
    return t;
}

} // namespace

class TestTransforms : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void normaliseMatchesFormula()
    {
        ImageDataset ds = ramp(1);
        TransformConfig t = reference(false);
        std::vector<float> out(3 * 32 * 32);
        applyTransform(t, ds.image(0), 32, 32, false, 0, out.data());
        for (int c = 0; c < 3; ++c)
            for (int p : {0, 77, 1023}) {
                const double v = ds.image(0)[p * 3 + c] / 255.0;
                const double expect = (v - t.mean[c]) / t.std[c];
                QVERIFY(std::abs(out[static_cast<std::size_t>(c * 1024 + p)] - expect) < 1e-5);
            }
    }

    void cropPadFlipAreConsistent()
    {
        ImageDataset ds = ramp(1);
        TransformConfig t = reference(true);
        std::vector<float> plain(3 * 1024), aug(3 * 1024);
        TransformConfig noAug = reference(false);
        applyTransform(noAug, ds.image(0), 32, 32, false, 0, plain.data());
        int flips = 0, shifted = 0;
        for (std::uint64_t seed = 0; seed < 200; ++seed) {
            applyTransform(t, ds.image(0), 32, 32, true, seed, aug.data());
            // Each augmented image equals the plain one shifted by (dy,dx) in [-4,4], maybe
            // mirrored, with the padded border at the normalised value of 0.
            bool found = false;
            for (int flip = 0; flip < 2 && !found; ++flip)
                for (int dy = -4; dy <= 4 && !found; ++dy)
                    for (int dx = -4; dx <= 4 && !found; ++dx) {
                        bool ok = true;
                        for (int c = 0; c < 3 && ok; ++c)
                            for (int y = 0; y < 32 && ok; ++y)
                                for (int x = 0; x < 32 && ok; ++x) {
                                    const int sx0 = flip ? 31 - x : x;
                                    const int sy = y + dy, sx = sx0 + dx;
                                    const float pad = static_cast<float>(-t.mean[c] / t.std[c]);
                                    const float expect = (sy < 0 || sy >= 32 || sx < 0 || sx >= 32)
                                        ? pad
                                        : plain[static_cast<std::size_t>(c * 1024 + sy * 32 + sx)];
                                    ok = std::abs(aug[static_cast<std::size_t>(c * 1024 + y * 32 + x)] - expect) < 1e-6;
                                }
                        if (ok) {
                            found = true;
                            flips += flip;
                            shifted += (dy != 0 || dx != 0);
                        }
                    }
            QVERIFY2(found, "augmented image is not a shifted/flipped copy");
        }
        QVERIFY(flips > 60 && flips < 140); // p = 0.5
        QVERIFY(shifted > 150); // 80/81 of offsets are non-zero
        // Same seed, same result.
        std::vector<float> again(3 * 1024);
        applyTransform(t, ds.image(0), 32, 32, true, 42, aug.data());
        applyTransform(t, ds.image(0), 32, 32, true, 42, again.data());
        QVERIFY(aug == again);
    }

    void resizeChangesSide()
    {
        ImageDataset ds = ramp(1, 64);
        TransformConfig t = reference(false);
        t.resize = 32;
        QCOMPARE(t.outputSide(64), 32);
        std::vector<float> out(3 * 32 * 32);
        applyTransform(t, ds.image(0), 64, 64, false, 0, out.data());
        QVERIFY(std::isfinite(out[0]));
        TransformConfig bad = reference(true);
        bad.cropSize = 48;
        bad.padding = 0;
        QVERIFY_THROWS_EXCEPTION(Error, applyTransform(bad, ds.image(0), 32, 32, true, 0, out.data()));
    }

    void loaderOrderAndPartialBatch()
    {
        ImageDataset ds = ramp(103);
        LoaderOptions o;
        o.batchSize = 10;
        o.seed = 5;
        o.workers = 0;
        BatchLoader inline0(ds, reference(true), o);
        QCOMPARE(inline0.batchesPerEpoch(), std::int64_t(11));
        o.workers = 2;
        BatchLoader threaded(ds, reference(true), o);
        for (int epoch = 0; epoch < 2; ++epoch) {
            inline0.start(epoch);
            threaded.start(epoch);
            Batch a, b;
            std::set<std::int64_t> seen;
            std::int64_t total = 0;
            while (inline0.next(a)) {
                QVERIFY(threaded.next(b));
                QVERIFY(a.indices == b.indices);
                QVERIFY(torch::equal(a.images, b.images)); // independent of the worker count
                QVERIFY(torch::equal(a.labels, b.labels));
                seen.insert(a.indices.begin(), a.indices.end());
                total += a.images.size(0);
            }
            QVERIFY(!threaded.next(b));
            QCOMPARE(total, std::int64_t(103)); // last partial batch kept
            QCOMPARE(seen.size(), std::size_t(103));
        }
        QVERIFY(inline0.order(0) != inline0.order(1));
        // Starting mid-epoch gives the same batches as reading up to there.
        threaded.start(1, 4);
        inline0.start(1);
        Batch a, b;
        for (int i = 0; i < 5; ++i)
            inline0.next(a);
        QVERIFY(threaded.next(b));
        QVERIFY(a.indices == b.indices && torch::equal(a.images, b.images));
    }
};

QTEST_GUILESS_MAIN(TestTransforms)
#include "test_transforms.moc"
