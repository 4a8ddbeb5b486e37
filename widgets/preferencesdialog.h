#pragma once
/// @file preferencesdialog.h
/// Preferences: language (system or a choice), CIFAR-10 folder used for `dataset: cifar10`,
/// default device and threads, metrics poll interval.
#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace repalign::gui {

class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    explicit PreferencesDialog(QWidget* parent = nullptr);
    /// "" = follow the system locale, else "en", "de".
    static QString languageSetting();
    static QString cifarFolderSetting();
    static int pollIntervalSetting();

private:
    void save();
    QComboBox* m_language;
    QLineEdit* m_cifar;
    QSpinBox* m_poll;
};

} // namespace repalign::gui
