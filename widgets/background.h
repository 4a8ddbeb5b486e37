#pragma once
/// @file background.h
/// Runs work off the UI thread (Qt's global thread pool) and hands its result back on the UI
/// thread, dropped when the receiver is gone by then. For file reads, folder scans and
/// checkpoint inspection behind the forms: nothing that can take more than a few
/// milliseconds runs on the UI thread.
#include <QCoreApplication>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <memory>
#include <utility>

namespace repalign::gui {

/// Calls @p work() on a pool thread, then @p apply(result) on the UI thread if @p receiver
/// still exists. @p work must not throw (catch and put the error into the result).
template <class Work, class Apply> void runInBackground(QObject* receiver, Work work, Apply apply)
{
    QPointer<QObject> guard(receiver);
    QThreadPool::globalInstance()->start([guard, work = std::move(work), apply = std::move(apply)]() mutable {
        auto result = std::make_shared<decltype(work())>(work());
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, apply, result]() mutable {
                if (guard)
                    apply(std::move(*result));
            },
            Qt::QueuedConnection);
    });
}

/// runInBackground for work that a newer call supersedes (a re-scan, another file chosen):
/// each call counts @p generation (a member of @p receiver) up, and @p apply runs only with the
/// newest call's result; older results are dropped.
template <class Work, class Apply> void runLatestInBackground(QObject* receiver, int& generation, Work work, Apply apply)
{
    const int mine = ++generation;
    int* counter = &generation; // read only while the receiver, its owner, exists
    runInBackground(receiver, std::move(work), [counter, mine, apply = std::move(apply)](auto result) mutable {
        if (*counter == mine)
            apply(std::move(result));
    });
}

} // namespace repalign::gui
