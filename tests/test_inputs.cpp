// Bad input at the command line gets one line naming the file or option and the valid range,
// never a library's own text (LibTorch, OpenCV, Boost, std::bad_alloc) or a huge allocation:
// LPIPS sizes, data-spec counts, folders where files belong, NaN II values, image headers that
// claim 100000x100000 pixels, deflate bombs in .pth files, NaN weights in eval.
#include "models/nets.h"
#include "run/checkpoint.h"
#include "test_gui_fixtures.h"
#include "testcheckpoint.h"
#include "testutil.h"

#include <QtTest>

#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace repalign;

namespace {

const std::string kCli = REPALIGN_CLI;

/// One line, "error: ...", and nothing else (no backtrace, no library banner).
bool oneErrorLine(const std::string& out)
{
    return out.rfind("error: ", 0) == 0 && out.find('\n') == out.size() - 1;
}

#define EXPECT_ONE_LINE(cmd, needle)                                                                                             \
    do {                                                                                                                         \
        std::string out_;                                                                                                        \
        const int rc_ = testutil::run(cmd, &out_);                                                                               \
        QVERIFY2(rc_ != 0, (std::string(cmd) + " exited 0: " + out_).c_str());                                                   \
        QVERIFY2(oneErrorLine(out_), (std::string(cmd) + ": not one error line: " + out_).c_str());                              \
        QVERIFY2(out_.find(needle) != std::string::npos, (std::string(cmd) + ": no '" + (needle) + "' in: " + out_).c_str());    \
    } while (0)

/// A binary PPM (which OpenCV reads) of @p side x @p side with a seeded pattern.
void writePpm(const std::string& path, int side, int seed)
{
    std::ofstream f(path, std::ios::binary);
    f << "P6\n" << side << " " << side << "\n255\n";
    for (int i = 0; i < side * side * 3; ++i)
        f.put(static_cast<char>((i * 37 + seed * 101) % 251));
}

void putBe(std::string& s, std::uint32_t v)
{
    for (int i = 3; i >= 0; --i)
        s += static_cast<char>((v >> (8 * i)) & 0xff);
}

/// A PNG whose header claims @p w x @p h pixels, with a few bytes of image data.
std::string pngClaiming(std::uint32_t w, std::uint32_t h)
{
    std::string png("\x89PNG\r\n\x1a\n", 8);
    auto chunk = [&](const char* type, const std::string& data) {
        putBe(png, static_cast<std::uint32_t>(data.size()));
        std::string body = std::string(type, 4) + data;
        png += body;
        putBe(png,
            static_cast<std::uint32_t>(::crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
    };
    std::string ihdr;
    putBe(ihdr, w);
    putBe(ihdr, h);
    ihdr += std::string("\x08\x02\x00\x00\x00", 5); // 8-bit RGB
    chunk("IHDR", ihdr);
    chunk("IDAT", std::string("\x78\x9c\x63\x00\x00\x00\x01\x00\x01", 9));
    chunk("IEND", "");
    return png;
}

/// A one-entry zip ("archive/data.pkl") whose entry is @p inflated zero bytes, deflated.
std::string deflateBomb(std::size_t inflated)
{
    const std::string zeros(inflated, '\0');
    z_stream zs {};
    deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
    std::string packed(deflateBound(&zs, static_cast<uLong>(zeros.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    zs.avail_in = static_cast<uInt>(zeros.size());
    zs.next_out = reinterpret_cast<Bytef*>(packed.data());
    zs.avail_out = static_cast<uInt>(packed.size());
    deflate(&zs, Z_FINISH);
    packed.resize(zs.total_out);
    deflateEnd(&zs);
    // The CRC is zlib's here: the reader must refuse the size before it ever checks it.
    const auto crc
        = static_cast<std::uint32_t>(::crc32(0L, reinterpret_cast<const Bytef*>(zeros.data()), static_cast<uInt>(zeros.size())));
    return testutil::zipArchive({testutil::ZipEntry {"archive/data.pkl", packed, 8, zeros.size(), crc}});
}

std::string saveModel(const std::string& path, bool withNaN)
{
    return testutil::saveRandomInitCheckpoint(path, "resnet18_cifar10", 1, [withNaN](Checkpoint& ck) {
        if (withNaN)
            ck.stateDict.at("conv1.weight").view(-1)[5] = std::nanf("");
    });
}

} // namespace

class TestInputs : public QObject {
    Q_OBJECT
    std::string m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(QStringLiteral(REPALIGN_CLI)))
            QSKIP("repalign-cli not built");
        m_dir = testutil::tempDir("inputs");
    }

    void lpipsSizes()
    {
        // AlexNet's conv1 and two max-pools leave nothing below 31 px: LibTorch said "Kernel size
        // can't be greater than actual input size" with a 25-frame backtrace.
        const std::string a = m_dir + "/a.ppm", b = m_dir + "/b.ppm", small = m_dir + "/small.ppm";
        writePpm(a, 40, 1);
        writePpm(b, 40, 2);
        writePpm(small, 20, 3);
        const std::string lpips = kCli + " lpips --lpips-weights random:1 --threads 1 " + a + " " + b;
        for (int side : {7, 30, -5, 100000}) // 100000 asked LibTorch for 120 GB; -5 was accepted
            EXPECT_ONE_LINE(lpips + " --resize " + std::to_string(side),
                "--resize " + std::to_string(side) + " is out of range (valid: 0 = as is, or 31..4096");
        std::string out;
        QCOMPARE(testutil::run(lpips + " --resize 31", &out), 0);
        QVERIFY2(out.find("lpips ") == 0, out.c_str());
        EXPECT_ONE_LINE(kCli + " lpips --lpips-weights random:1 --threads 1 " + small + " " + small,
            "image '" + small + "' is 20x20 px; LPIPS's AlexNet needs at least 31x31");
        QCOMPARE(testutil::run(kCli + " lpips --lpips-weights random:1 --threads 1 --resize 64 " + small + " " + small, &out), 0);
        EXPECT_ONE_LINE(kCli + " lpips --lpips-weights random:1 --threads -3 " + a + " " + b,
            "threads -3 is out of range (valid: 0 = all cores, or 1..1024)");

        const std::string ckpt = saveModel(m_dir + "/base.pt", false);
        const std::string analyze = kCli + " analyze --checkpoint " + ckpt
            + " --data shapes:40 --lpips-weights random:1 --threads 1 --out " + m_dir + "/an.h5 --quiet";
        EXPECT_ONE_LINE(analyze + " --lpips-resize 4", "31..4096");
        EXPECT_ONE_LINE(analyze + " --batch-size 0", "--batch-size 0 is out of range (valid: 1..65536)");
        QVERIFY(!QFile::exists(QString::fromStdString(m_dir + "/an.h5")));
    }

    void hugeCountsAndFoldersAsFiles()
    {
        // std::bad_alloc before.
        EXPECT_ONE_LINE(kCli + " nsd synth -q --data shapes:99999999999 --out " + m_dir + "/x.h5",
            "shapes count 99999999999 is out of range (valid: 1..1000000");
        const std::string cifar = m_dir + "/cifar";
        std::filesystem::create_directories(cifar + "/test_batch.bin");
        EXPECT_ONE_LINE(kCli + " nsd synth -q --split test --data cifar10:" + cifar + " --out " + m_dir + "/x.h5",
            cifar + "/test_batch.bin is a folder, not a file");
        QVERIFY(!QFile::exists(QString::fromStdString(m_dir + "/x.h5")));
    }

    void otherNumericOptions()
    {
        const std::string probe = kCli + " predictivity --checkpoint " + m_dir + "/none.pt --bundle " + m_dir + "/none.h5";
        EXPECT_ONE_LINE(probe + " --folds 1", "--folds 1 is out of range (valid: 2..100)");
        EXPECT_ONE_LINE(probe + " --max-train -4", "--max-train -4 is out of range");
        EXPECT_ONE_LINE(probe + " --alphas 1 0", "--alphas holds 0 (valid: positive finite penalties");
        // 999999999 voxels asked for gigabytes per image.
        const std::string synth = kCli + " nsd synth -q --data shapes:20 --out " + m_dir + "/s.h5";
        EXPECT_ONE_LINE(synth + " --voxels 999999999", "--voxels 999999999 is out of range (valid: 1..100000)");
        EXPECT_ONE_LINE(synth + " --max-images -1", "--max-images -1 is out of range");
        EXPECT_ONE_LINE(synth + " --noise-sd inf", "--noise-sd must be a finite number >= 0");
        QVERIFY(!QFile::exists(QString::fromStdString(m_dir + "/s.h5")));
    }

    void nanIIValuesInCompare()
    {
        // Boost's "Error in function boost::math::cdf(fisher_f...)" before.
        const std::string a = m_dir + "/a.h5", b = m_dir + "/b.h5", c = m_dir + "/c.h5";
        guifixture::writeSyntheticAnalysis(a, 12, 5, 1);
        guifixture::writeSyntheticAnalysis(b, 12, 5, 2, true, 200, /*nanUnits=*/2);
        guifixture::writeSyntheticAnalysis(c, 12, 5, 3);
        std::string out;
        QCOMPARE(testutil::run(kCli + " compare " + a + " " + c, &out), 0);
        EXPECT_ONE_LINE(kCli + " compare " + a + " " + b,
            b + ": /ii/lpips holds 2 NaN/Inf values of 12 (units 0, 1); II values must be finite numbers");
    }

    void imageHeaderClaimsTooManyPixels()
    {
        // OpenCV's assertion text ("pixels <= CV_IO_MAX_IMAGE_PIXELS") before.
        const std::string big = m_dir + "/big.png";
        std::ofstream(big, std::ios::binary) << pngClaiming(100000, 100000);
        EXPECT_ONE_LINE(kCli + " lpips --lpips-weights random:1 --resize 64 " + big + " " + big,
            "image '" + big + "': its header claims 100000x100000 pixels; at most 67108864 (8192x8192) are read");
        const std::string folder = m_dir + "/images/cls";
        std::filesystem::create_directories(folder);
        std::ofstream(folder + "/x.png", std::ios::binary) << pngClaiming(100000, 100000);
        EXPECT_ONE_LINE(kCli + " nsd synth -q --data folder:" + m_dir + "/images --out " + m_dir + "/y.h5",
            "its header claims 100000x100000 pixels");
    }

    void deflateBombInPth()
    {
        // 256 MiB of zeros deflate to about 250 KB: past 100x the file and past 64 MiB.
        const std::string bomb = m_dir + "/bomb.pth";
        std::ofstream(bomb, std::ios::binary) << deflateBomb(256u << 20);
        QVERIFY(std::filesystem::file_size(bomb) < (1u << 20));
        EXPECT_ONE_LINE(kCli + " pth ls " + bomb, "refusing a likely deflate bomb");
        EXPECT_ONE_LINE(kCli + " pth ls " + bomb, "past the limit of 67108864 inflated bytes");
        // A small deflated entry within the limit is still read (and then found not a pickle).
        const std::string small = m_dir + "/small.pth";
        std::ofstream(small, std::ios::binary) << deflateBomb(1u << 20);
        std::string out;
        QVERIFY(testutil::run(kCli + " pth ls " + small, &out) != 0);
        QVERIFY2(out.find("deflate bomb") == std::string::npos && oneErrorLine(out), out.c_str());
    }

    void evalWarnsOnNaNWeights()
    {
        const std::string bad = saveModel(m_dir + "/nan.pt", true), good = saveModel(m_dir + "/good.pt", false);
        std::string out;
        QCOMPARE(testutil::run(kCli + " eval --threads 1 --data shapes:16 --checkpoint " + bad, &out), 0);
        QVERIFY2(out.find("warning: " + bad + ": 1 of ") != std::string::npos
                && out.find("tensors hold NaN/Inf values (conv1.weight)") != std::string::npos,
            out.c_str());
        QVERIFY2(out.find("accuracy") != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(kCli + " eval --threads 1 --data shapes:16 --checkpoint " + good, &out), 0);
        QVERIFY2(out.find("warning") == std::string::npos, out.c_str());
    }
};

QTEST_GUILESS_MAIN(TestInputs)
#include "test_inputs.moc"
