// Brain-data bundles: validating reader/writer, the three importers on small fixtures, NaN
// handling, the noise ceiling, and the virtual cortex.
// Fixtures and expected values: tests/data/nsd (make_fixtures.py, numpy/h5py/scipy).
#include "common/error.h"
#include "data/nsd_bundle.h"
#include "data/nsd_import.h"
#include "data/virtual_cortex.h"
#include "io/h5.h"
#include "io/npy.h"
#include "models/nets.h"
#include "run/checkpoint.h"
#include "testcheckpoint.h"
#include "testutil.h"
#include "train/predictivity.h"

#include <QtTest>

#include <cmath>

using namespace repalign;

namespace {

std::string fx(const std::string& name)
{
    return std::string(REPALIGN_TEST_DATA) + "/nsd/" + name;
}

class CountingSink : public ProgressSink {
public:
    int warnings = 0;
    std::string lastWarning;
    int events = 0;
    void progress(const ProgressEvent&) override { ++events; }
    void log(LogLevel level, const std::string& m) override
    {
        if (level == LogLevel::Warning) {
            ++warnings;
            lastWarning = m;
        }
    }
};

NsdBundle tinyBundle()
{
    NsdBundle b;
    b.count = 4;
    b.height = b.width = 2;
    b.stimuli.resize(4 * 2 * 2 * 3);
    for (std::size_t i = 0; i < b.stimuli.size(); ++i)
        b.stimuli[i] = static_cast<std::uint8_t>(i);
    b.stimulusIds = {10, 11, 12, 13};
    b.split = {0, 0, 1, 0};
    RoiResponses r;
    r.name = "V4";
    r.voxels = 3;
    r.responses = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    r.noiseCeiling = {0.5f, 0.6f, 0.7f};
    r.coords = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    b.rois.push_back(r);
    b.source = "test";
    b.subject = "s1";
    return b;
}

void expectError(const std::function<void()>& f, const std::string& needle)
{
    try {
        f();
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
        return;
    }
    QFAIL(("no error; expected one mentioning " + needle).c_str());
}

void compareFloats(const std::vector<float>& a, const std::vector<float>& b, double tol)
{
    QCOMPARE(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(b[i])) {
            QVERIFY2(std::isnan(a[i]), ("index " + std::to_string(i)).c_str());
            continue;
        }
        QVERIFY2(std::fabs(a[i] - b[i]) <= tol * (1 + std::fabs(b[i])),
            ("index " + std::to_string(i) + ": " + std::to_string(a[i]) + " vs " + std::to_string(b[i])).c_str());
    }
}

} // namespace

class TestNsd : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bundleRoundTrip()
    {
        const std::string dir = testutil::tempDir("nsd");
        const NsdBundle b = tinyBundle();
        writeBundle(dir + "/b.h5", b);
        const BundleInfo info = inspectBundle(dir + "/b.h5");
        QCOMPARE(info.count, std::int64_t(4));
        QCOMPARE(info.train, std::int64_t(3));
        QCOMPARE(info.val, std::int64_t(1));
        QCOMPARE(info.rois.size(), std::size_t(1));
        QVERIFY(info.rois[0].hasNoiseCeiling && info.rois[0].hasCoords);
        QCOMPARE(info.source, std::string("test"));
        const NsdBundle r = readBundle(dir + "/b.h5");
        QCOMPARE(r.stimuli, b.stimuli);
        QCOMPARE(r.stimulusIds, b.stimulusIds);
        QCOMPARE(r.roi("V4").responses, b.rois[0].responses);
        QCOMPARE(r.roi("V4").coords, b.rois[0].coords);
        QCOMPARE(r.indices(BundleSplit::Val), (std::vector<std::int64_t> {2}));
        const ImageDataset imgs = r.images({1, 3});
        QCOMPARE(imgs.count, std::int64_t(2));
        QCOMPARE(int(imgs.pixels[0]), 12);
        expectError([&] { readBundle(dir + "/b.h5", {"FFA"}); }, "present: V4");
        expectError([&] { r.roi("V1"); }, "present: V4");
    }
    void badBundlesNameTheDataset()
    {
        const std::string dir = testutil::tempDir("nsd");
        {
            NsdBundle b = tinyBundle();
            b.rois[0].responses.pop_back();
            expectError([&] { writeBundle(dir + "/x.h5", b); }, "/responses/V4");
            QVERIFY(!QFile::exists(QString::fromStdString(dir + "/x.h5")));
        }
        {
            // Responses with a different N than the stimuli, written by hand.
            H5File f(dir + "/n.h5", H5File::Mode::CreateAtomic);
            std::vector<std::uint8_t> px(4 * 2 * 2 * 3);
            f.write("/stimuli", H5Type::UInt8, {4, 2, 2, 3}, px.data());
            f.writeI64("/stimulus_ids", {4}, {0, 1, 2, 3});
            std::vector<std::uint8_t> split(4, 0);
            f.write("/split", H5Type::UInt8, {4}, split.data());
            f.writeF32("/responses/V1", {3, 2}, std::vector<float>(6, 1.0f));
            f.commit();
            expectError([&] { inspectBundle(dir + "/n.h5"); }, "/responses/V1 has shape [3,2]");
        }
        {
            H5File f(dir + "/t.h5", H5File::Mode::CreateAtomic);
            std::vector<float> px(4 * 2 * 2 * 3);
            f.write("/stimuli", H5Type::Float32, {4, 2, 2, 3}, px.data());
            f.commit();
            expectError([&] { inspectBundle(dir + "/t.h5"); }, "missing dataset /stimulus_ids");
        }
        expectError([&] { inspectBundle(dir + "/none.h5"); }, "none.h5");
    }
    void dropNonFinite()
    {
        NsdBundle b = tinyBundle();
        b.rois[0].responses[4] = std::nanf(""); // image 1, voxel 1
        CountingSink sink;
        NsdBundle strict = b;
        expectError([&] { dropNonFiniteVoxels(strict, true, sink); }, "1 of 3 voxels");
        QCOMPARE(dropNonFiniteVoxels(b, false, sink), std::int64_t(1));
        QCOMPARE(sink.warnings, 1);
        QVERIFY(sink.lastWarning.find("dropped 1 of 3") != std::string::npos);
        QCOMPARE(b.rois[0].voxels, std::int64_t(2));
        QCOMPARE(b.rois[0].responses, (std::vector<float> {1, 3, 4, 6, 7, 9, 10, 12}));
        QCOMPARE(b.rois[0].noiseCeiling, (std::vector<float> {0.5f, 0.7f}));
        QCOMPARE(b.rois[0].coords, (std::vector<std::int32_t> {1, 2, 3, 7, 8, 9}));
    }
    void randomSplitIsSeeded()
    {
        const auto a = randomSplit(100, 0.2, 7), b = randomSplit(100, 0.2, 7), c = randomSplit(100, 0.2, 8);
        QCOMPARE(a, b);
        QVERIFY(a != c);
        QCOMPARE(std::count(a.begin(), a.end(), 1), 20L);
    }

    void importSeedNpy()
    {
        const std::string dir = testutil::tempDir("nsd");
        ImportOptions o;
        o.format = "seed-npy";
        o.root = fx("seed_npy");
        o.out = dir + "/seed.h5";
        o.imageSize = 8;
        o.valFraction = 0.34;
        CountingSink sink;
        CancelToken cancel;
        const ImportResult r = importBundle(o, sink, cancel);
        QCOMPARE(r.images, std::int64_t(6));
        QCOMPARE(r.rois, (std::vector<std::string> {"V1", "V4"}));
        QCOMPARE(r.voxels, (std::vector<std::int64_t> {5, 3})); // V4's NaN voxel dropped
        QCOMPARE(r.droppedVoxels, std::int64_t(1));
        QCOMPARE(sink.warnings, 1);
        const NsdBundle b = readBundle(o.out);
        const NpyArray imgs = readNpy(fx("seed_npy/expected_images.npy"));
        QCOMPARE(b.stimuli.size(), imgs.data.size());
        QVERIFY(std::equal(b.stimuli.begin(), b.stimuli.end(), reinterpret_cast<const std::uint8_t*>(imgs.data.data())));
        compareFloats(b.roi("V4").responses, readNpy(fx("seed_npy/expected_V4_kept.npy")).toFloats(), 0);
        QCOMPARE(b.stimulusIds, (std::vector<std::int64_t> {100, 101, 102, 103, 104, 105}));
        QCOMPARE(b.indices(BundleSplit::Val).size(), std::size_t(2));
        QCOMPARE(b.source, std::string("seed-npy"));

        o.strict = true;
        o.out = dir + "/strict.h5";
        expectError([&] { importBundle(o, sink, cancel); }, "NaN/Inf");
        QVERIFY(!QFile::exists(QString::fromStdString(o.out)));
        o.strict = false;
        o.rois = {"IT"};
        expectError([&] { importBundle(o, sink, cancel); }, "present in");
        o.rois = {};
        o.root = fx("seed_npy_badn");
        expectError([&] { importBundle(o, sink, cancel); }, "same N");
        o.root = fx("seed_npy_badimg");
        expectError(
            [&] { importBundle(o, sink, cancel); }, "img0.npy: shape (8, 8, 3), dtype <f4: an image must be uint8 [H,W,3]");
    }
    void importSeedNpySplitFolders()
    {
        // The reference's layout: ROOT/train and ROOT/val, each a seed-npy root. The folders are
        // the split (train first, then val), the 12x12 images are resized to 8x8 as Pillow's
        // bilinear resample does (expected values written by python3-pil), and a voxel with an
        // Inf response in val/ is dropped from the whole bundle.
        const std::string dir = testutil::tempDir("nsd");
        ImportOptions o;
        o.format = "seed-npy";
        o.root = fx("seed_npy_split");
        o.out = dir + "/split.h5";
        o.imageSize = 8;
        o.splitFromFolders = true;
        o.valFraction = 0.5; // ignored: the folders decide
        CountingSink sink;
        CancelToken cancel;
        const ImportResult r = importBundle(o, sink, cancel);
        QCOMPARE(r.images, std::int64_t(7));
        QCOMPARE(r.rois, (std::vector<std::string> {"V1", "V4"}));
        QCOMPARE(r.voxels, (std::vector<std::int64_t> {3, 3}));
        QCOMPARE(r.droppedVoxels, std::int64_t(1));
        const NsdBundle b = readBundle(o.out);
        const NpyArray split = readNpy(fx("seed_npy_split/expected_split.npy"));
        QVERIFY(std::equal(b.split.begin(), b.split.end(), reinterpret_cast<const std::uint8_t*>(split.data.data())));
        QCOMPARE(b.indices(BundleSplit::Train).size(), std::size_t(4));
        QCOMPARE(b.indices(BundleSplit::Val).size(), std::size_t(3));
        const NpyArray imgs = readNpy(fx("seed_npy_split/expected_images_8.npy"));
        QCOMPARE(b.stimuli.size(), imgs.data.size());
        QVERIFY(std::equal(b.stimuli.begin(), b.stimuli.end(), reinterpret_cast<const std::uint8_t*>(imgs.data.data())));
        compareFloats(b.roi("V1").responses, readNpy(fx("seed_npy_split/expected_V1.npy")).toFloats(), 0);
        compareFloats(b.roi("V4").responses, readNpy(fx("seed_npy_split/expected_V4_kept.npy")).toFloats(), 0);
        QCOMPARE(b.stimulusIds, (std::vector<std::int64_t> {500, 501, 502, 503, 504, 505, 506}));
        QCOMPARE(b.subject, std::string("seed_npy_split"));

        // Errors: folders with different voxel counts, a root without the folders, another format.
        o.root = fx("seed_npy_split_badv");
        expectError([&] { importBundle(o, sink, cancel); }, "V1.npy has 2 voxels but train/ has 3");
        o.root = fx("seed_npy");
        expectError([&] { importBundle(o, sink, cancel); }, "seed_npy/train does not exist");
        o.format = "algonauts2023";
        expectError([&] { importBundle(o, sink, cancel); }, "--split-from-folders applies to --format seed-npy");
    }
    void importAlgonauts()
    {
        const std::string dir = testutil::tempDir("nsd");
        ImportOptions o;
        o.format = "algonauts2023";
        o.root = fx("algonauts");
        o.out = dir + "/alg.h5";
        o.imageSize = 12;
        o.rois = {"hV4", "V1"};
        CountingSink sink;
        CancelToken cancel;
        importBundle(o, sink, cancel);
        const NsdBundle b = readBundle(o.out);
        compareFloats(b.roi("hV4").responses, readNpy(fx("algonauts/expected_hV4_both.npy")).toFloats(), 0);
        compareFloats(b.roi("V1").responses, readNpy(fx("algonauts/expected_V1_both.npy")).toFloats(), 0);
        const NpyArray ids = readNpy(fx("algonauts/expected_ids.npy"));
        std::vector<std::int64_t> want;
        for (double d : ids.toDoubles())
            want.push_back(static_cast<std::int64_t>(d));
        QCOMPARE(b.stimulusIds, want);
        const NpyArray imgs = readNpy(fx("algonauts/expected_images.npy"));
        QVERIFY(std::equal(b.stimuli.begin(), b.stimuli.end(), reinterpret_cast<const std::uint8_t*>(imgs.data.data())));

        o.rois = {"hV4"};
        o.hemisphere = "rh";
        o.out = dir + "/rh.h5";
        importBundle(o, sink, cancel);
        compareFloats(readBundle(o.out).roi("hV4").responses, readNpy(fx("algonauts/expected_hV4_rh.npy")).toFloats(), 0);
        o.rois = {"V3v"}; // label 5 is absent from the masks
        expectError([&] { importBundle(o, sink, cancel); }, "empty ROI");
        o.rois = {"NotAnRoi"};
        expectError([&] { importBundle(o, sink, cancel); }, "valid:");
    }
    void importNsdRaw()
    {
        const std::string dir = testutil::tempDir("nsd");
        ImportOptions o;
        o.format = "nsd";
        o.root = fx("nsd_raw");
        o.out = dir + "/nsd.h5";
        o.imageSize = 16;
        o.subject = 1;
        o.sessionFirst = 1;
        o.sessionLast = 2;
        o.rois = {"hV4"};
        CountingSink sink;
        CancelToken cancel;
        const ImportResult r = importBundle(o, sink, cancel);
        QCOMPARE(r.trials, std::int64_t(12));
        const NsdBundle b = readBundle(o.out, {}, /*withTrials=*/true);
        const RoiResponses& roi = b.roi("hV4");
        QCOMPARE(roi.voxels, std::int64_t(6));
        compareFloats(roi.responses, readNpy(fx("nsd_raw/expected_hV4.npy")).toFloats(), 1e-6);
        compareFloats(roi.trials, readNpy(fx("nsd_raw/expected_hV4_trials.npy")).toFloats(), 1e-6);
        compareFloats(roi.noiseCeiling, readNpy(fx("nsd_raw/expected_hV4_nc.npy")).toFloats(), 1e-4);
        std::vector<std::int32_t> coords;
        for (double d : readNpy(fx("nsd_raw/expected_hV4_coords.npy")).toDoubles())
            coords.push_back(static_cast<std::int32_t>(d));
        QCOMPARE(roi.coords, coords);
        std::vector<std::int64_t> ids;
        for (double d : readNpy(fx("nsd_raw/expected_ids.npy")).toDoubles())
            ids.push_back(static_cast<std::int64_t>(d));
        QCOMPARE(b.stimulusIds, ids);
        const NpyArray stim = readNpy(fx("nsd_raw/expected_stimuli.npy"));
        QVERIFY(std::equal(b.stimuli.begin(), b.stimuli.end(), reinterpret_cast<const std::uint8_t*>(stim.data.data())));
        QCOMPARE(b.source, std::string("nsd"));

        o.sessionLast = 3; // session 3 is not in the fixture
        expectError([&] { importBundle(o, sink, cancel); }, "betas_session03.hdf5");
        o.sessionLast = 1;
        o.rois = {"V2"}; // labels 3/4 absent
        expectError([&] { importBundle(o, sink, cancel); }, "empty ROI");
        o.rois = {"hV4"};
        o.subject = 9;
        expectError([&] { importBundle(o, sink, cancel); }, "1..8");
    }
    void noiseCeilingKnownCases()
    {
        // Identical repeats: all variance is signal, ceiling 1.
        const std::vector<float> same {1, 1, 2, 2, 3, 3, 5, 5};
        QCOMPARE(noiseCeilingFromTrials(same, 4, 2, 1)[0], 1.0f);
        // Pure noise around a constant: ceiling 0.
        const std::vector<float> noise {1, -1, -1, 1, 1, -1, -1, 1};
        QCOMPARE(noiseCeilingFromTrials(noise, 4, 2, 1)[0], 0.0f);
    }

    void virtualCortex()
    {
        const ImageDataset imgs = makeShapes(400, 3, Split::Train);
        SynthOptions o;
        o.voxels = 16;
        o.noiseSd = 1.0;
        o.repeats = 3;
        CountingSink sink;
        CancelToken cancel;
        const NsdBundle b = synthesizeBundle(imgs, o, sink, cancel);
        QCOMPARE(b.rois.size(), std::size_t(2));
        validateBundle(b, "synth");
        const double ceiling = virtualCortexCeiling(1.0, 3);
        QCOMPARE(ceiling, 0.75);
        for (const auto& roi : b.rois) {
            QCOMPARE(roi.noiseCeiling[0], 0.75f);
            const auto signal = virtualCortexSignal(imgs, roi.name, 16, o.seed);
            // The signal is standardised per voxel.
            double m = 0, s2 = 0;
            for (int i = 0; i < 400; ++i) {
                m += signal[i * 16];
                s2 += signal[i * 16] * signal[i * 16];
            }
            QVERIFY(std::fabs(m / 400) < 1e-4);
            QVERIFY(std::fabs(s2 / 400 - 1) < 1e-3);
            // r^2 of the noise-free signal with the trial means is the exact ceiling (on average).
            const auto r = pearsonPerVoxel(signal.data(), roi.responses.data(), 400, 16);
            double r2 = 0;
            for (float x : r)
                r2 += x * x / 16.0;
            QVERIFY2(std::fabs(r2 - ceiling) < 0.04, std::to_string(r2).c_str());
            // The repeats give the same ceiling back.
            const auto nc = noiseCeilingFromTrials(roi.trials, 400, 3, 16);
            QVERIFY2(std::fabs(finiteMean(nc) - ceiling) < 0.05, std::to_string(finiteMean(nc)).c_str());
        }
        // V1 and V4 are different functions of the image.
        const auto r = pearsonPerVoxel(b.roi("V1").responses.data(), b.roi("V4").responses.data(), 400, 16);
        QVERIFY(std::fabs(finiteMean(r)) < 0.5);
        // Deterministic for a seed.
        const NsdBundle again = synthesizeBundle(imgs, o, sink, cancel);
        QCOMPARE(again.roi("V4").responses, b.roi("V4").responses);
        o.rois = {"IT"};
        expectError([&] { synthesizeBundle(imgs, o, sink, cancel); }, "valid: V1, V4");
    }
    void cliSynthInfo()
    {
        if (!QFile::exists(QStringLiteral(REPALIGN_CLI)))
            QSKIP("repalign-cli not built");
        const std::string dir = testutil::tempDir("nsd");
        std::string out;
        QCOMPARE(
            testutil::run(std::string(REPALIGN_CLI) + " nsd synth --data shapes:60 --voxels 8 --out " + dir + "/vc.h5 -q", &out),
            0);
        QVERIFY2(out.find("noise ceiling 0.7500") != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " nsd info " + dir + "/vc.h5", &out), 0);
        QVERIFY2(out.find("ROI V4") != std::string::npos && out.find("60 images") != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " nsd import --format seed-npy " + fx("seed_npy")
                         + " --image-size 8 --strict --out " + dir + "/s.h5",
                     &out),
            1);
        QVERIFY2(out.find("error: ") != std::string::npos && out.find("NaN/Inf") != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " nsd import --format seed-npy " + fx("seed_npy_split")
                         + " --split-from-folders --image-size 8 --out " + dir + "/split.h5 -q",
                     &out),
            0);
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " nsd info " + dir + "/split.h5", &out), 0);
        QVERIFY2(out.find("(train 4, val 3, test 0)") != std::string::npos, out.c_str());
        // --split-from-folders and --val-fraction exclude each other.
        QVERIFY(testutil::run(std::string(REPALIGN_CLI) + " nsd import --format seed-npy " + fx("seed_npy_split")
                        + " --split-from-folders --val-fraction 0.2 --out " + dir + "/x.h5",
                    &out)
            != 0);
    }

    void nonFiniteBundleSameInEveryCommand()
    {
        // NaN/Inf responses: nsd info, predictivity and tune all warn with the count and the
        // voxels and drop them, or fail with one line under --strict.
        if (!QFile::exists(QStringLiteral(REPALIGN_CLI)))
            QSKIP("repalign-cli not built");
        const std::string dir = testutil::tempDir("nsd");
        const std::string cli = std::string(REPALIGN_CLI);
        std::string out;
        QCOMPARE(
            testutil::run(cli + " nsd synth --data shapes:60 --roi V4 --voxels 8 --seed 3 --out " + dir + "/vc.h5 -q", &out), 0);
        NsdBundle b = readBundle(dir + "/vc.h5");
        NsdBundle clean = b; // the same bundle without voxels 2 and 5
        b.rois[0].responses[0 * 8 + 2] = std::nanf("");
        b.rois[0].responses[3 * 8 + 5] = std::numeric_limits<float>::infinity();
        RoiResponses& c = clean.rois[0];
        std::vector<float> kept;
        for (std::int64_t i = 0; i < clean.count; ++i)
            for (int j = 0; j < 8; ++j)
                if (j != 2 && j != 5)
                    kept.push_back(c.responses[static_cast<std::size_t>(i * 8 + j)]);
        c.responses = kept;
        c.voxels = 6;
        c.noiseCeiling.clear();
        c.coords.clear();
        c.trials.clear();
        c.repeats = 0;
        b.rois[0].noiseCeiling.clear();
        writeBundle(dir + "/bad.h5", b);
        writeBundle(dir + "/clean.h5", clean);
        testutil::saveRandomInitCheckpoint(dir + "/base.pt");
        const std::string warning = "ROI V4: dropped 2 of 8 voxels with NaN/Inf responses (voxels 2, 5;";
        auto oneLineError = [](const std::string& o) {
            return o.rfind("error: ", 0) == 0 && o.find("2 of 8 voxels with NaN/Inf responses (voxels 2, 5)") != std::string::npos
                && o.find('\n') == o.size() - 1;
        };

        QCOMPARE(testutil::run(cli + " nsd info " + dir + "/bad.h5", &out), 0);
        QVERIFY2(out.find("warning: " + dir + "/bad.h5: " + warning) != std::string::npos, out.c_str());
        QVERIFY2(out.find("ROI V4") != std::string::npos && out.find("8 voxels") != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(cli + " nsd info --strict " + dir + "/bad.h5", &out), 1);
        QVERIFY2(oneLineError(out), out.c_str());
        QCOMPARE(testutil::run(cli + " nsd info " + dir + "/clean.h5", &out), 0);
        QVERIFY2(out.find("warning") == std::string::npos, out.c_str());

        // predictivity: the same figures as on the bundle without those voxels (not r median 0).
        const std::string probe
            = cli + " predictivity --checkpoint " + dir + "/base.pt --threads 1 --folds 2 --image-size 16 -q --bundle ";
        std::string cleanOut;
        QCOMPARE(testutil::run(probe + dir + "/clean.h5", &cleanOut), 0);
        QCOMPARE(testutil::run(probe + dir + "/bad.h5", &out), 0);
        QVERIFY2(out.find(warning) != std::string::npos, out.c_str());
        const auto from
            = [](const std::string& s) { return s.substr(s.find("\nV4: ")) /* the result lines, after the warning */; };
        QVERIFY2(cleanOut.find("V4: 6 voxels") != std::string::npos, cleanOut.c_str());
        QCOMPARE(from(out), from(cleanOut));
        QCOMPARE(testutil::run(probe + dir + "/bad.h5 --strict", &out), 1);
        QVERIFY2(oneLineError(out), out.c_str());

        // tune: the same warning, and the run goes on with 6 voxels; --strict fails before any work.
        testutil::writeText(dir + "/tune.yaml",
            "base: {checkpoint: base.pt}\nbundle: bad.h5\nrois: [V4]\nclassification_val: none\nsystem: {num_workers: 0, "
            "threads: 1}\n"
            "train_transforms: {resize: 16, random_crop: {size: 16, padding: 0}}\nval_transforms: {resize: 16}\n"
            "optimization: {epochs: 1, batch_size: 8, max_steps_per_epoch: 1}\n");
        QCOMPARE(testutil::run(cli + " tune -q --config " + dir + "/tune.yaml --out " + dir + "/run", &out), 0);
        QVERIFY2(out.find(warning) != std::string::npos && out.find("finished") != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(cli + " tune -q --strict --config " + dir + "/tune.yaml --out " + dir + "/run-strict", &out), 1);
        QVERIFY2(oneLineError(out), out.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(dir + "/run-strict/metrics.csv")));
    }
};

QTEST_GUILESS_MAIN(TestNsd)
#include "test_nsd.moc"
