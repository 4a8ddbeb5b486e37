// Data loaders: CIFAR-10 binary, IDX (gzip/raw), image folders, shapes; corrupt input.
#include "common/error.h"
#include "data/dataset.h"
#include "testutil.h"

#include <QImage>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <zlib.h>

using namespace repalign;

namespace {

std::string cifarRecord(int label, int seed)
{
    std::string rec(3073, '\0');
    rec[0] = static_cast<char>(label);
    for (int i = 1; i < 3073; ++i)
        rec[static_cast<std::size_t>(i)] = static_cast<char>((i * 7 + seed * 13) & 0xff);
    return rec;
}

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string idxBytes(const std::vector<int>& dims, const std::vector<unsigned char>& data)
{
    std::string b;
    b += '\0';
    b += '\0';
    b += '\x08';
    b += static_cast<char>(dims.size());
    for (int d : dims)
        for (int s = 24; s >= 0; s -= 8)
            b += static_cast<char>((d >> s) & 0xff);
    b.append(reinterpret_cast<const char*>(data.data()), data.size());
    return b;
}

void writeGzip(const std::string& path, const std::string& bytes)
{
    gzFile gz = gzopen(path.c_str(), "wb");
    gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(gz);
}

template <typename F> QString errorOf(F f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cifarLayoutAndLabels()
    {
        std::string dir = testutil::tempDir("cifar") + "/cifar-10-batches-bin";
        std::filesystem::create_directories(dir);
        writeBytes(dir + "/data_batch_1.bin", cifarRecord(3, 1) + cifarRecord(7, 2));
        writeBytes(dir + "/data_batch_2.bin", cifarRecord(9, 3));
        writeBytes(dir + "/test_batch.bin", cifarRecord(0, 4));
        writeBytes(dir + "/batches.meta.txt", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");
        // The parent folder works as well as the batches folder itself.
        ImageDataset train = loadDataset("cifar10:" + std::filesystem::path(dir).parent_path().string(), Split::Train);
        QCOMPARE(train.count, std::int64_t(3));
        QCOMPARE(train.labels, (std::vector<std::int64_t> {3, 7, 9}));
        QCOMPARE(train.classes.at(9), std::string("j"));
        // Record layout: 1024 R, then G, then B, row-major; stored HWC.
        std::string rec = cifarRecord(3, 1);
        const std::uint8_t* img = train.image(0);
        for (int p : {0, 1, 33, 1023})
            for (int c = 0; c < 3; ++c)
                QCOMPARE(int(img[p * 3 + c]), int(static_cast<unsigned char>(rec[static_cast<std::size_t>(1 + c * 1024 + p)])));
        ImageDataset test = loadDataset("cifar10:" + dir, Split::Test);
        QCOMPARE(test.count, std::int64_t(1));
    }

    void cifarCorrupt()
    {
        std::string dir = testutil::tempDir("cifarbad");
        writeBytes(dir + "/data_batch_1.bin", cifarRecord(1, 1) + "xyz");
        QString e = errorOf([&] { loadCifar10(dir, Split::Train); });
        QVERIFY2(e.contains(QStringLiteral("data_batch_1.bin")) && e.contains(QStringLiteral("whole number")), qPrintable(e));
        writeBytes(dir + "/data_batch_1.bin", cifarRecord(1, 1) + cifarRecord(12, 2));
        e = errorOf([&] { loadCifar10(dir, Split::Train); });
        QVERIFY2(e.contains(QStringLiteral("record 1")) && e.contains(QStringLiteral("label 12")), qPrintable(e));
        e = errorOf([&] { loadCifar10(dir, Split::Test); });
        QVERIFY2(e.contains(QStringLiteral("test_batch.bin")), qPrintable(e));
        e = errorOf([&] { loadCifar10(dir + "/missing", Split::Test); });
        QVERIFY2(e.contains(QStringLiteral("does not exist")), qPrintable(e));
    }

    void idxGzipAndRaw()
    {
        std::string dir = testutil::tempDir("idx");
        std::vector<unsigned char> pix(2 * 28 * 28);
        for (std::size_t i = 0; i < pix.size(); ++i)
            pix[i] = static_cast<unsigned char>(i % 251);
        writeGzip(dir + "/train-images-idx3-ubyte.gz", idxBytes({2, 28, 28}, pix));
        writeBytes(dir + "/train-labels-idx1-ubyte", idxBytes({2}, {4, 9}));
        ImageDataset ds = loadIdx(dir, Split::Train);
        QCOMPARE(ds.count, std::int64_t(2));
        QCOMPARE(ds.height, 32);
        QCOMPARE(ds.labels, (std::vector<std::int64_t> {4, 9}));
        const std::uint8_t* img = ds.image(1);
        // 2-pixel zero border, grey copied to all channels.
        QCOMPARE(int(img[0]), 0);
        QCOMPARE(int(img[(31 * 32 + 31) * 3]), 0);
        const int v = pix[28 * 28 + 5 * 28 + 7];
        for (int c = 0; c < 3; ++c)
            QCOMPARE(int(img[((5 + 2) * 32 + (7 + 2)) * 3 + c]), v);
        // Bad inputs.
        writeBytes(dir + "/train-labels-idx1-ubyte", idxBytes({3}, {1, 2, 3}));
        QString e = errorOf([&] { loadIdx(dir, Split::Train); });
        QVERIFY2(
            e.contains(QStringLiteral("train-labels-idx1-ubyte")) && e.contains(QStringLiteral("does not match")), qPrintable(e));
        writeBytes(dir + "/train-labels-idx1-ubyte", idxBytes({2}, {1, 11}));
        e = errorOf([&] { loadIdx(dir, Split::Train); });
        QVERIFY2(e.contains(QStringLiteral("record 1")) && e.contains(QStringLiteral("label 11")), qPrintable(e));
        writeBytes(dir + "/t10k-images-idx3-ubyte", "\x01\x02garbage");
        writeBytes(dir + "/t10k-labels-idx1-ubyte", idxBytes({1}, {1}));
        e = errorOf([&] { loadIdx(dir, Split::Test); });
        QVERIFY2(e.contains(QStringLiteral("t10k-images-idx3-ubyte")) && e.contains(QStringLiteral("magic")), qPrintable(e));
        writeBytes(dir + "/t10k-images-idx3-ubyte", idxBytes({1, 28, 28}, std::vector<unsigned char>(100)));
        e = errorOf([&] { loadIdx(dir, Split::Test); });
        QVERIFY2(e.contains(QStringLiteral("header says")), qPrintable(e));
    }

    void fashionMnistFromDebian()
    {
        const std::string dir = "/usr/share/datasets/fashion-mnist";
        if (!std::filesystem::exists(dir + "/t10k-images-idx3-ubyte.gz"))
            QSKIP("dataset-fashion-mnist is not installed");
        ImageDataset ds = loadDataset("idx:" + dir, Split::Test);
        QCOMPARE(ds.count, std::int64_t(10000));
        QCOMPARE(ds.classes.at(9), std::string("ankle boot"));
        std::vector<int> perClass(10);
        for (auto l : ds.labels)
            perClass[static_cast<std::size_t>(l)]++;
        for (int c : perClass)
            QCOMPARE(c, 1000);
    }

    void imageFolder()
    {
        std::string dir = testutil::tempDir("folder");
        for (const char* cls : {"cat", "dog"}) {
            std::filesystem::create_directories(dir + "/" + cls);
            for (int i = 0; i < 2; ++i) {
                QImage img(32, 32, QImage::Format_RGB888);
                img.fill(QColor(cls[0] == 'c' ? 200 : 10, 40 * i, 90));
                QVERIFY(img.save(QString::fromStdString(dir + "/" + cls + "/" + std::to_string(i) + ".png")));
            }
        }
        ImageDataset ds = loadDataset("folder:" + dir, Split::Train);
        QCOMPARE(ds.count, std::int64_t(4));
        QCOMPARE(ds.classes, (std::vector<std::string> {"cat", "dog"}));
        QCOMPARE(ds.labels, (std::vector<std::int64_t> {0, 0, 1, 1}));
        QCOMPARE(int(ds.image(0)[0]), 200); // RGB order, not OpenCV's BGR
        QCOMPARE(int(ds.image(0)[2]), 90);
        writeBytes(dir + "/dog/broken.png", "not a png");
        QString e = errorOf([&] { loadImageFolder(dir); });
        QVERIFY2(e.contains(QStringLiteral("broken.png")) && e.contains(QStringLiteral("unreadable")), qPrintable(e));
        std::string empty = testutil::tempDir("empty");
        e = errorOf([&] { loadImageFolder(empty); });
        QVERIFY2(e.contains(QString::fromStdString(empty)) && e.contains(QStringLiteral("no class subfolders")), qPrintable(e));
    }

    void shapesDeterministic()
    {
        ImageDataset a = loadDataset("shapes:50:3", Split::Train);
        ImageDataset b = loadDataset("shapes:50:3", Split::Train);
        ImageDataset c = loadDataset("shapes:50:4", Split::Train);
        ImageDataset t = loadDataset("shapes:50:3", Split::Test);
        QCOMPARE(a.count, std::int64_t(50));
        QVERIFY(a.pixels == b.pixels);
        QVERIFY(a.pixels != c.pixels);
        QVERIFY(a.pixels != t.pixels);
        QCOMPARE(a.numClasses(), 10);
        for (int cls = 0; cls < 10; ++cls)
            QCOMPARE(a.labels[static_cast<std::size_t>(cls)], std::int64_t(cls));
    }

    void specErrors()
    {
        QString e = errorOf([] { parseDataSpec("imagenet:/x"); });
        QVERIFY2(e.contains(QStringLiteral("imagenet")) && e.contains(QStringLiteral("cifar10:DIR")), qPrintable(e));
        e = errorOf([] { parseDataSpec("shapes:abc"); });
        QVERIFY2(e.contains(QStringLiteral("shapes:abc")), qPrintable(e));
        e = errorOf([] { parseDataSpec("nocolon"); });
        QVERIFY2(e.contains(QStringLiteral("nocolon")), qPrintable(e));
    }
};

QTEST_GUILESS_MAIN(TestData)
#include "test_data.moc"
