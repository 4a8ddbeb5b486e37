// PyTorch interop: the torch.save reader (zip and legacy), `pth ls`, and eval on a checkpoint
// written in the reference training script's format. Fixtures and the values checked against
// come from PyTorch itself (tests/data/pth/make_pth_fixtures.py).
#include "common/error.h"
#include "common/fsutil.h"
#include "io/h5.h"
#include "io/pth.h"
#include "run/checkpoint.h"
#include "run/import_checkpoint.h"
#include "run/project.h"
#include "run/rundir.h"
#include "testutil.h"

#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace repalign;

namespace {

const std::string kData = std::string(REPALIGN_TEST_DATA) + "/pth/";

/// A string literal with embedded NULs (mind C++ hex escapes: split "\x00" "a" literals).
template <std::size_t N> std::string S(const char (&s)[N])
{
    return std::string(s, N - 1);
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> split(const std::string& s, char sep)
{
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        out.push_back(cur);
    return out;
}

bool near(double a, double b, double rel = 1e-9)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::fabs(a - b) <= rel * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// Wraps one pickle into the legacy container (magic, protocol 1001, sys info, object, no
// storages), so hand-made pickles reach the unpickler through the public entry point.
std::string legacyWrap(const std::string& pickle)
{
    std::string s;
    s += S("\x80\x02\x8a\x0a") + S("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19") + ".";
    s += S("\x80\x02M\xe9\x03.");
    s += S("\x80\x02}.");
    s += pickle;
    s += S("\x80\x02].");
    return s;
}

pth::ValuePtr loadString(const std::string& bytes, const std::string& name = "test")
{
    return pth::loadBytes(bytes.data(), bytes.size(), name);
}

// The storage formula of make_pth_fixtures.py: a 32-bit hash of (key, index) -> [-1, 1).
std::string formulaStorage(std::uint64_t key, std::int64_t numel, double scale, double offset)
{
    std::string bytes(static_cast<std::size_t>(numel) * 4, '\0');
    for (std::int64_t i = 0; i < numel; ++i) {
        std::uint32_t h = static_cast<std::uint32_t>(static_cast<std::uint64_t>(i) * 2654435761ull + key * 40503ull + 12345ull);
        h ^= h >> 15;
        h = static_cast<std::uint32_t>(static_cast<std::uint64_t>(h) * 2246822519ull);
        h ^= h >> 13;
        const double u = static_cast<double>(h) / 4294967296.0;
        const float v = static_cast<float>(offset + scale * (2.0 * u - 1.0));
        std::memcpy(&bytes[static_cast<std::size_t>(i) * 4], &v, 4);
    }
    return bytes;
}

/// Rebuilds the reference-format resnet18_cifar10 checkpoint PyTorch wrote (its own data.pkl,
/// storages from the formula, the same records) and returns its path.
std::string buildResnetCheckpoint(const std::string& dir, bool zip64 = false)
{
    const std::string base = kData + "resnet18_ckpt/";
    std::vector<testutil::ZipEntry> records;
    for (const auto& line : split(readBytes(base + "records.txt"), '\n')) {
        if (line.empty())
            continue;
        auto f = split(line, '\t');
        if (f[1] == "pickle") {
            records.push_back(testutil::storedEntry(f[0], readBytes(base + f[2])));
        } else if (f[1] == "storage") {
            const std::uint64_t key = std::stoull(f[2]);
            const std::int64_t numel = std::stoll(f[4]);
            if (f[3] == "int64") {
                std::vector<std::int64_t> v(static_cast<std::size_t>(numel), static_cast<std::int64_t>(std::stod(f[6])));
                records.push_back(
                    testutil::storedEntry(f[0], std::string(reinterpret_cast<const char*>(v.data()), v.size() * 8)));
            } else {
                records.push_back(testutil::storedEntry(f[0], formulaStorage(key, numel, std::stod(f[5]), std::stod(f[6]))));
            }
        } else {
            std::string text = f[2];
            for (std::size_t p; (p = text.find("\\n")) != std::string::npos;)
                text.replace(p, 2, "\n");
            records.push_back(testutil::storedEntry(f[0], text));
        }
    }
    const std::string path = dir + (zip64 ? "/best_loss_zip64.pt" : "/best_loss.pt");
    std::ofstream(path, std::ios::binary) << testutil::zipArchive(records, zip64);
    return path;
}

} // namespace

class TestPth : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    // Every tensor of every PyTorch-written fixture: dtype, shape, sum, |sum|, first, last
    // element and contiguity as PyTorch reported them.
    void tensorsMatchPyTorch()
    {
        std::map<std::string, pth::ValuePtr> files;
        int checked = 0;
        for (const auto& line : split(readBytes(kData + "expected.txt"), '\n')) {
            if (line.empty() || line[0] == '#')
                continue;
            auto f = split(line, '\t');
            QCOMPARE(int(f.size()), 9);
            auto& root = files[f[0]];
            if (!root)
                root = pth::loadFile(kData + f[0]);
            auto v = pth::lookupPath(root, f[1]);
            const std::string where = f[0] + " " + f[1];
            QVERIFY2(v->kind == pth::Value::Kind::Tensor, where.c_str());
            const torch::Tensor& t = v->tensor;
            QCOMPARE(QString::fromStdString(pth::dtypeName(t.scalar_type())), QString::fromStdString(f[2]));
            std::string shape;
            for (std::int64_t i = 0; i < t.dim(); ++i)
                shape += (i ? "," : "") + std::to_string(t.size(i));
            QCOMPARE(QString::fromStdString(shape), QString::fromStdString(f[3]));
            auto d = t.to(torch::kDouble);
            QVERIFY2(near(d.sum().item<double>(), std::stod(f[4])), where.c_str());
            QVERIFY2(near(d.abs().sum().item<double>(), std::stod(f[5])), where.c_str());
            if (t.numel()) {
                auto flat = d.reshape({-1});
                QVERIFY2(flat[0].item<double>() == std::stod(f[6]), where.c_str());
                QVERIFY2(flat[-1].item<double>() == std::stod(f[7]), where.c_str());
            }
            QCOMPARE(t.is_contiguous() ? 1 : 0, std::stoi(f[8]));
            ++checked;
        }
        QVERIFY(checked > 100);
        QVERIFY(files.size() >= 14);
    }

    void checkpointDictBothFormats()
    {
        for (const char* name :
            {"tiny_ckpt.zip.pth", "tiny_ckpt.legacy.pth", "tiny_ckpt_proto4.zip.pth", "tiny_ckpt_proto5.zip.pth"}) {
            auto root = pth::loadFile(kData + name);
            QVERIFY(root->isDict());
            QCOMPARE(root->entries.size(), std::size_t(6));
            QCOMPARE(root->find("epoch")->kind, pth::Value::Kind::Int);
            QCOMPARE(root->find("epoch")->integer, std::int64_t(7));
            auto losses = root->find("train_losses");
            QCOMPARE(losses->kind, pth::Value::Kind::List);
            const double want[] = {2.302585092994046, 1.75, 1.5, 1.25, 0.875};
            QCOMPARE(losses->items.size(), std::size_t(5));
            for (std::size_t i = 0; i < 5; ++i)
                QCOMPARE(losses->items[i]->number, want[i]);
            QVERIFY(std::isinf(root->find("best_val_loss")->number) && root->find("best_val_loss")->number > 0);
            QCOMPARE(root->find("wandb_run_name")->kind, pth::Value::Kind::None);
            auto sdv = root->find("state_dict");
            QCOMPARE(QString::fromStdString(sdv->className), QStringLiteral("collections.OrderedDict"));
            QVERIFY(sdv->state && sdv->state->find("_metadata")); // BUILD state of the OrderedDict
            auto group = pth::lookupPath(root, "optimizer/param_groups/0");
            QCOMPARE(group->find("lr")->number, 0.01);
            QVERIFY(group->find("nesterov")->boolean);
            QCOMPARE(pth::lookupPath(root, "optimizer/state/3/momentum_buffer")->tensor.sizes(), (torch::IntArrayRef {3, 4}));

            auto sd = pth::stateDictFrom(root);
            QCOMPARE(sd.size(), std::size_t(8));
            QCOMPARE(sd.at("bn1.num_batches_tracked").scalar_type(), torch::kLong);
            QCOMPARE(sd.at("bn1.num_batches_tracked").item<std::int64_t>(), std::int64_t(2));
            auto bare = pth::stateDictFrom(pth::loadFile(kData + "tiny_state.zip.pth"));
            for (const auto& [k, t] : bare)
                QVERIFY2(torch::equal(t, sd.at(k)), k.c_str());
            // The explicit key finds the same; a wrong one lists what there is.
            QCOMPARE(pth::stateDictFrom(root, "state_dict").size(), std::size_t(8));
            try {
                pth::stateDictFrom(root, "model_state");
                QFAIL("expected an error");
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find("epoch, state_dict, optimizer") != std::string::npos, e.what());
            }
        }
    }

    void zipAndLegacyAgree()
    {
        for (const char* stem : {"tiny_state", "tiny_ckpt", "dtypes"}) {
            auto z = pth::loadFile(kData + stem + ".zip.pth");
            auto l = pth::loadFile(kData + stem + ".legacy.pth");
            QCOMPARE(QString::fromStdString(pth::listing(z)), QString::fromStdString(pth::listing(l)));
        }
    }

    void viewsShareStorage()
    {
        for (const char* name : {"dtypes.zip.pth", "dtypes.legacy.pth"}) {
            auto root = pth::loadFile(kData + name);
            auto a = root->find("view_a")->tensor, b = root->find("view_b")->tensor;
            // shared[:6].view(2,3) and shared[4:]: b starts 4 elements into a's storage.
            QCOMPARE(b.storage_offset(), std::int64_t(4));
            QCOMPARE(static_cast<const char*>(b.data_ptr()) - static_cast<const char*>(a.data_ptr()), std::ptrdiff_t(16));
            const float before = b[1].item<float>();
            a.view({-1})[5].fill_(42.0f);
            QCOMPARE(b[1].item<float>(), 42.0f);
            QVERIFY(before != 42.0f);
            QCOMPARE(root->find("offset")->tensor.storage_offset(), std::int64_t(7));
            auto tr = root->find("transposed")->tensor;
            QCOMPARE(tr.strides(), (torch::IntArrayRef {1, 6}));
            QVERIFY(torch::equal(tr.t().contiguous().reshape({-1}), torch::arange(24, torch::kFloat) * 0.5 - 3));
            QCOMPARE(root->find("strided")->tensor.strides(), (torch::IntArrayRef {12, 2}));
            QCOMPARE(root->find("i64")->tensor[1][1].item<std::int64_t>(), std::int64_t(1) << 62);
            QCOMPARE(root->find("i64")->tensor[0][0].item<std::int64_t>(), -(std::int64_t(1) << 40));
            QCOMPARE(root->find("bool")->tensor.sum().item<std::int64_t>(), std::int64_t(3));
        }
    }

    void lpipsLayoutFromCuda()
    {
        auto root = pth::loadFile(kData + "lpips_alex.legacy.pth");
        auto sd = pth::stateDictFrom(root);
        QCOMPARE(sd.size(), std::size_t(5));
        const std::int64_t ch[] = {64, 192, 384, 256, 256};
        for (int i = 0; i < 5; ++i) {
            auto& t = sd.at("lin" + std::to_string(i) + ".model.1.weight");
            QCOMPARE(t.sizes(), (torch::IntArrayRef {1, ch[i], 1, 1}));
            QVERIFY(t.device().is_cpu());
        }
        const std::string text = pth::listing(root);
        QVERIFY(text.find("lin0.model.1.weight: float32 (1, 64, 1, 1)") != std::string::npos);
        QVERIFY(text.find("lin4.model.1.weight: float32 (1, 256, 1, 1)") != std::string::npos);
        // The file really records cuda:0 as the location.
        QVERIFY(readBytes(kData + "lpips_alex.legacy.pth").find("cuda:0") != std::string::npos);
    }

    void alexnetLayout()
    {
        auto sd = pth::stateDictFrom(pth::loadFile(kData + "alexnet_owt_layout.legacy.pth"));
        QCOMPARE(sd.size(), std::size_t(16));
        for (const char* k : {"features.0.weight", "features.3.bias", "features.6.weight", "features.8.weight",
                 "features.10.bias", "classifier.1.weight", "classifier.4.bias", "classifier.6.weight"})
            QVERIFY2(sd.count(k), k);
        QCOMPARE(sd.at("features.0.weight").sizes(), (torch::IntArrayRef {8, 3, 11, 11}));
    }

    void otherLayouts()
    {
        // DataParallel's "module." prefix is removed.
        auto dp = pth::stateDictFrom(pth::loadFile(kData + "tiny_dataparallel.zip.pth"));
        auto plain = pth::stateDictFrom(pth::loadFile(kData + "tiny_state.zip.pth"));
        QCOMPARE(dp.size(), plain.size());
        for (const auto& [k, t] : plain)
            QVERIFY2(dp.count(k) && torch::equal(dp.at(k), t), k.c_str());
        // numpy scalars (np.float64, np.float32, np.int64) as training scripts store them.
        auto np = pth::loadFile(kData + "numpy_scalars.zip.pth");
        QCOMPARE(np->find("best_val_loss")->number, 0.4375);
        QCOMPARE(np->find("best_acc")->number, 0.875);
        QCOMPARE(np->find("epoch")->integer, std::int64_t(12));
        // nn.Parameters in a list; no state dict there, and the error says what there is.
        auto params = pth::loadFile(kData + "parameters.zip.pth");
        QCOMPARE(params->find("weights")->items.size(), std::size_t(5));
        QCOMPARE(QString::fromStdString(params->find("weights")->items[0]->className), QStringLiteral("torch.nn.Parameter"));
        QVERIFY(params->find("weights")->items[0]->requiresGrad);
        try {
            pth::stateDictFrom(params);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("weights, step") != std::string::npos, e.what());
        }
        // Bare storages, untyped (bytes) and typed.
        auto st = pth::loadFile(kData + "storages.zip.pth");
        auto raw = st->find("untyped");
        QCOMPARE(raw->kind, pth::Value::Kind::Storage);
        QCOMPARE(raw->tensor.scalar_type(), torch::kByte);
        QCOMPARE(raw->tensor.numel(), std::int64_t(12));
        float floats[3];
        std::memcpy(floats, raw->tensor.data_ptr(), 12);
        QCOMPARE(floats[0], 1.5f);
        QCOMPARE(floats[2], -3.0f);
        QCOMPARE(st->find("typed")->tensor.scalar_type(), torch::kLong);
        QCOMPARE(st->find("typed")->tensor[1].item<std::int64_t>(), std::int64_t(2));
        QVERIFY(pth::listing(st).find("untyped: storage uint8 (12 elements)") != std::string::npos);
        // Big-endian zip (byteorder "big").
        auto be = pth::loadFile(kData + "bigendian.zip.pth")->find("w")->tensor;
        QCOMPARE(be[0][1].item<float>(), -2.25f);
    }

    // loadCheckpoint (eval, tuning, analysis) takes what torch::pickle_load cannot.
    void loadCheckpointReadsPyTorchFiles()
    {
        for (const char* name : {"tiny_ckpt.zip.pth", "tiny_ckpt.legacy.pth"}) {
            Checkpoint c = loadCheckpoint(kData + name);
            QCOMPARE(QString::fromStdString(c.source), QStringLiteral("pytorch"));
            QCOMPARE(c.epoch, std::int64_t(7));
            QVERIFY(std::isinf(c.bestValLoss));
            QCOMPARE(c.stateDict.size(), std::size_t(8));
            QVERIFY(c.model.empty());
        }
        Checkpoint n = loadCheckpoint(kData + "numpy_scalars.zip.pth");
        QCOMPARE(n.epoch, std::int64_t(12));
        QCOMPARE(n.bestValLoss, 0.4375);
        QCOMPARE(n.bestValAcc, 0.875);
        QCOMPARE(QString::fromStdString(n.model), QStringLiteral("resnet18_cifar10"));
        QCOMPARE(n.scalars.at("lr"), 0.01);
        QCOMPARE(loadCheckpoint(kData + "lpips_alex.legacy.pth").stateDict.size(), std::size_t(5));
        QCOMPARE(loadCheckpoint(kData + "tiny_dataparallel.zip.pth").stateDict.count("conv1.weight"), std::size_t(1));
        QCOMPARE(loadCheckpoint(kData + "tiny_ckpt.zip.pth", "state_dict").stateDict.size(), std::size_t(8));
        try {
            loadCheckpoint(kData + "parameters.zip.pth");
            QFAIL("expected an error");
        } catch (const Error& e) {
            const std::string what = e.what();
            QVERIFY2(
                what.find(kData + "parameters.zip.pth") == 0 && what.find("no state dict found") != std::string::npos, e.what());
        }
        try {
            loadCheckpoint(kData + "corrupt_unknown_global.zip.pth");
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("posix.system") != std::string::npos, e.what());
        }
    }

    // The program's own checkpoints (torch.save-compatible zips) open in the reader too, so
    // `pth ls` works on them.
    void ownCheckpointsAreReadable()
    {
        Checkpoint c;
        c.model = "resnet18_cifar10";
        c.epoch = 3;
        c.stateDict["conv1.weight"] = torch::arange(12, torch::kFloat).reshape({2, 2, 3});
        c.stateDict["bn1.num_batches_tracked"] = torch::tensor(int64_t(5));
        c.bestValLoss = 0.25;
        c.config = "model: resnet18_cifar10\n";
        const std::string path = testutil::tempDir("pth-own") + "/last.pt";
        saveCheckpoint(path, c);
        auto root = pth::loadFile(path);
        QCOMPARE(QString::fromStdString(root->find("format")->text), QStringLiteral("repalign-checkpoint"));
        QCOMPARE(root->find("epoch")->integer, std::int64_t(3));
        QCOMPARE(root->find("best_val_loss")->number, 0.25);
        auto sd = pth::stateDictFrom(root);
        QVERIFY(torch::equal(sd.at("conv1.weight"), c.stateDict["conv1.weight"]));
        QCOMPARE(sd.at("bn1.num_batches_tracked").item<std::int64_t>(), std::int64_t(5));
        QVERIFY(pth::listing(root).find("conv1.weight: float32 (2, 2, 3)") != std::string::npos);
    }

    void corruptFilesAreErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("message");
        QTest::newRow("storage size") << "corrupt_storage_size.zip.pth"
                                      << "claims 1000000 elements";
        QTest::newRow("view bounds") << "corrupt_view_bounds.zip.pth"
                                     << "needs more than the 4 elements";
        QTest::newRow("unknown global") << "corrupt_unknown_global.zip.pth"
                                        << "unsupported global 'posix.system'";
        QTest::newRow("class instance") << "corrupt_namespace.zip.pth"
                                        << "unsupported global 'argparse.Namespace'";
        QTest::newRow("whole model") << "corrupt_whole_model.zip.pth"
                                     << "re-save model.state_dict()";
        QTest::newRow("torchscript") << "corrupt_torchscript.zip.pth"
                                     << "TorchScript archive";
        QTest::newRow("crc") << "corrupt_crc.zip.pth"
                             << "CRC mismatch";
        QTest::newRow("legacy count") << "corrupt_legacy_count.legacy.pth"
                                      << "holds 999999 elements";
    }
    void corruptFilesAreErrors()
    {
        QFETCH(QString, file);
        QFETCH(QString, message);
        const std::string path = kData + file.toStdString();
        try {
            pth::loadFile(path);
            QFAIL("expected an error");
        } catch (const Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find(message.toStdString()) != std::string::npos, e.what());
            QVERIFY2(what.find(path) == 0, e.what()); // names the file
            QVERIFY(what.find('\n') == std::string::npos);
        }
    }

    void truncatedAndMagic()
    {
        for (const char* name : {"tiny_ckpt.zip.pth", "tiny_ckpt.legacy.pth", "dtypes.legacy.pth", "lpips_alex.legacy.pth"}) {
            const std::string bytes = readBytes(kData + name);
            // Many cut points, including inside each header pickle and the storage data.
            for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + bytes.size() / 97) {
                QVERIFY_THROWS_EXCEPTION(Error, loadString(bytes.substr(0, cut), name));
            }
            QVERIFY_THROWS_EXCEPTION(Error, loadString(bytes.substr(0, bytes.size() - 1), name));
            QVERIFY(loadString(bytes, name)); // the whole file is fine
        }
        std::string legacy = readBytes(kData + "tiny_state.legacy.pth");
        legacy[8] ^= 0x01;
        try {
            loadString(legacy, "m.pth");
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("wrong magic number") != std::string::npos, e.what());
        }
        try {
            loadString("hello world, not a checkpoint", "text.pth");
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("not a torch.save file") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, loadString("", "empty.pth"));
        QVERIFY_THROWS_EXCEPTION(Error, pth::loadFile(kData + "no-such-file.pth"));
    }

    // Deterministic byte mutations of real files: each must load or throw Error, never crash.
    void mutationsNeverCrash()
    {
        std::uint64_t state = 0x9e3779b97f4a7c15ull;
        auto next = [&] {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return state;
        };
        int errors = 0, loaded = 0;
        for (const char* name : {"tiny_ckpt.zip.pth", "tiny_ckpt.legacy.pth", "dtypes.zip.pth", "dtypes.legacy.pth"}) {
            const std::string good = readBytes(kData + name);
            for (int round = 0; round < 400; ++round) {
                std::string bytes = good;
                const int flips = 1 + static_cast<int>(next() % 4);
                for (int i = 0; i < flips; ++i)
                    bytes[next() % bytes.size()] = static_cast<char>(next() & 0xff);
                try {
                    auto v = loadString(bytes, name);
                    pth::listing(v);
                    try {
                        pth::stateDictFrom(v);
                    } catch (const Error&) {
                    }
                    ++loaded;
                } catch (const Error&) {
                    ++errors;
                }
            }
        }
        QVERIFY(errors > 0);
        QCOMPARE(errors + loaded, 1600);
    }

    void hostilePickles()
    {
        auto expectError = [](const std::string& pickle, const char* fragment) {
            try {
                loadString(legacyWrap(pickle), "evil.pth");
                QFAIL(("expected an error containing " + std::string(fragment)).c_str());
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(fragment) != std::string::npos, e.what());
            }
        };
        // A list that contains itself (through the memo).
        expectError(S("\x80\x02]q\x00h\x00"
                      "a."),
            "reference cycle");
        // 100000 nested lists.
        expectError(std::string("\x80\x02", 2) + std::string(100000, ']') + std::string(99999, 'a') + ".", "nested deeper");
        expectError(S("\x80\x02h\x05."), "memo entry 5 is not defined");
        // A string claiming 2^60 bytes.
        expectError(S("\x80\x02\x8d\x00\x00\x00\x00\x00\x00\x00\x10."), "runs past the end");
        expectError(S("\x80\x02"
                      "cos\nsystem\n."),
            "unsupported global 'os.system'");
        expectError(S("\x80\x02"
                      "0."),
            "stack underflow");
        expectError(S("\x80\x02\xff."), "unknown pickle opcode 0xff");
        // A storage id for a key whose data never comes.
        expectError(S("\x80\x02(X\x07\x00\x00\x00"
                      "storage"
                      "ctorch\nFloatStorage\n"
                      "X\x01\x00\x00\x00"
                      "0"
                      "X\x03\x00\x00\x00"
                      "cpu"
                      "K\x02"
                      "Ntq\x00Q."),
            "storage 0 has no data");
        // A DAG that doubles at every level: listing must stay linear, not 2^300 lines.
        std::string dag = S("\x80\x02]q\x00"
                            "0");
        for (int i = 0; i < 300; ++i)
            dag += S("h\x00h\x00\x86q\x00"
                     "0"); // memo[0] = (memo[0], memo[0])
        dag += S("h\x00.");
        auto v = loadString(legacyWrap(dag), "dag.pth");
        QVERIFY(pth::listing(v).size() < 2000000);
    }

    void cliListing()
    {
        std::string out;
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " pth ls " + kData + "lpips_alex.legacy.pth", &out), 0);
        for (const char* line : {"lin0.model.1.weight: float32 (1, 64, 1, 1)", "lin1.model.1.weight: float32 (1, 192, 1, 1)",
                 "lin2.model.1.weight: float32 (1, 384, 1, 1)", "lin3.model.1.weight: float32 (1, 256, 1, 1)",
                 "lin4.model.1.weight: float32 (1, 256, 1, 1)"})
            QVERIFY2(out.find(line) != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " pth ls " + kData + "tiny_ckpt.legacy.pth", &out), 0);
        for (const char* line : {"epoch: int 7", "train_losses: list (5 items): [2.302585092994046, 1.75, 1.5, 1.25, 0.875]",
                 "best_val_loss: float inf", "wandb_run_name: None", "bn1.num_batches_tracked: int64 () = 2"})
            QVERIFY2(out.find(line) != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(
                     std::string(REPALIGN_CLI) + " pth ls " + kData + "tiny_ckpt.zip.pth --key optimizer/param_groups/0", &out),
            0);
        QVERIFY2(out.find("nesterov: bool True") != std::string::npos, out.c_str());
        QCOMPARE(
            testutil::run(std::string(REPALIGN_CLI) + " pth ls --state-dict " + kData + "tiny_dataparallel.zip.pth", &out), 0);
        QVERIFY2(out.find("state dict (8 tensors") != std::string::npos
                && out.find("  conv1.weight: float32 (4, 3, 3, 3)") != std::string::npos,
            out.c_str());
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " pth ls " + kData + "corrupt_unknown_global.zip.pth", &out), 1);
        QVERIFY2(out.rfind("error: ", 0) == 0 && out.find("posix.system") != std::string::npos, out.c_str());
        QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " pth ls " + kData + "tiny_ckpt.zip.pth --key nope", &out), 1);
        QVERIFY2(out.find("valid: epoch, state_dict, optimizer") != std::string::npos, out.c_str());
    }

    // import-checkpoint (CLI and core): a torch.save file becomes a finished run whose
    // checkpoint loads as the original; a bad file gives one line and leaves no run directory.
    void importCheckpointMakesARun()
    {
        const std::string dir = testutil::tempDir("pth-import");
        const std::string run = dir + "/imported";
        std::string out;
        QCOMPARE(
            testutil::run(std::string(REPALIGN_CLI) + " import-checkpoint " + kData + "tiny_ckpt.zip.pth --out " + run, &out), 0);
        const RunLayout layout(run);
        const std::string copied = layout.checkpoint("tiny_ckpt.zip.pth");
        QVERIFY2(out.find("state dict (8 tensors") != std::string::npos && out.find(copied) != std::string::npos, out.c_str());
        QCOMPARE(readBytes(copied), readBytes(kData + "tiny_ckpt.zip.pth"));
        const Checkpoint c = loadCheckpoint(copied);
        QCOMPARE(c.epoch, std::int64_t(7));
        QCOMPARE(c.stateDict.size(), std::size_t(8));
        const RunStatus st = readRunStatus(run);
        QCOMPARE(st.state, RunState::Finished);
        QCOMPARE(QString::fromStdString(st.message), QString::fromStdString("imported from " + kData + "tiny_ckpt.zip.pth"));
        QVERIFY(isRunFolder(run));
        QCOMPARE(QString::fromStdString(preferredCheckpoint(run)), QString::fromStdString(copied));
        const std::string log = readBytes(layout.log());
        QVERIFY2(log.find("  conv1.weight: float32 (4, 3, 3, 3)") != std::string::npos, log.c_str());
        // No temp file is left next to the copy.
        QCOMPARE(int(std::distance(std::filesystem::directory_iterator(layout.checkpoints()), {})), 1);

        // The run exists now: a second import into it is refused, and the run is kept.
        QCOMPARE(
            testutil::run(std::string(REPALIGN_CLI) + " import-checkpoint " + kData + "tiny_state.zip.pth --out " + run, &out),
            1);
        QVERIFY2(
            out.rfind("error: ", 0) == 0 && out.find(run) != std::string::npos && out.find("exists already") != std::string::npos,
            out.c_str());
        QVERIFY(std::filesystem::exists(copied));

        // Not a state dict, corrupt, missing: one line naming the file, no run directory.
        for (const char* name : {"parameters.zip.pth", "corrupt_unknown_global.zip.pth", "no_such_file.pth"}) {
            const std::string bad = dir + "/bad-" + name;
            QCOMPARE(testutil::run(std::string(REPALIGN_CLI) + " import-checkpoint " + kData + name + " --out " + bad, &out), 1);
            QVERIFY2(out.rfind("error: ", 0) == 0 && out.find(name) != std::string::npos, out.c_str());
            QVERIFY2(out.find('\n') == out.size() - 1, out.c_str());
            QVERIFY2(!std::filesystem::exists(bad), name);
            try {
                importCheckpoint(kData + name, bad);
                QFAIL("expected an error");
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(name) != std::string::npos, e.what());
            }
            QVERIFY2(!std::filesystem::exists(bad), name);
        }

        // A write that fails after the run was started (a full disk at status.json) takes the
        // half-made run away again.
        const std::string full = dir + "/full-disk";
        setWriteFault(0, WriteFault::NoSpace, "status.json");
        try {
            importCheckpoint(kData + "tiny_ckpt.zip.pth", full);
            setWriteFault(-1);
            QFAIL("expected an error");
        } catch (const Error& e) {
            setWriteFault(-1);
            QVERIFY2(std::string(e.what()).find("status.json") != std::string::npos, e.what());
        }
        QVERIFY(!std::filesystem::exists(full));
    }

    // A resnet18_cifar10 checkpoint in the reference training script's format: eval's logits
    // equal the ones PyTorch computed for the same images.
    void evalReproducesPyTorchLogits()
    {
        const std::string dir = testutil::tempDir("pth-eval");
        const std::string ckpt = buildResnetCheckpoint(dir);
        auto root = pth::loadFile(ckpt);
        QCOMPARE(root->find("epoch")->integer, std::int64_t(150));
        QCOMPARE(pth::stateDictFrom(root).size(), std::size_t(122));
        QCOMPARE(pth::lookupPath(root, "optimizer/state")->entries.size(), std::size_t(62));

        const std::string data = dir + "/cifar";
        QVERIFY(QDir().mkpath(QString::fromStdString(data)));
        std::ofstream(data + "/test_batch.bin", std::ios::binary) << readBytes(kData + "resnet18_ckpt/test_batch.bin");
        std::string out;
        const std::string cmd = std::string(REPALIGN_CLI) + " eval --checkpoint " + ckpt
            + " --model resnet18_cifar10 --data cifar10:" + data + " --split test --dump-logits " + dir
            + "/logits.h5 --threads 2";
        QVERIFY2(testutil::run(cmd, &out) == 0, out.c_str());
        H5File h5(dir + "/logits.h5", H5File::Mode::Read);
        const auto logits = h5.readF32("/logits");
        std::vector<double> want;
        for (const auto& line : split(readBytes(kData + "resnet18_ckpt/logits.txt"), '\n')) {
            if (line.empty() || line[0] == '#')
                continue;
            for (const auto& v : split(line, ' '))
                want.push_back(std::stod(v));
        }
        QCOMPARE(want.size(), std::size_t(60));
        QCOMPARE(logits.size(), want.size());
        double worst = 0;
        for (std::size_t i = 0; i < want.size(); ++i)
            worst = std::max(worst, std::fabs(logits[i] - want[i]));
        qInfo("max |logit - PyTorch| = %.3g", worst);
        QVERIFY2(worst < 1e-4, std::to_string(worst).c_str());

        // Imported as a run (import-checkpoint), eval gives the same logits from the run's copy.
        const ImportResult imported = importCheckpoint(ckpt, dir + "/imported");
        QVERIFY2(testutil::run(std::string(REPALIGN_CLI) + " eval --checkpoint " + imported.checkpoint
                         + " --model resnet18_cifar10 --data cifar10:" + data + " --split test --dump-logits " + dir
                         + "/logits-imported.h5 --threads 2",
                     &out)
                == 0,
            out.c_str());
        QVERIFY(H5File(dir + "/logits-imported.h5", H5File::Mode::Read).readF32("/logits") == logits);

        // The same archive with zip64 directory records reads the same.
        auto sd = pth::stateDictFrom(root);
        auto sd64 = pth::stateDictFrom(pth::loadFile(buildResnetCheckpoint(dir, /*zip64=*/true)));
        QCOMPARE(sd64.size(), sd.size());
        for (const auto& [k, t] : sd)
            QVERIFY2(torch::equal(sd64.at(k), t), k.c_str());
    }
};

QTEST_GUILESS_MAIN(TestPth)
#include "test_pth.moc"
