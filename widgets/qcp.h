#pragma once
// QCustomPlot's header uses the `signals` and `foreach` keywords, which QT_NO_KEYWORDS
// (needed by LibTorch) removes, and QT_NO_FOREACH (a house rule) removes Q_FOREACH itself: its
// two `foreach (T* x, list)` loops become range-for over a const list here. Include QCustomPlot
// only through this header.
#include <QtCore/qforeach.h>
#include <QtGlobal>

#include <utility>

#ifndef signals
#define signals Q_SIGNALS
#define REPALIGN_QCP_UNDEF_SIGNALS
#endif
#ifndef foreach
#ifdef QT_NO_FOREACH
#define foreach(variable, container) for (variable : std::as_const(container))
#else
#define foreach Q_FOREACH
#endif
#define REPALIGN_QCP_UNDEF_FOREACH
#endif
#ifndef slots
#define slots Q_SLOTS
#define REPALIGN_QCP_UNDEF_SLOTS
#endif
#ifndef emit
#define emit Q_EMIT
#define REPALIGN_QCP_UNDEF_EMIT
#endif

#include <qcustomplot.h>

#ifdef REPALIGN_QCP_UNDEF_SIGNALS
#undef signals
#undef REPALIGN_QCP_UNDEF_SIGNALS
#endif
#ifdef REPALIGN_QCP_UNDEF_FOREACH
#undef foreach
#undef REPALIGN_QCP_UNDEF_FOREACH
#endif
#ifdef REPALIGN_QCP_UNDEF_SLOTS
#undef slots
#undef REPALIGN_QCP_UNDEF_SLOTS
#endif
#ifdef REPALIGN_QCP_UNDEF_EMIT
#undef emit
#undef REPALIGN_QCP_UNDEF_EMIT
#endif
