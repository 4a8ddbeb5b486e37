// The seven reference models: parameter counts, state-dict names (PyTorch's), tap shapes.
#include "common/error.h"
#include "models/nets.h"
#include "models/registry.h"

#include <QtTest>

using namespace repalign;

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
            if (t.name == "fc" || t.name == "classifier.6")
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
            QString m = e.what();
            QVERIFY2(m.contains("fc.weight expected (10, 512) found (5, 512)"), qPrintable(m));
            QVERIFY2(m.contains("missing keys: bn1.bias"), qPrintable(m));
            QVERIFY2(m.contains("unexpected keys: extra.weight"), qPrintable(m));
        }
        QVERIFY_THROWS_EXCEPTION(Error, createModel("resnet99"));
    }

    void registryTableMatchesTheModels()
    {
        // modelTaps and modelParameterCount come from a static table (the GUI asks while the
        // user types); for every architecture they equal what the constructed model has.
        QCOMPARE(int(modelNames().size()), 7);
        for (const std::string& name : modelNames()) {
            TapNet net = createModel(name);
            QCOMPARE(modelTaps(name), net->tapNames());
            std::int64_t params = 0;
            for (const auto& p : net->parameters())
                params += p.numel();
            QCOMPARE(modelParameterCount(name), params);
            QCOMPARE(net->architecture(), name);
        }
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
