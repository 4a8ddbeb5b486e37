#pragma once
/// @file jobdock.h
/// The job queue and log dock: queued/running/finished jobs with their progress, the log of
/// every job, and cancel buttons.
#include <QDockWidget>

class QPlainTextEdit;
class QTableView;

namespace repalign::gui {

class JobQueueModel;

class JobDock : public QDockWidget {
    Q_OBJECT
public:
    explicit JobDock(JobQueueModel* model, QWidget* parent = nullptr);
    QPlainTextEdit* log() const { return m_log; }
    void appendLog(const QString& line, int level = 0);

private:
    JobQueueModel* m_model;
    QTableView* m_table;
    QPlainTextEdit* m_log;
};

} // namespace repalign::gui
