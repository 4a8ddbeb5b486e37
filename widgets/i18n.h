#pragma once
/// @file i18n.h
/// Loads the workbench's translation (embedded :/i18n/repalign_<lang>.qm) and Qt's own.
#include <QString>

class QCoreApplication;

namespace repalign::gui {

/// Installs the translators for @p language ("de", "en"; empty = the system locale).
/// Returns the language in force ("en" when no translation matched).
QString installTranslations(QCoreApplication* app, const QString& language);

/// Languages with a translation, besides English.
QStringList availableLanguages();

} // namespace repalign::gui
