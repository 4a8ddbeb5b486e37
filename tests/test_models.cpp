// The reference models: parameter counts, state-dict names (PyTorch's), tap shapes, init, and
// the logits of checkpoints PyTorch wrote (tests/data/models/make_model_fixtures.py).
#include "common/error.h"
#include "common/progress.h"
#include "data/loader.h"
#include "io/h5.h"
#include "io/npy.h"
#include "models/nets.h"
#include "models/registry.h"
#include "run/checkpoint.h"
#include "run/config.h"
#include "run/pth_checkpoint.h"
#include "testutil.h"
#include "train/trainer.h"

#include <QtTest>

#include <fstream>
#include <sstream>

using namespace repalign;

namespace {

const std::string kModelData = std::string(REPALIGN_TEST_DATA) + "/models";

/// logits.txt: "<model> <input> <image> <10 logits>" -> rows per (model, input).
std::vector<std::vector<float>> expectedLogits(const std::string& model, const std::string& input)
{
    std::ifstream in(kModelData + "/logits.txt");
    std::vector<std::vector<float>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string m, inp;
        int image = 0;
        ls >> m >> inp >> image;
        if (m != model || inp != input)
            continue;
        std::vector<float> row;
        float v = 0;
        while (ls >> v)
            row.push_back(v);
        rows.push_back(row);
    }
    return rows;
}

/// Largest |a - b| over the logits of every image.
double maxDifference(const torch::Tensor& logits, const std::vector<std::vector<float>>& expect)
{
    if (logits.size(0) != std::int64_t(expect.size()))
        return 1e30;
    double worst = 0;
    auto acc = logits.accessor<float, 2>();
    for (std::size_t i = 0; i < expect.size(); ++i) {
        if (std::int64_t(expect[i].size()) != logits.size(1))
            return 1e30;
        for (std::size_t j = 0; j < expect[i].size(); ++j)
            worst = std::max(worst, std::abs(double(acc[std::int64_t(i)][std::int64_t(j)]) - double(expect[i][j])));
    }
    return worst;
}

/// images_224.npy (PIL's Resize(224) of the four test images) as an ImageDataset.
ImageDataset pilResizedImages()
{
    NpyArray a = readNpy(kModelData + "/images_224.npy");
    ImageDataset d;
    d.count = a.shape.at(0);
    d.height = static_cast<int>(a.shape.at(1));
    d.width = static_cast<int>(a.shape.at(2));
    d.pixels.assign(a.data.begin(), a.data.end());
    d.labels = {0, 1, 2, 3};
    return d;
}

/// `eval --dump-logits` on the fixture's CIFAR-10 batch; returns the logits [N,10].
torch::Tensor evalLogits(const std::string& checkpoint, const std::string& model)
{
    EvalOptions o;
    o.checkpoint = checkpoint;
    o.model = model;
    o.data = "cifar10:" + kModelData;
    o.split = "test";
    o.batchSize = 4;
    o.threads = 2;
    o.dumpLogits = testutil::tempDir("models") + "/logits.h5";
    NullSink sink;
    CancelToken cancel;
    evaluateCheckpoint(o, sink, cancel);
    H5File f(o.dumpLogits, H5File::Mode::Read);
    std::vector<float> v = f.readF32("/logits");
    return torch::tensor(v).reshape({-1, 10});
}

} // namespace

class TestModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void counts_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("params");
        QTest::addColumn<int>("entries");
        // The PyTorch reference's numbers (docs/ARCHITECTURE.md lists the models).
        QTest::newRow("resnet18") << "resnet18_cifar10" << qint64(11173962) << 122;
        QTest::newRow("resnet34") << "resnet34_cifar10" << qint64(21282122) << 218;
        QTest::newRow("resnet50") << "resnet50_cifar10" << qint64(23520842) << 320;
        QTest::newRow("vgg11") << "vgg11_cifar10" << qint64(28149514) << 62;
        QTest::newRow("vgg13") << "vgg13_cifar10" << qint64(28334410) << 76;
        QTest::newRow("vgg16") << "vgg16_cifar10" << qint64(33646666) << 97;
        QTest::newRow("vgg19") << "vgg19_cifar10" << qint64(38958922) << 118;
        // The reference factory's torchvision and robustness-library models.
        QTest::newRow("alexnet") << "alexnet" << qint64(57044810) << 16;
        QTest::newRow("resnet50 (torchvision)") << "resnet50" << qint64(23528522) << 320;
        QTest::newRow("resnet50_madry") << "resnet50_madry" << qint64(23520842) << 320;
    }
    void counts()
    {
        QFETCH(QString, name);
        QFETCH(qint64, params);
        QFETCH(int, entries);
        ModelInfo info = describeModel(name.toStdString());
        QCOMPARE(qint64(info.parameterCount), params);
        QCOMPARE(int(info.stateDict.size()), entries);
        for (const auto& t : info.taps)
            if (t.name == "fc" || t.name == "classifier.6" || t.name == "linear")
                QCOMPARE(t.shape, (std::vector<std::int64_t> {10}));
    }

    void resnet18NamesAndTaps()
    {
        ModelInfo info = describeModel("resnet18_cifar10");
        // PyTorch's state_dict order: per module, parameters then buffers.
        QCOMPARE(info.stateDict[0].name, std::string("conv1.weight"));
        QCOMPARE(info.stateDict[0].shape, (std::vector<std::int64_t> {64, 3, 3, 3}));
        QCOMPARE(info.stateDict[1].name, std::string("bn1.weight"));
        QCOMPARE(info.stateDict[5].name, std::string("bn1.num_batches_tracked"));
        QCOMPARE(info.stateDict[5].dtype, std::string("int64"));
        QCOMPARE(info.stateDict.back().name, std::string("fc.bias"));
        bool downsample = false;
        for (const auto& t : info.stateDict)
            if (t.name == "layer2.0.downsample.0.weight") {
                downsample = true;
                QCOMPARE(t.shape, (std::vector<std::int64_t> {128, 64, 1, 1}));
            }
        QVERIFY(downsample);
        std::map<std::string, std::vector<std::int64_t>> taps;
        for (const auto& t : info.taps)
            taps[t.name] = t.shape;
        QCOMPARE(taps["conv1"], (std::vector<std::int64_t> {64, 32, 32}));
        QCOMPARE(taps["layer1"], (std::vector<std::int64_t> {64, 16, 16})); // the kept maxpool halves 32 -> 16
        QCOMPARE(taps["layer4"], (std::vector<std::int64_t> {512, 2, 2})); // 2048 readout inputs
        QCOMPARE(taps["avgpool"], (std::vector<std::int64_t> {512, 1, 1}));
        QCOMPARE(modelTaps("resnet18_cifar10"),
            (std::vector<std::string> {"conv1", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"}));
    }

    void resnet50Bottleneck()
    {
        std::map<std::string, std::vector<std::int64_t>> taps;
        for (const auto& t : describeModel("resnet50_cifar10").taps)
            taps[t.name] = t.shape;
        QCOMPARE(taps["layer4"], (std::vector<std::int64_t> {2048, 2, 2}));
    }

    void vggTaps()
    {
        ModelInfo info = describeModel("vgg11_cifar10");
        QCOMPARE(info.stateDict[0].name, std::string("features.0.weight"));
        QCOMPARE(info.stateDict[2].name, std::string("features.1.weight"));
        QCOMPARE(info.stateDict.back().name, std::string("classifier.6.bias"));
        std::map<std::string, std::vector<std::int64_t>> taps;
        for (const auto& t : info.taps)
            taps[t.name] = t.shape;
        QCOMPARE(taps["features.0"], (std::vector<std::int64_t> {64, 32, 32}));
        QCOMPARE(taps["features.3"], (std::vector<std::int64_t> {64, 16, 16})); // first 'M'
        QCOMPARE(taps["features.28"], (std::vector<std::int64_t> {512, 1, 1})); // last 'M'
        QCOMPARE(taps["classifier.0"], (std::vector<std::int64_t> {4096}));
    }

    void initialisation()
    {
        torch::manual_seed(0);
        TapNet net = createModel("vgg11_cifar10");
        for (auto& [name, t] : net->stateDict()) {
            if (name == "classifier.0.weight")
                QVERIFY(std::abs(t.std().item<double>() - 0.01) < 0.001);
            if (name == "classifier.0.bias" || name == "features.0.bias")
                QCOMPARE(t.abs().max().item<double>(), 0.0);
            if (name == "features.1.weight")
                QCOMPARE(t.min().item<double>(), 1.0);
            if (name == "features.4.weight") {
                // Kaiming normal, fan_out, ReLU gain: std = sqrt(2 / (128 * 3 * 3)).
                const double expect = std::sqrt(2.0 / (128 * 9));
                QVERIFY(std::abs(t.std().item<double>() - expect) / expect < 0.05);
            }
        }
    }

    void loadStateDictErrors()
    {
        TapNet net = createModel("resnet18_cifar10");
        std::map<std::string, torch::Tensor> sd;
        for (auto& [n, t] : net->stateDict())
            sd[n] = t.clone();
        sd["fc.weight"] = torch::zeros({5, 512});
        sd.erase("bn1.bias");
        sd["extra.weight"] = torch::zeros({1});
        try {
            loadStateDict(*net, sd, true);
            QFAIL("no error");
        } catch (const Error& e) {
            QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains(QStringLiteral("fc.weight expected (10, 512) found (5, 512)")), qPrintable(m));
            QVERIFY2(m.contains(QStringLiteral("missing keys: bn1.bias")), qPrintable(m));
            QVERIFY2(m.contains(QStringLiteral("unexpected keys: extra.weight")), qPrintable(m));
        }
        QVERIFY_THROWS_EXCEPTION(Error, createModel("resnet99"));
    }

    void alexnetNamesAndTaps()
    {
        ModelInfo info = describeModel("alexnet");
        QCOMPARE(info.inputSize, 224);
        std::vector<std::string> names;
        for (const auto& t : info.stateDict)
            names.push_back(t.name);
        // torchvision's order; classifier.6 is the replaced 10-class head.
        QCOMPARE(names,
            (std::vector<std::string> {"features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                "features.6.weight", "features.6.bias", "features.8.weight", "features.8.bias", "features.10.weight",
                "features.10.bias", "classifier.1.weight", "classifier.1.bias", "classifier.4.weight", "classifier.4.bias",
                "classifier.6.weight", "classifier.6.bias"}));
        QCOMPARE(info.stateDict[0].shape, (std::vector<std::int64_t> {64, 3, 11, 11}));
        QCOMPARE(info.stateDict[10].shape, (std::vector<std::int64_t> {4096, 9216}));
        std::map<std::string, std::vector<std::int64_t>> taps;
        for (const auto& t : info.taps)
            taps[t.name] = t.shape;
        QCOMPARE(int(info.taps.size()), 13 + 1 + 7);
        QCOMPARE(taps["features.0"], (std::vector<std::int64_t> {64, 55, 55})); // 11x11 stride 4, padding 2
        QCOMPARE(taps["features.2"], (std::vector<std::int64_t> {64, 27, 27}));
        QCOMPARE(taps["features.5"], (std::vector<std::int64_t> {192, 13, 13}));
        QCOMPARE(taps["features.12"], (std::vector<std::int64_t> {256, 6, 6}));
        QCOMPARE(taps["avgpool"], (std::vector<std::int64_t> {256, 6, 6})); // adaptive 6x6
        QCOMPARE(taps["classifier.2"], (std::vector<std::int64_t> {4096}));
        QCOMPARE(taps["classifier.6"], (std::vector<std::int64_t> {10}));
    }

    void resnet50TorchvisionNamesAndTaps()
    {
        ModelInfo info = describeModel("resnet50");
        QCOMPARE(info.stateDict[0].name, std::string("conv1.weight"));
        QCOMPARE(info.stateDict[0].shape, (std::vector<std::int64_t> {64, 3, 7, 7})); // ImageNet stem
        QCOMPARE(info.stateDict.back().name, std::string("fc.bias"));
        std::map<std::string, std::vector<std::int64_t>> sd;
        for (const auto& t : info.stateDict)
            sd[t.name] = t.shape;
        QCOMPARE(sd["layer1.0.downsample.0.weight"], (std::vector<std::int64_t> {256, 64, 1, 1}));
        QCOMPARE(sd["layer2.0.conv2.weight"], (std::vector<std::int64_t> {128, 128, 3, 3})); // stride on conv2 (v1.5)
        QCOMPARE(sd["fc.weight"], (std::vector<std::int64_t> {10, 2048}));
        QVERIFY(!sd.count("layer1.1.downsample.0.weight"));
        std::map<std::string, std::vector<std::int64_t>> taps;
        for (const auto& t : info.taps)
            taps[t.name] = t.shape;
        QCOMPARE(taps["conv1"], (std::vector<std::int64_t> {64, 112, 112}));
        QCOMPARE(taps["layer1"], (std::vector<std::int64_t> {256, 56, 56})); // after the max-pool
        QCOMPARE(taps["layer4"], (std::vector<std::int64_t> {2048, 7, 7}));
        QCOMPARE(taps["avgpool"], (std::vector<std::int64_t> {2048, 1, 1}));
    }

    void resnet50MadryNamesAndTaps()
    {
        ModelInfo info = describeModel("resnet50_madry");
        QCOMPARE(info.stateDict[0].name, std::string("conv1.weight"));
        QCOMPARE(info.stateDict[0].shape, (std::vector<std::int64_t> {64, 3, 3, 3}));
        QCOMPARE(info.stateDict[1].name, std::string("bn1.weight"));
        QCOMPARE(info.stateDict.back().name, std::string("linear.bias"));
        std::vector<std::string> block;
        std::map<std::string, std::vector<std::int64_t>> sd;
        for (const auto& t : info.stateDict) {
            sd[t.name] = t.shape;
            if (t.name.rfind("layer2.0.", 0) == 0)
                block.push_back(t.name.substr(9));
        }
        // robustness' Bottleneck: conv1 bn1 conv2 bn2 conv3 bn3, then shortcut.0/1.
        QCOMPARE(block.front(), std::string("conv1.weight"));
        QCOMPARE(block[block.size() - 6], std::string("shortcut.0.weight"));
        QCOMPARE(block.back(), std::string("shortcut.1.num_batches_tracked"));
        QCOMPARE(sd["layer1.0.shortcut.0.weight"], (std::vector<std::int64_t> {256, 64, 1, 1}));
        QCOMPARE(sd["layer2.0.conv2.weight"], (std::vector<std::int64_t> {128, 128, 3, 3}));
        QVERIFY(!sd.count("layer1.1.shortcut.0.weight"));
        QVERIFY(!sd.count("fc.weight"));
        std::map<std::string, std::vector<std::int64_t>> taps;
        for (const auto& t : info.taps)
            taps[t.name] = t.shape;
        QCOMPARE(modelTaps("resnet50_madry"),
            (std::vector<std::string> {"conv1", "layer1", "layer2", "layer3", "layer4", "avgpool", "linear"}));
        QCOMPARE(taps["layer1"], (std::vector<std::int64_t> {256, 32, 32})); // no max-pool
        QCOMPARE(taps["layer4"], (std::vector<std::int64_t> {2048, 4, 4}));
        QCOMPARE(taps["avgpool"], (std::vector<std::int64_t> {2048, 1, 1})); // avg_pool2d(4)
    }

    void newModelsInitialisation()
    {
        // torchvision ResNet: Kaiming normal (fan_out, ReLU) convs, BN 1/0; the Linear heads
        // and everything in AlexNet and the robustness ResNet keep PyTorch's default init:
        // kaiming_uniform(a = sqrt 5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), biases alike.
        torch::manual_seed(0);
        auto uniformBound = [](const torch::Tensor& t, double fanIn) {
            const double bound = 1.0 / std::sqrt(fanIn), m = t.abs().max().item<double>();
            return m <= bound && m > 0.95 * bound;
        };
        for (auto& [name, t] : createModel("resnet50")->stateDict()) {
            if (name == "layer3.0.conv2.weight") {
                const double expect = std::sqrt(2.0 / (256 * 9));
                QVERIFY(std::abs(t.std().item<double>() - expect) / expect < 0.02);
            }
            if (name == "layer3.0.bn2.weight")
                QCOMPARE(t.min().item<double>(), 1.0);
            if (name == "fc.weight")
                QVERIFY(uniformBound(t, 2048));
        }
        for (auto& [name, t] : createModel("alexnet")->stateDict()) {
            if (name == "features.3.weight" || name == "features.3.bias")
                QVERIFY2(uniformBound(t, 64 * 25), name.c_str());
            if (name == "classifier.6.weight")
                QVERIFY(uniformBound(t, 4096));
        }
        for (auto& [name, t] : createModel("resnet50_madry")->stateDict()) {
            if (name == "layer3.0.conv2.weight")
                QVERIFY(uniformBound(t, 256 * 9));
            if (name == "linear.weight")
                QVERIFY(uniformBound(t, 2048));
            if (name == "linear.bias") // 10 values: only the bound is certain
                QVERIFY(t.abs().max().item<double>() <= 1.0 / std::sqrt(2048.0));
        }
    }

    void torchvisionFixturesMatchPyTorch_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("alexnet") << "alexnet";
        QTest::newRow("resnet50") << "resnet50";
    }
    void torchvisionFixturesMatchPyTorch()
    {
        // State dicts torch.save wrote from torchvision's own models (every tensor a strided
        // view into a shared storage), on the images PIL's Resize(224) made: the logits
        // PyTorch computed, within 1e-4.
        QFETCH(QString, model);
        const std::string name = model.toStdString();
        Checkpoint ck = loadCheckpoint(kModelData + "/" + name + ".pth");
        QCOMPARE(int(ck.stateDict.size()), name == "alexnet" ? 16 : 320);
        TapNet net = modelFromCheckpoint(ck, name, name + ".pth");
        net->eval();
        torch::NoGradGuard noGrad;
        torch::Tensor x = transformAll(pilResizedImages(), referenceEvalTransform());
        QCOMPARE(x.size(2), std::int64_t(224));
        const auto expect = expectedLogits(name, "224");
        QCOMPARE(int(expect.size()), 4);
        const double diff = maxDifference(net->forward(x), expect);
        QVERIFY2(diff < 1e-4, qPrintable(QStringLiteral("max |logit difference| %1").arg(diff)));
    }

    void evalResizesCifarTo224LikeTheReference()
    {
        // `eval` of a torchvision model on 32-pixel CIFAR-10: the images are resized to the
        // model's 224 as the reference's cifar10_224 does (PIL Resize(224), ToTensor,
        // Normalize), so the whole pipeline gives PyTorch's logits.
        const double diff = maxDifference(evalLogits(kModelData + "/alexnet.pth", "alexnet"), expectedLogits("alexnet", "224"));
        QVERIFY2(diff < 1e-4, qPrintable(QStringLiteral("max |logit difference| %1").arg(diff)));
    }

    void robustnessCheckpoint()
    {
        // The robustness library's format: {'model': AttackerModel state dict under
        // DataParallel, 'optimizer', 'schedule', 'epoch'}.
        const std::string path = kModelData + "/resnet50_madry.pth";
        Checkpoint ck = loadCheckpoint(path);
        QCOMPARE(ck.model, std::string("resnet50_madry")); // recognised: the file does not name it
        QCOMPARE(ck.epoch, std::int64_t(153));
        QCOMPARE(int(ck.stateDict.size()), 320); // the attacker's copy and the normaliser are not weights
        QVERIFY(ck.stateDict.count("layer1.0.shortcut.0.weight"));
        QVERIFY(!ck.stateDict.count("model.linear.weight"));
        TransformConfig t = referenceEvalTransform();
        QVERIFY(pth::applyStoredNormalizer(ck, t));
        QCOMPARE(float(t.mean[0]), 0.4914f);
        QCOMPARE(float(t.std[0]), 0.2023f); // robustness' CIFAR std, not the reference's 0.2470
        QCOMPARE(float(t.std[2]), 0.2010f);

        // eval applies the stored normaliser: PyTorch's logits of AttackerModel.model(normalizer(x)).
        const auto expect = expectedLogits("resnet50_madry", "32");
        QCOMPARE(int(expect.size()), 4);
        const double diff = maxDifference(evalLogits(path, ""), expect);
        QVERIFY2(diff < 1e-4, qPrintable(QStringLiteral("max |logit difference| %1").arg(diff)));
        // ... and it matters: the config's normalisation gives other logits.
        TapNet net = modelFromCheckpoint(ck, "", path);
        net->eval();
        torch::NoGradGuard noGrad;
        const double other = maxDifference(
            net->forward(transformAll(loadDataset("cifar10:" + kModelData, Split::Test), referenceEvalTransform())), expect);
        QVERIFY2(other > 1e-2, qPrintable(QString::number(other)));

        // A plain checkpoint has no normaliser: the transform is left alone.
        Checkpoint plain = loadCheckpoint(kModelData + "/resnet50.pth");
        TransformConfig u = referenceEvalTransform();
        QVERIFY(!pth::applyStoredNormalizer(plain, u));
        QCOMPARE(u.std[0], 0.2470);
    }

    void shippedConfigsAndCifar10At224()
    {
        // One seed-style config per model in resources/configs.
        const std::string dir = std::string(REPALIGN_SOURCE_DIR) + "/resources/configs/";
        for (const auto& [file, model] : std::vector<std::pair<std::string, std::string>> {
                 {"alexnet_cifar10_224_base_config.yaml", "alexnet"}, {"resnet50_cifar10_224_base_config.yaml", "resnet50"},
                 {"resnet50_madry_cifar10_base_config.yaml", "resnet50_madry"}}) {
            TrainConfig c = loadTrainConfig(dir + file);
            QCOMPARE(c.model, model);
            const int side = modelInputSize(model);
            QCOMPARE(c.trainTransforms.outputSide(32), side);
            QCOMPARE(c.valTransforms.outputSide(32), side);
            QCOMPARE(c.dataset, std::string(side == 224 ? "cifar10_224" : "cifar10"));
        }
        // cifar10_224 resizes to 224 even when the transforms keep the size; other sizes and
        // crops smaller than 224 are named errors.
        const std::string base = "model: alexnet\ndataset: cifar10_224\n";
        TrainConfig c = parseTrainConfig(base, "<t>");
        QCOMPARE(c.trainTransforms.resize, 224);
        QCOMPARE(c.valTransforms.resize, 224);
        QCOMPARE(parseTrainConfig(trainConfigToYaml(c), "<round trip>").trainTransforms.resize, 224);
        try {
            parseTrainConfig(base + "train_transforms:\n  resize: 64\n", "<t>");
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("train_transforms.resize' is 64")), e.what());
        }
        try {
            parseTrainConfig(base + "train_transforms:\n  random_crop:\n    size: 32\n    padding: 4\n", "<t>");
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("random_crop.size' is 32")), e.what());
        }
        TrainConfig r = parseTrainConfig(base + "data:\n  train: \"cifar10:/x\"\n  val: \"cifar10:/x\"\n", "<t>");
        resolveDataSpecs(r);
        QCOMPARE(r.trainSpec, std::string("cifar10:/x"));
    }

    void registryTableMatchesTheModels()
    {
        // modelTaps and modelParameterCount come from a static table (the GUI asks while the
        // user types); for every architecture they equal what the constructed model has.
        QCOMPARE(int(modelNames().size()), 10);
        for (const std::string& name : modelNames()) {
            TapNet net = createModel(name);
            QCOMPARE(modelTaps(name), net->tapNames());
            std::int64_t params = 0;
            for (const auto& p : net->parameters())
                params += p.numel();
            QCOMPARE(modelParameterCount(name), params);
            QCOMPARE(net->architecture(), name);
            // The input size the table gives is one the model takes, to 10 logits.
            const int side = modelInputSize(name);
            torch::NoGradGuard noGrad;
            net->eval();
            QCOMPARE(net->forward(torch::zeros({1, 3, side, side})).sizes().vec(), (std::vector<std::int64_t> {1, 10}));
        }
        QCOMPARE(modelInputSize("alexnet"), 224);
        QCOMPARE(modelInputSize("resnet50"), 224);
        QCOMPARE(modelInputSize("resnet50_madry"), 32);
        QCOMPARE(modelInputSize("resnet18_cifar10"), 32);
        QVERIFY_THROWS_EXCEPTION(Error, modelInputSize("resnet99"));
        QVERIFY_THROWS_EXCEPTION(Error, modelTaps("resnet99"));
        QVERIFY_THROWS_EXCEPTION(Error, modelParameterCount("resnet99"));
        try {
            modelTaps("resnet99");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("valid: resnet18_cifar10")), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestModels)
#include "test_models.moc"
