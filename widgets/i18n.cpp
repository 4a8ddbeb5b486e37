#include "i18n.h"

#include "common/paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace repalign::gui {

QStringList availableLanguages()
{
    QStringList out;
    for (const QString& f : QDir(QStringLiteral(":/i18n")).entryList({QStringLiteral("repalign_*.qm")}))
        out << f.mid(9, f.size() - 12);
    return out;
}

QString installTranslations(QCoreApplication* app, const QString& language)
{
    // Remove what an earlier call installed, so switching languages in tests works.
    for (QTranslator* t : app->findChildren<QTranslator*>(QStringLiteral("repalign-translator"))) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (locale.language() == QLocale::English || locale.language() == QLocale::C)
        return QStringLiteral("en");
    auto* ours = new QTranslator(app);
    ours->setObjectName(QStringLiteral("repalign-translator"));
    // Installed translations (<prefix>/share/repalign/translations, found beside the binary)
    // come first, so a packaged .qm can be updated on its own; the built-in copy is the fallback.
    const QString installed = QString::fromStdString(repalign::installedDataDir());
    const bool loaded
        = (!installed.isEmpty()
              && ours->load(locale, QStringLiteral("repalign"), QStringLiteral("_"), installed + QStringLiteral("/translations")))
        || ours->load(locale, QStringLiteral("repalign"), QStringLiteral("_"), QStringLiteral(":/i18n"));
    if (!loaded) {
        delete ours;
        return QStringLiteral("en");
    }
    QCoreApplication::installTranslator(ours);
    auto* qt = new QTranslator(app);
    qt->setObjectName(QStringLiteral("repalign-translator"));
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    return QLocale::languageToCode(locale.language());
}

} // namespace repalign::gui
