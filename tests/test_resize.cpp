// Pillow's bilinear resample (data/pil_resize.h) against Pillow's own output
// (tests/data/resize, written by make_resize_fixtures.py), and the resize it feeds: the NSD
// import and the loader's `resize` transform.
#include "common/error.h"
#include "data/loader.h"
#include "data/nsd_import.h"
#include "data/pil_resize.h"
#include "io/npy.h"

#include <QtTest>

#include <fstream>
#include <sstream>

using namespace repalign;

namespace {

const std::string kDir = std::string(REPALIGN_TEST_DATA) + "/resize/";

struct Case {
    std::string name;
    int outHeight = 0, outWidth = 0;
};

std::vector<Case> cases()
{
    std::ifstream in(kDir + "cases.txt");
    std::vector<Case> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream s(line);
        Case c;
        s >> c.name >> c.outHeight >> c.outWidth;
        out.push_back(c);
    }
    return out;
}

std::vector<std::uint8_t> bytes(const NpyArray& a)
{
    return std::vector<std::uint8_t>(a.data.begin(), a.data.end());
}

} // namespace

class TestResize : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesPillow()
    {
        const auto all = cases();
        QVERIFY2(all.size() >= 15, "tests/data/resize/cases.txt lists the Pillow cases");
        for (const auto& c : all) {
            const NpyArray in = readNpy(kDir + c.name + "_in.npy");
            const NpyArray expect = readNpy(kDir + c.name + "_out.npy");
            QCOMPARE(in.shape.size(), std::size_t(3));
            QCOMPARE(expect.shape, (std::vector<std::int64_t> {c.outHeight, c.outWidth, 3}));
            const auto src = bytes(in);
            const auto got = pilResizeBilinear(
                src.data(), static_cast<int>(in.shape[0]), static_cast<int>(in.shape[1]), c.outHeight, c.outWidth);
            const auto want = bytes(expect);
            QCOMPARE(got.size(), want.size());
            std::size_t offByOne = 0, worse = 0;
            for (std::size_t i = 0; i < got.size(); ++i) {
                const int d = std::abs(int(got[i]) - int(want[i]));
                offByOne += d == 1;
                worse += d > 1;
            }
            const std::string msg = c.name + ": " + std::to_string(offByOne) + " values off by 1, " + std::to_string(worse)
                + " by more, of " + std::to_string(got.size());
            QVERIFY2(worse == 0, msg.c_str());
            QVERIFY2(offByOne * 1000 <= got.size(), msg.c_str());
            // The implementation follows Pillow's fixed-point arithmetic, so in fact every value agrees.
            QVERIFY2(offByOne == 0, msg.c_str());
        }
    }

    void torchvisionShape()
    {
        // Shorter side -> size, longer side int(size * long / short); (height, width).
        QCOMPARE(torchvisionResizeShape(97, 61, 32), std::make_pair(50, 32));
        QCOMPARE(torchvisionResizeShape(61, 97, 32), std::make_pair(32, 50));
        QCOMPARE(torchvisionResizeShape(150, 120, 32), std::make_pair(40, 32));
        QCOMPARE(torchvisionResizeShape(32, 32, 224), std::make_pair(224, 224));
        QCOMPARE(torchvisionResizeShape(425, 425, 32), std::make_pair(32, 32));
        QCOMPARE(torchvisionResizeShape(3, 7, 2), std::make_pair(2, 4)); // 4.67 truncated
        QVERIFY_THROWS_EXCEPTION(Error, torchvisionResizeShape(0, 5, 3));
        QVERIFY_THROWS_EXCEPTION(Error, pilResizeBilinear(nullptr, 4, 4, 0, 2));
    }

    void sameSizeCopies()
    {
        std::vector<std::uint8_t> img(5 * 7 * 3);
        for (std::size_t i = 0; i < img.size(); ++i)
            img[i] = static_cast<std::uint8_t>(i * 37);
        QVERIFY(pilResizeBilinear(img.data(), 5, 7, 5, 7) == img);
    }

    void importAndLoaderUseIt()
    {
        // The NSD import's resize and the loader's `resize` transform are Pillow's.
        const NpyArray in = readNpy(kDir + "nsd0_32_in.npy");
        const NpyArray expect = readNpy(kDir + "nsd0_32_out.npy");
        const auto src = bytes(in);
        std::vector<std::uint8_t> imported(32 * 32 * 3);
        resizeImageRgb(src.data(), 16, 16, 32, imported.data());
        QVERIFY(imported == bytes(expect));

        TransformConfig t;
        t.resize = 32;
        std::vector<float> out(3 * 32 * 32);
        applyTransform(t, src.data(), 16, 16, /*augment=*/false, 0, out.data());
        const auto want = bytes(expect);
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x)
                for (int c = 0; c < 3; ++c)
                    QVERIFY(std::abs(out[static_cast<std::size_t>(c * 1024 + y * 32 + x)]
                                - want[static_cast<std::size_t>((y * 32 + x) * 3 + c)] / 255.0)
                        < 1e-6);
    }
};

QTEST_APPLESS_MAIN(TestResize)
#include "test_resize.moc"
