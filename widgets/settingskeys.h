#pragma once
/// @file settingskeys.h
/// Every QSettings key of the GUI, declared once: widgets and app/gui read and write their
/// settings only through these names (QSettings().value(settings::kLanguage)), so one setting
/// cannot end up under two spellings. Keys are "group/name" (QSettings groups).
#include <QLatin1String>

namespace repalign::gui::settings {

inline constexpr QLatin1String kLanguage {"ui/language"}; ///< UI language code ("" = the system's)
inline constexpr QLatin1String kCifar10Folder {"data/cifar10"}; ///< where `dataset: cifar10` is read (Preferences)
inline constexpr QLatin1String kMonitorPollMs {"monitor/pollMs"}; ///< Monitor refresh interval (ms)
inline constexpr int kMonitorPollMsDefault = 500;
inline constexpr QLatin1String kFigurePreset {"figure/preset"}; ///< Export figure dialog: preset index
inline constexpr QLatin1String kFigureDpi {"figure/dpi"}; ///< Export figure dialog: PNG resolution
inline constexpr int kFigureDpiDefault = 300;
inline constexpr QLatin1String kFigureFolder {"figure/folder"}; ///< folder of the last exported figure
inline constexpr QLatin1String kWindowGeometry {"window/geometry"}; ///< main window saveGeometry()
inline constexpr QLatin1String kWindowState {"window/state"}; ///< main window saveState() (docks, toolbars)
inline constexpr QLatin1String kLastProject {"project/last"}; ///< project opened at start when none is given

} // namespace repalign::gui::settings
