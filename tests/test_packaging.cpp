// Packaging: desktop file and AppStream metadata validate; the .deb holds the expected files
// and declares runtime (not -dev) dependencies; the unpacked .tar.gz runs from any folder.
#include "testutil.h"

#include <QtTest>

#include <filesystem>

namespace fs = std::filesystem;

namespace {
const std::string kSrc = REPALIGN_SOURCE_DIR;
const std::string kBuild = REPALIGN_BINARY_DIR;
const std::string kAppId = "io.github.repalign.Workbench";

bool have(const char* tool)
{
    return testutil::run(std::string("command -v ") + tool + " >/dev/null") == 0;
}
} // namespace

class TestPackaging : public QObject {
    Q_OBJECT
    std::string m_pkgDir;
    std::string m_deb, m_tgz;

private Q_SLOTS:
    void initTestCase()
    {
        m_pkgDir = testutil::tempDir("cpack");
        std::string out;
        const int rc = testutil::run("cd '" + kBuild + "' && cpack -G 'DEB;TGZ' -B '" + m_pkgDir + "'", &out);
        QVERIFY2(rc == 0, out.c_str());
        for (const auto& e : fs::directory_iterator(m_pkgDir)) {
            const std::string n = e.path().filename().string();
            if (n.size() > 4 && n.substr(n.size() - 4) == ".deb")
                m_deb = e.path().string();
            if (n.size() > 7 && n.substr(n.size() - 7) == ".tar.gz")
                m_tgz = e.path().string();
        }
        QVERIFY2(!m_deb.empty() && !m_tgz.empty(), out.c_str());
    }

    void desktopFileValidates()
    {
        if (!have("desktop-file-validate"))
            QSKIP("desktop-file-utils is not installed");
        std::string out;
        QVERIFY2(
            testutil::run("desktop-file-validate '" + kSrc + "/packaging/linux/" + kAppId + ".desktop'", &out) == 0, out.c_str());
    }

    void metainfoValidates()
    {
        if (!have("appstreamcli"))
            QSKIP("appstream is not installed");
        std::string out;
        QVERIFY2(
            testutil::run("appstreamcli validate --no-net '" + kSrc + "/packaging/linux/" + kAppId + ".metainfo.xml'", &out) == 0,
            out.c_str());
    }

    void debContents()
    {
        std::string list;
        QCOMPARE(testutil::run("dpkg-deb -c '" + m_deb + "'", &list), 0);
        const std::vector<std::string> expected = {
            "./usr/bin/repalign-cli",
            "./usr/bin/repalign",
            "./usr/share/applications/" + kAppId + ".desktop",
            "./usr/share/metainfo/" + kAppId + ".metainfo.xml",
            "./usr/share/icons/hicolor/scalable/apps/" + kAppId + ".svg",
            "./usr/share/icons/hicolor/16x16/apps/" + kAppId + ".png",
            "./usr/share/icons/hicolor/48x48/apps/" + kAppId + ".png",
            "./usr/share/icons/hicolor/512x512/apps/" + kAppId + ".png",
            "./usr/share/man/man1/repalign-cli.1",
            "./usr/share/repalign/translations/repalign_de.qm",
            "./usr/share/repalign/configs/demo_baseline_fashion_mnist.yaml",
            "./usr/share/repalign/configs/demo_tune_virtual_cortex.yaml",
        };
        for (const auto& f : expected)
            QVERIFY2(list.find(f) != std::string::npos, ("missing in .deb: " + f).c_str());
        std::string depends;
        QCOMPARE(testutil::run("dpkg-deb -f '" + m_deb + "' Depends", &depends), 0);
        QVERIFY2(depends.find("libtorch1.13") != std::string::npos, depends.c_str());
        QVERIFY2(depends.find("libqt6widgets6") != std::string::npos, depends.c_str());
        // LibTorch's matmul goes through libblas.so.3: OpenBLAS, not Debian's reference BLAS.
        QVERIFY2(depends.find("libopenblas0-pthread") != std::string::npos, depends.c_str());
        QVERIFY2(depends.find("-dev") == std::string::npos, depends.c_str());
    }

    void workbenchPackageBuildsWhatCpackInstalls()
    {
        // cpack builds nothing: `./workbench package` builds the icons and the translation that
        // the install rules read (after a plain ./workbench they are missing), then runs cpack;
        // the README says so.
        const std::string script = testutil::readText(kSrc + "/workbench");
        for (const char* needed : {"package)", "repalign_icons", "release_translations", "cpack -G \"DEB;TGZ\""})
            QVERIFY2(script.find(needed) != std::string::npos, needed);
        QVERIFY(testutil::readText(kSrc + "/README.md").find("./workbench package") != std::string::npos);
        std::string out;
        QVERIFY(testutil::run("bash '" + kSrc + "/workbench' no-such-mode", &out) != 0);
        QVERIFY2(out.find("package") != std::string::npos, out.c_str());
        // Without the icons cpack stops with a line saying what to build (not install's "cannot find").
        const std::string install = testutil::readText(kBuild + "/packaging/cmake_install.cmake");
        QVERIFY2(install.find("run ./workbench package") != std::string::npos, install.c_str());
    }

    void tarballRunsFromAnyFolder()
    {
        const std::string dir = testutil::tempDir("tgz");
        QCOMPARE(testutil::run("tar -xzf '" + m_tgz + "' -C '" + dir + "'"), 0);
        std::string cli;
        for (const auto& e : fs::recursive_directory_iterator(dir))
            if (e.path().filename() == "repalign-cli")
                cli = e.path().string();
        QVERIFY(!cli.empty());
        std::string out;
        QCOMPARE(testutil::run("'" + cli + "' --version", &out), 0);
        QVERIFY2(out.find("LibTorch") != std::string::npos && out.find("Qt ") != std::string::npos, out.c_str());
        QVERIFY2(out.find("\nBLAS ") != std::string::npos, out.c_str());
        QCOMPARE(testutil::run("'" + cli + "' model-info resnet18_cifar10", &out), 0);
        QVERIFY2(out.find("parameters 11173962") != std::string::npos, out.c_str());
        // Installed data sits beside the binary (<prefix>/share/repalign), found relative to it.
        const fs::path share
            = fs::path(cli).parent_path().parent_path() / "share" / "repalign" / "translations" / "repalign_de.qm";
        QVERIFY2(fs::exists(share), share.string().c_str());
        QCOMPARE(testutil::run("'" + cli + "' devices", &out), 0);
        QVERIFY2(out.find("cpu") != std::string::npos, out.c_str());
    }
};

QTEST_GUILESS_MAIN(TestPackaging)
#include "test_packaging.moc"
