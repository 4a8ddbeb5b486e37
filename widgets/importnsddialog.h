#pragma once
/// @file importnsddialog.h
/// File ▸ Import NSD…: turns a published brain-data layout (seed .npy files, an Algonauts 2023
/// subject folder, or raw NSD) into an NSD bundle, as a queued job.
#include "jobqueuemodel.h"

#include "data/nsd_import.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace repalign::gui {

class ImportNsdDialog : public QDialog {
    Q_OBJECT
public:
    ImportNsdDialog(const QString& projectPath, QWidget* parent = nullptr);
    ImportOptions options() const;
    /// The import as a queue job.
    static JobSpec makeJob(const ImportOptions& options);

private:
    void validate();
    QComboBox* m_format;
    QLineEdit* m_root;
    QLineEdit* m_rois;
    QSpinBox* m_subject;
    QSpinBox* m_size;
    QCheckBox* m_splitFolders;
    QLineEdit* m_out;
    QLabel* m_error;
    QPushButton* m_ok = nullptr;
};

} // namespace repalign::gui
