// Languages: the embedded German translation loads and changes the menu titles; English is
// the fallback; every message of the .ts is translated.
#include "i18n.h"
#include "mainwindow.h"
#include "testutil.h"

#include <QApplication>
#include <QMenuBar>
#include <QRegularExpression>
#include <QtTest>

using namespace repalign::gui;

namespace {
QStringList menuTitles(QMainWindow& w)
{
    QStringList out;
    for (QAction* a : w.menuBar()->actions())
        out << a->text();
    return out;
}
} // namespace

class TestI18n : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void englishByDefault();
    void germanChangesMenus();
    void tsComplete();
    void sourcesAllTranslated();
};

void TestI18n::initTestCase()
{
    // Keep QSettings of the test away from the user's.
    qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("i18n-config")));
    qputenv("XDG_DATA_HOME", QByteArray::fromStdString(testutil::tempDir("i18n-data")));
    QVERIFY(availableLanguages().contains(QStringLiteral("de")));
}

void TestI18n::englishByDefault()
{
    QCOMPARE(installTranslations(qApp, QStringLiteral("en")), QStringLiteral("en"));
    MainWindow w;
    QCOMPARE(menuTitles(w),
        (QStringList {QStringLiteral("&File"), QStringLiteral("&Run"), QStringLiteral("&View"), QStringLiteral("&Settings"),
            QStringLiteral("&Help")}));
}

void TestI18n::germanChangesMenus()
{
    QCOMPARE(installTranslations(qApp, QStringLiteral("de")), QStringLiteral("de"));
    {
        MainWindow w;
        const QStringList titles = menuTitles(w);
        QCOMPARE(titles,
            (QStringList {QStringLiteral("&Datei"), QStringLiteral("&Ausführen"), QStringLiteral("&Ansicht"),
                QStringLiteral("&Einstellungen"), QStringLiteral("&Hilfe")}));
        QCOMPARE(w.tabs()->tabText(0), QStringLiteral("Einrichtung"));
        QCOMPARE(w.tabs()->tabText(2), QStringLiteral("Neuronen"));
    }
    // And back.
    installTranslations(qApp, QStringLiteral("en"));
    MainWindow w;
    QCOMPARE(menuTitles(w).first(), QStringLiteral("&File"));
}

void TestI18n::tsComplete()
{
    const QString ts
        = QString::fromStdString(testutil::readText(std::string(REPALIGN_SOURCE_DIR) + "/translations/repalign_de.ts"));
    const int messages = ts.count(QStringLiteral("<message"));
    QVERIFY(messages > 300);
    QCOMPARE(ts.count(QStringLiteral("type=\"unfinished\"")), 0);
    QCOMPARE(ts.count(QStringLiteral("type=\"vanished\"")), 0);
    QCOMPARE(ts.count(QStringLiteral("<translation></translation>")), 0);
}

void TestI18n::sourcesAllTranslated()
{
    // The .ts is the one source of the German texts: lupdate over today's sources (the same
    // options as the update_translations target) must find nothing new to translate.
    const std::string dir = testutil::tempDir("i18n-lupdate");
    const std::string ts = dir + "/repalign_de.ts";
    testutil::writeText(ts, testutil::readText(std::string(REPALIGN_SOURCE_DIR) + "/translations/repalign_de.ts"));
    std::string output;
    const std::string src = REPALIGN_SOURCE_DIR;
    const int rc = testutil::run(
        std::string(REPALIGN_LUPDATE) + " -no-obsolete -locations none " + src + "/widgets " + src + "/app/gui -ts " + ts,
        &output);
    QVERIFY2(rc == 0, output.c_str());
    const QString updated = QString::fromStdString(testutil::readText(ts));
    QRegularExpression unfinished(QStringLiteral("<source>([^<]*)</source>\\s*<translation type=\"unfinished\""));
    QStringList missing;
    for (auto it = unfinished.globalMatch(updated); it.hasNext();)
        missing << it.next().captured(1);
    QVERIFY2(missing.isEmpty(),
        qPrintable(QStringLiteral("%1 texts without German (translate them in translations/repalign_de.ts): %2")
                       .arg(missing.size())
                       .arg(missing.join(QStringLiteral(" | ")))));
}

QTEST_MAIN(TestI18n)
#include "test_i18n.moc"
