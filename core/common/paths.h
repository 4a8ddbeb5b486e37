#pragma once
/// @file paths.h
/// Where the program's installed data lives, found relative to its own binary so that an
/// unpacked tarball works from any folder.
#include <string>

namespace repalign {

/// The running executable's folder (from /proc/self/exe).
std::string executableDir();
/// <prefix>/share/repalign for a binary in <prefix>/bin when that folder exists, else empty.
std::string installedDataDir();
/// The default demo project folder: $REPALIGN_DEMO_DIR, else
/// ${XDG_DATA_HOME:-~/.local/share}/RepAlign/demo-project (the same place ./workbench uses).
std::string defaultDemoProjectDir();

} // namespace repalign
