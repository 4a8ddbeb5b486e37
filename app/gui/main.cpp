// repalign: the workbench GUI. Opens the last project, or the demo project on first start.
#include "common/allocator.h"
#include "i18n.h"
#include "mainwindow.h"
#include "preferencesdialog.h"
#include "settingskeys.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTabWidget>

int main(int argc, char** argv)
{
    repalign::configureAllocator(); // before Qt starts its threads: the job thread shares the tuned heap
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RepAlign"));
    QApplication::setApplicationName(QStringLiteral("repalign"));
    QApplication::setApplicationDisplayName(QStringLiteral("RepAlign Workbench"));
    QApplication::setApplicationVersion(QStringLiteral(REPALIGN_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/repalign.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("RepAlign Workbench: train, fine-tune on brain data, and measure unit interpretability"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Open the demo project"));
    QCommandLineOption language(QStringLiteral("language"), QStringLiteral("UI language (en, de); default: preference or system"),
        QStringLiteral("code"));
    QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("Tab to show first: setup, monitor, neurons, distributions"),
        QStringLiteral("name"));
    parser.addOption(demo);
    parser.addOption(language);
    parser.addOption(tab);
    parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("Project folder to open"));
    parser.process(app);

    const QString lang = parser.isSet(language) ? parser.value(language) : repalign::gui::PreferencesDialog::languageSetting();
    repalign::gui::installTranslations(&app, lang);
    // `dataset: cifar10` resolves through $REPALIGN_DATA; the preference fills it when unset.
    if (qEnvironmentVariableIsEmpty("REPALIGN_DATA") && !repalign::gui::PreferencesDialog::cifarFolderSetting().isEmpty())
        qputenv("REPALIGN_DATA", repalign::gui::PreferencesDialog::cifarFolderSetting().toLocal8Bit());

    repalign::gui::MainWindow window;
    QString project;
    if (!parser.positionalArguments().isEmpty())
        project = parser.positionalArguments().first();
    else if (!parser.isSet(demo))
        project = QSettings().value(repalign::gui::settings::kLastProject).toString();
    if (project.isEmpty() || !QFileInfo(project).isDir())
        project = repalign::gui::MainWindow::demoProjectPath();
    window.openProject(project);
    if (parser.isSet(tab)) {
        const QStringList tabs
            = {QStringLiteral("setup"), QStringLiteral("monitor"), QStringLiteral("neurons"), QStringLiteral("distributions")};
        window.tabs()->setCurrentIndex(std::max<int>(0, tabs.indexOf(parser.value(tab))));
    }
    window.show();
    return app.exec();
}
