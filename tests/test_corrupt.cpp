// CIFAR-10-C generation (behaviour/corruptions.h, repalign-cli corrupt): the deterministic
// corruptions and motion blur at fixed angles against the reference script's own output
// (tests/data/corrupt, written by make_fixtures.py from make_cifar_c.py), the random ones for
// reproducibility and their statistics, the written layout, the one-line errors, and the CLI.
#include "behaviour/cifar10c.h"
#include "behaviour/corruptions.h"
#include "behaviour/corruptions_magick.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "io/npy.h"
#include "testutil.h"

#include <QtTest>

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdio>

using namespace repalign;
using namespace repalign::behaviour;

namespace {

std::string fx(const std::string& name)
{
    return std::string(REPALIGN_TEST_DATA) + "/corrupt/" + name;
}

struct Images {
    int n = 0, h = 0, w = 0;
    std::vector<std::uint8_t> px;
    const std::uint8_t* image(int i) const { return px.data() + static_cast<std::size_t>(i) * h * w * 3; }
    std::size_t bytes() const { return static_cast<std::size_t>(h) * w * 3; }
};

Images loadImages(const std::string& path)
{
    const NpyArray a = readNpy(path);
    Images im;
    im.n = static_cast<int>(a.shape[0]);
    im.h = static_cast<int>(a.shape[1]);
    im.w = static_cast<int>(a.shape[2]);
    im.px.assign(a.data.begin(), a.data.end());
    return im;
}

/// Share of values within one grey level, and the largest difference.
std::pair<double, int> compare(const std::vector<std::uint8_t>& a, const std::uint8_t* b)
{
    std::size_t within = 0;
    int worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const int d = std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i]));
        worst = std::max(worst, d);
        within += d <= 1;
    }
    return {static_cast<double>(within) / static_cast<double>(a.size()), worst};
}

template <class F> std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestCorrupt : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesInScriptOrder()
    {
        const auto& n = corruptionNames();
        QCOMPARE(n.size(), std::size_t(19));
        QCOMPARE(n.front(), std::string("gaussian_noise"));
        QCOMPARE(n[12], std::string("elastic_transform"));
        QCOMPARE(n.back(), std::string("saturate"));
        int det = 0;
        for (const auto& name : n)
            det += isDeterministicCorruption(name);
        QCOMPARE(det, 8);
        QVERIFY(!isDeterministicCorruption("fog"));
        QVERIFY(isDeterministicCorruption("jpeg_compression"));
    }

    void deterministicMatchReference_data()
    {
        QTest::addColumn<QString>("name");
        for (const char* n :
            {"brightness", "contrast", "saturate", "defocus_blur", "gaussian_blur", "zoom_blur", "pixelate", "jpeg_compression"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }
    void deterministicMatchReference()
    {
        QFETCH(QString, name);
        const std::string n = name.toStdString();
        const Images in = loadImages(fx("images.npy"));
        const NpyArray ex = readNpy(fx(n + ".npy"));
        QCOMPARE(ex.shape, (std::vector<std::int64_t> {5 * in.n, in.h, in.w, 3}));
        for (int s = 1; s <= 5; ++s) {
            std::vector<std::uint8_t> got;
            for (int i = 0; i < in.n; ++i) {
                const auto img = corruptImage(n, s, in.image(i), in.h, in.w, 1234);
                QCOMPARE(img, corruptImage(n, s, in.image(i), in.h, in.w, 99)); // the seed plays no part
                got.insert(got.end(), img.begin(), img.end());
            }
            const auto* e
                = reinterpret_cast<const std::uint8_t*>(ex.data.data()) + static_cast<std::size_t>(s - 1) * in.n * in.bytes();
            const auto [share, worst] = compare(got, e);
            std::printf("  %-16s severity %d: %.4f%% of values within one grey level of make_cifar_c.py, max diff %d\n",
                n.c_str(), s, 100.0 * share, worst);
            QVERIFY2(share >= 0.99, (n + " severity " + std::to_string(s) + ": " + std::to_string(share)).c_str());
        }
    }

    void motionBlurMatchesWandAtFixedAngles()
    {
        // The script's motion_blur with its np.random.uniform angle replaced by these.
        const double angles[5] = {-45.0, -20.0, 0.0, 17.5, 45.0};
        const double radius[5] = {6, 6, 6, 8, 9}, sigma[5] = {1, 1.5, 2, 2, 2.5};
        const Images in = loadImages(fx("images.npy"));
        const NpyArray ex = readNpy(fx("motion_blur_angles.npy"));
        for (int s = 0; s < 5; ++s) {
            std::vector<std::uint8_t> got;
            for (int i = 0; i < in.n; ++i) {
                const auto img = magickMotionBlur(in.image(i), in.h, in.w, radius[s], sigma[s], angles[s]);
                got.insert(got.end(), img.begin(), img.end());
            }
            const auto [share, worst]
                = compare(got, reinterpret_cast<const std::uint8_t*>(ex.data.data()) + s * in.n * in.bytes());
            std::printf("  motion_blur severity %d, angle %g: %.4f%% within one grey level of Wand, max diff %d\n", s + 1,
                angles[s], 100.0 * share, worst);
            QVERIFY(share >= 0.99);
        }
    }

    void randomOnesReproducible()
    {
        const Images in = loadImages(fx("images.npy"));
        const std::string frostDir = testutil::tempDir("corrupt_frost_repro");
        writeFrostImages(frostDir);
        for (const auto& n : corruptionNames()) {
            if (isDeterministicCorruption(n))
                continue;
            for (int s = 1; s <= 5; ++s) {
                const auto a = corruptImage(n, s, in.image(0), in.h, in.w, 7, frostDir);
                const auto b = corruptImage(n, s, in.image(0), in.h, in.w, 7, frostDir);
                QCOMPARE(a, b);
                QCOMPARE(a.size(), in.bytes());
                // a different seed gives a different image (try a few: a tiny corruption may repeat)
                bool differs = false;
                for (std::uint64_t seed = 8; seed < 14 && !differs; ++seed)
                    differs = corruptImage(n, s, in.image(0), in.h, in.w, seed, frostDir) != a;
                QVERIFY2(differs, (n + " severity " + std::to_string(s)).c_str());
            }
        }
        // the per-image seeds differ across corruption, severity and index
        QVERIFY(corruptionImageSeed(1, "fog", 1, 0) != corruptionImageSeed(1, "fog", 1, 1));
        QVERIFY(corruptionImageSeed(1, "fog", 1, 0) != corruptionImageSeed(1, "fog", 2, 0));
        QVERIFY(corruptionImageSeed(1, "fog", 1, 0) != corruptionImageSeed(1, "snow", 1, 0));
        QVERIFY(corruptionImageSeed(1, "fog", 1, 0) != corruptionImageSeed(2, "fog", 1, 0));
    }

    void gaussianNoiseStatistics()
    {
        // A mid-grey image keeps clipping away: the added noise's std is c * 255 and its mean 0
        // (less the truncation's half a grey level).
        const int h = 64, w = 64;
        const std::vector<std::uint8_t> grey(static_cast<std::size_t>(h) * w * 3, 128);
        const double c[5] = {0.04, 0.06, .08, .09, .10};
        for (int s = 1; s <= 5; ++s) {
            double sum = 0, sum2 = 0;
            std::size_t n = 0;
            for (std::uint64_t seed = 0; seed < 8; ++seed) {
                const auto out = corruptImage("gaussian_noise", s, grey.data(), h, w, seed);
                for (std::uint8_t v : out) {
                    const double d = v - 128.0;
                    sum += d;
                    sum2 += d * d;
                    ++n;
                }
            }
            const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
            std::printf("  gaussian_noise severity %d: std %.3f (expected %.3f), mean %.3f\n", s, sd, c[s - 1] * 255, mean);
            QVERIFY(std::fabs(sd - c[s - 1] * 255) < 0.03 * c[s - 1] * 255 + 0.3);
            QVERIFY(std::fabs(mean + 0.5) < 0.3);
        }
        // shot noise: Poisson counts of x * c over c, so the variance of x is x / c
        const double lam[5] = {500, 250, 100, 75, 50};
        for (int s = 1; s <= 5; ++s) {
            double sum = 0, sum2 = 0;
            std::size_t n = 0;
            for (std::uint64_t seed = 0; seed < 4; ++seed)
                for (std::uint8_t v : corruptImage("shot_noise", s, grey.data(), h, w, seed)) {
                    const double x = v / 255.0;
                    sum += x;
                    sum2 += x * x;
                    ++n;
                }
            const double mean = sum / n, var = sum2 / n - mean * mean;
            const double expected = (128.0 / 255.0) / lam[s - 1];
            QVERIFY2(std::fabs(var / expected - 1.0) < 0.08, std::to_string(var / expected).c_str());
        }
        // impulse noise: a share c of the values flipped, half to 0 and half to 255
        const double amount[5] = {.01, .02, .03, .05, .07};
        for (int s = 1; s <= 5; ++s) {
            std::size_t salt = 0, pepper = 0, n = 0;
            for (std::uint64_t seed = 0; seed < 4; ++seed)
                for (std::uint8_t v : corruptImage("impulse_noise", s, grey.data(), h, w, seed)) {
                    salt += v == 255;
                    pepper += v == 0;
                    ++n;
                }
            const double flipped = static_cast<double>(salt + pepper) / n;
            QVERIFY(std::fabs(flipped / amount[s - 1] - 1.0) < 0.1);
            QVERIFY(std::fabs(static_cast<double>(salt) / (salt + pepper) - 0.5) < 0.06);
        }
    }

    void randomOnesMatchReferenceStatistics()
    {
        // Our draws are not numpy's, so the random corruptions are compared by what they do: the
        // mean |output - input| and the mean output over 25 draws of each fixture image, against
        // the same figures from the script (random_stats.json; frost needs the frost images).
        const Images in = loadImages(fx("images.npy"));
        QFile file(QString::fromStdString(fx("random_stats.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        const int repeats = root.value(QStringLiteral("repeats")).toInt();
        QVERIFY(repeats > 0);
        const QJsonObject all = root.value(QStringLiteral("corruptions")).toObject();
        QCOMPARE(all.size(), 10);
        for (auto it = all.begin(); it != all.end(); ++it) {
            const std::string n = it.key().toStdString();
            for (const QJsonValue& row : it.value().toArray()) {
                const int s = row.toObject().value(QStringLiteral("severity")).toInt();
                const double refChange = row.toObject().value(QStringLiteral("mean_abs_change")).toDouble();
                const double refMean = row.toObject().value(QStringLiteral("mean")).toDouble();
                double change = 0, total = 0, count = 0;
                for (int r = 0; r < repeats; ++r)
                    for (int i = 0; i < in.n; ++i) {
                        const auto out = corruptImage(n, s, in.image(i), in.h, in.w, corruptionImageSeed(0, n, s, r * in.n + i));
                        for (std::size_t k = 0; k < out.size(); ++k) {
                            change += std::abs(static_cast<int>(out[k]) - static_cast<int>(in.image(i)[k]));
                            total += out[k];
                        }
                        count += static_cast<double>(out.size());
                    }
                change /= count;
                total /= count;
                std::printf("  %-17s severity %d: mean |change| %.2f (script %.2f), mean %.1f (script %.1f)\n", n.c_str(), s,
                    change, refChange, total, refMean);
                QVERIFY2(
                    std::fabs(change - refChange) <= std::max(0.12 * refChange, 0.35), (n + " " + std::to_string(s)).c_str());
                QVERIFY2(std::fabs(total - refMean) <= 2.0, (n + " " + std::to_string(s)).c_str());
            }
        }
        // fog never brightens an image beyond its own maximum (x * max / (max + c) + c * max / (max + c))
        const std::vector<std::uint8_t> dark(32 * 32 * 3, 10);
        const auto f = corruptImage("fog", 5, dark.data(), 32, 32, 3);
        QVERIFY(*std::max_element(f.begin(), f.end()) <= 10);
    }

    void oneLineErrors()
    {
        const std::vector<std::uint8_t> img(32 * 32 * 3, 100);
        const std::string unknown = errorOf([&] { corruptImage("blur", 1, img.data(), 32, 32, 0); });
        QVERIFY(unknown.find("unknown corruption 'blur'") != std::string::npos);
        QVERIFY(unknown.find("gaussian_noise, shot_noise") != std::string::npos);
        QVERIFY(unknown.find('\n') == std::string::npos);
        QVERIFY(errorOf([&] { corruptImage("fog", 6, img.data(), 32, 32, 0); }).find("outside 1..5") != std::string::npos);
        QVERIFY(errorOf([&] { corruptImage("fog", 0, img.data(), 32, 32, 0); }).find("outside 1..5") != std::string::npos);
        QVERIFY(errorOf([&] { corruptImage("frost", 1, img.data(), 32, 32, 0); }).find("--frost-dir") != std::string::npos);
        const std::string empty = testutil::tempDir("corrupt_nofrost");
        const std::string missing = errorOf([&] { corruptImage("frost", 1, img.data(), 32, 32, 0, empty); });
        QVERIFY2(missing.find("frost1.png is missing") != std::string::npos, missing.c_str());

        NullSink sink;
        CancelToken cancel;
        CorruptOptions o;
        o.data = "shapes:4";
        o.outDir = testutil::tempDir("corrupt_errors");
        o.corruptions = {"fog", "frost"};
        QVERIFY(errorOf([&] { runCorrupt(o, sink, cancel); }).find("--frost-dir") != std::string::npos);
        o.corruptions = {"fog"};
        o.severities = {1, 7};
        QVERIFY(errorOf([&] { runCorrupt(o, sink, cancel); }).find("severity 7 is outside 1..5") != std::string::npos);
        o.severities = {2, 2};
        QVERIFY(errorOf([&] { runCorrupt(o, sink, cancel); }).find("given twice") != std::string::npos);
        o.severities = {1};
        o.corruptions = {"snowy"};
        QVERIFY(errorOf([&] { runCorrupt(o, sink, cancel); }).find("valid: gaussian_noise") != std::string::npos);
        QVERIFY(listDir(o.outDir).empty()); // nothing written before the checks pass
    }

    void writesPublishedLayout()
    {
        NullSink sink;
        CancelToken cancel;
        CorruptOptions o;
        o.data = "shapes:6:3";
        o.split = "val";
        o.outDir = testutil::tempDir("corrupt_layout");
        o.corruptions = {"contrast", "gaussian_noise", "snow"};
        o.severities = {1, 3};
        o.seed = 42;
        o.threads = 2;
        QCOMPARE(runCorrupt(o, sink, cancel), JobStatus::Finished);
        for (const auto& n : o.corruptions) {
            const NpyArray a = readNpy(o.outDir + "/" + n + ".npy");
            QCOMPARE(a.descr, std::string("|u1"));
            QCOMPARE(a.shape, (std::vector<std::int64_t> {12, 32, 32, 3}));
        }
        const NpyArray labels = readNpy(o.outDir + "/labels.npy");
        QCOMPARE(labels.descr, std::string("|u1"));
        QCOMPARE(labels.shape, (std::vector<std::int64_t> {12}));
        // severity-major: the labels repeat after N
        for (int i = 0; i < 6; ++i)
            QCOMPARE(labels.data[i], labels.data[i + 6]);
        const std::string yaml = testutil::readText(o.outDir + "/corrupt.yaml");
        QVERIFY(yaml.find("seed: 42") != std::string::npos);
        QVERIFY(yaml.find("severities: [1, 3]") != std::string::npos);
        QVERIFY(yaml.find("status: finished") != std::string::npos);
        QVERIFY(yaml.find("make_cifar_c.py") != std::string::npos);
        // the file holds corruptImage's output for (seed, name, severity, index), whatever the threads
        const NpyArray snowArr = readNpy(o.outDir + "/snow.npy");
        const NpyArray contrastArr = readNpy(o.outDir + "/contrast.npy");
        o.outDir = testutil::tempDir("corrupt_layout1");
        o.threads = 1;
        QCOMPARE(runCorrupt(o, sink, cancel), JobStatus::Finished);
        QCOMPARE(readNpy(o.outDir + "/snow.npy").data, snowArr.data);
        // and a different seed changes the random ones only
        o.outDir = testutil::tempDir("corrupt_layout2");
        o.seed = 43;
        QCOMPARE(runCorrupt(o, sink, cancel), JobStatus::Finished);
        QVERIFY(readNpy(o.outDir + "/snow.npy").data != snowArr.data);
        QCOMPARE(readNpy(o.outDir + "/contrast.npy").data, contrastArr.data);
    }

    void readableByTheBehaveReader()
    {
        // What corrupt writes is what behave --corruptions reads (behaviour/cifar10c.h).
        NullSink sink;
        CancelToken cancel;
        CorruptOptions o;
        o.data = "shapes:7:4";
        o.outDir = testutil::tempDir("corrupt_behave");
        o.corruptions = {"pixelate", "fog"};
        QCOMPARE(runCorrupt(o, sink, cancel), JobStatus::Finished);
        const Cifar10CFolder folder = scanCifar10C(o.outDir);
        QCOMPARE(folder.names, (std::vector<std::string> {"fog", "pixelate"}));
        QCOMPARE(folder.perSeverity, std::int64_t(7));
        const ImageDataset fog = loadCifar10C(folder, "fog");
        QCOMPARE(fog.count, std::int64_t(35));
        QCOMPARE(fog.height, 32);
        const ImageDataset clean = loadDataset(o.data, Split::Test);
        for (int s = 0; s < 5; ++s)
            for (int i = 0; i < 7; ++i) {
                QCOMPARE(fog.labels[static_cast<std::size_t>(s * 7 + i)], clean.labels[static_cast<std::size_t>(i)]);
                const auto expected = corruptImage("fog", s + 1, clean.image(i), 32, 32, corruptionImageSeed(0, "fog", s + 1, i));
                QVERIFY(std::equal(expected.begin(), expected.end(), fog.image(s * 7 + i)));
            }
    }

    void cancelKeepsFinishedFiles()
    {
        class CancelAfterFirst : public ProgressSink {
        public:
            explicit CancelAfterFirst(CancelToken& c)
                : m_cancel(c)
            {
            }
            void log(LogLevel, const std::string& message) override
            {
                if (message.rfind("wrote ", 0) == 0)
                    m_cancel.cancel();
                last = message;
            }
            std::string last;

        private:
            CancelToken& m_cancel;
        };
        CancelToken cancel;
        CancelAfterFirst sink(cancel);
        CorruptOptions o;
        o.data = "shapes:50";
        o.outDir = testutil::tempDir("corrupt_cancel");
        o.corruptions = {"brightness", "elastic_transform"};
        QCOMPARE(runCorrupt(o, sink, cancel), JobStatus::Cancelled);
        QVERIFY(fileExists(o.outDir + "/brightness.npy"));
        QVERIFY(!fileExists(o.outDir + "/elastic_transform.npy"));
        QVERIFY2(sink.last.find("kept the finished files: brightness") != std::string::npos, sink.last.c_str());
        for (const auto& f : listDir(o.outDir))
            QVERIFY2(f.find(".tmp") == std::string::npos, f.c_str());
        QVERIFY(testutil::readText(o.outDir + "/corrupt.yaml").find("status: cancelled") != std::string::npos);
    }

    void cliEndToEnd()
    {
        const std::string cli = REPALIGN_CLI;
        const std::string out = testutil::tempDir("corrupt_cli");
        std::string text;
        // frost refused without --frost-dir, in one line, nothing written
        QCOMPARE(testutil::run(cli + " corrupt --data shapes:5 --out " + out + "/a --corruptions fog,frost", &text), 1);
        QVERIFY2(text.find("--frost-dir") != std::string::npos, text.c_str());
        QVERIFY(!fileExists(out + "/a/fog.npy"));
        QCOMPARE(testutil::run(cli + " corrupt --data shapes:5 --out " + out + "/a --corruptions fogg", &text), 1);
        QVERIFY2(text.find("valid: gaussian_noise") != std::string::npos, text.c_str());
        QCOMPARE(testutil::run(cli + " corrupt --data shapes:5 --out " + out + "/a --severities 0,1", &text), 1);
        QVERIFY2(text.find("outside 1..5") != std::string::npos, text.c_str());
        // frost with a folder of small frost images
        const std::string frostDir = out + "/frost";
        makeDirs(frostDir);
        writeFrostImages(frostDir);
        QCOMPARE(testutil::run(cli + " corrupt --quiet --data shapes:5:2 --out " + out + "/b --corruptions frost,pixelate"
                         + " --severities 2,5 --seed 9 --max-images 3 --frost-dir " + frostDir,
                     &text),
            0);
        const NpyArray f = readNpy(out + "/b/frost.npy");
        QCOMPARE(f.shape, (std::vector<std::int64_t> {6, 32, 32, 3}));
        QCOMPARE(readNpy(out + "/b/labels.npy").shape, (std::vector<std::int64_t> {6}));
        QVERIFY(testutil::readText(out + "/b/corrupt.yaml").find("seed: 9") != std::string::npos);
        // the same command again gives the same bytes
        QCOMPARE(testutil::run(cli + " corrupt --quiet --data shapes:5:2 --out " + out + "/c --corruptions frost,pixelate"
                         + " --severities 2,5 --seed 9 --max-images 3 --frost-dir " + frostDir,
                     &text),
            0);
        QCOMPARE(readNpy(out + "/c/frost.npy").data, f.data);
    }

private:
    /// Six small frost images (200 x 220, so 40 x 44 after the recipe's 0.2 scaling), named as the
    /// recipe names them; all PNG-encoded (the reader goes by the content, and PNG needs no Qt plugin).
    static void writeFrostImages(const std::string& dir)
    {
        const char* names[6] = {"frost1.png", "frost2.png", "frost3.png", "frost4.jpg", "frost5.jpg", "frost6.jpg"};
        for (int k = 0; k < 6; ++k) {
            QImage m(220, 200, QImage::Format_RGB888);
            for (int y = 0; y < m.height(); ++y)
                for (int x = 0; x < m.width(); ++x)
                    m.setPixel(x, y, qRgb((x * 3 + k * 40) % 256, (y * 2) % 256, 200 + (x + y) % 50));
            QVERIFY(m.save(QString::fromStdString(dir + "/" + names[k]), "PNG"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCorrupt)
#include "test_corrupt.moc"
