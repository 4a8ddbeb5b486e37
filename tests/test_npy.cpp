// .npy reader: versions 1-3, byte orders, dtypes, C/Fortran order, strings, bad files.
// Fixtures: tests/data/nsd/npy (written by tests/data/nsd/make_fixtures.py).
#include "common/error.h"
#include "io/npy.h"
#include "testutil.h"

#include <QtTest>

#include <cmath>

using namespace repalign;

namespace {
std::string fx(const std::string& name)
{
    return std::string(REPALIGN_TEST_DATA) + "/nsd/npy/" + name;
}
} // namespace

class TestNpy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void float32LittleEndianC()
    {
        const NpyArray a = readNpy(fx("f4_le_c.npy"));
        QCOMPARE(a.kind, 'f');
        QCOMPARE(a.itemSize, 4);
        QCOMPARE(a.shape, (std::vector<std::int64_t> {3, 4}));
        const auto v = a.toFloats();
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 4; ++j)
                QCOMPARE(v[i * 4 + j], float((4 * i + j) / 2.0 - 1.0));
    }
    void float64BigEndianFortran()
    {
        const NpyArray a = readNpy(fx("f8_be_fortran.npy"));
        QVERIFY(a.fortranOrder);
        QCOMPARE(a.descr, std::string(">f8"));
        const auto v = a.toDoubles();
        QCOMPARE(v.size(), std::size_t(12));
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 4; ++j)
                QCOMPARE(v[i * 4 + j], (4 * i + j) / 2.0 - 1.0); // C order after loading
    }
    void int16BigEndian()
    {
        const auto v = readNpy(fx("i2_be.npy")).toDoubles();
        for (int k = 0; k < 12; ++k)
            QCOMPARE(v[k], double(k - 6));
    }
    void int32Fortran3d()
    {
        const NpyArray a = readNpy(fx("i4_le_fortran.npy"));
        QCOMPARE(a.shape, (std::vector<std::int64_t> {2, 3, 4}));
        const auto v = a.toDoubles();
        for (int k = 0; k < 24; ++k)
            QCOMPARE(v[k], double(k * 1000 - 7000));
    }
    void uint8()
    {
        const auto v = readNpy(fx("u1.npy")).toFloats();
        QCOMPARE(v.size(), std::size_t(6));
        QCOMPARE(v[0], 200.0f);
        QCOMPARE(v[5], 205.0f);
    }
    void unicodeStrings()
    {
        const auto s = readNpy(fx("unicode.npy")).toStrings();
        QCOMPARE(s.size(), std::size_t(3));
        QCOMPARE(s[0], std::string("a/b.png"));
        QCOMPARE(s[1], std::string("\xCE\xA9mega")); // Omega, UTF-8
        QCOMPARE(s[2], std::string("x"));
        const auto be = readNpy(fx("unicode_be.npy")).toStrings();
        QCOMPARE(be[0], std::string("hi"));
        QCOMPARE(be[1], std::string("z\xC3\xBCrich"));
    }
    void byteStrings()
    {
        const auto s = readNpy(fx("bytes.npy")).toStrings();
        QCOMPARE(s, (std::vector<std::string> {"ab", "cde"}));
    }
    void versions2and3()
    {
        const auto v = readNpy(fx("v2.npy")).toFloats();
        QCOMPARE(v[11], 4.5f);
        const auto s = readNpy(fx("v3.npy")).toStrings();
        QCOMPARE(s[0], std::string("\xC3\xBCn\xC3\xAF"));
    }
    void badFilesNameTheFile()
    {
        for (const char* name : {"object.npy", "truncated.npy", "missing.npy"}) {
            try {
                readNpy(fx(name));
                QFAIL(name);
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(name) != std::string::npos, e.what());
            }
        }
        try {
            parseNpy(std::vector<char> {'n', 'o', 't', 'n', 'p', 'y', 0, 0, 0, 0, 0}, "mem");
            QFAIL("bad magic accepted");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("magic") != std::string::npos);
        }
        try {
            readNpy(fx("unicode.npy")).toFloats();
            QFAIL("strings converted to numbers");
        } catch (const Error&) {
        }
    }
    void writeRoundTrip()
    {
        const std::string dir = testutil::tempDir("npy");
        const std::vector<float> v {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
        writeNpyF32(dir + "/a.npy", {2, 3}, v);
        const NpyArray a = readNpy(dir + "/a.npy");
        QCOMPARE(a.shape, (std::vector<std::int64_t> {2, 3}));
        QCOMPARE(a.toFloats(), v);
    }
};

QTEST_GUILESS_MAIN(TestNpy)
#include "test_npy.moc"
