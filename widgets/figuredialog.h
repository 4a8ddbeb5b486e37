#pragma once
/// @file figuredialog.h
/// "Export figure…": file (PNG/SVG/PDF by suffix), size preset and PNG resolution.
#include "figureexport.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace repalign::gui {

class FigureDialog : public QDialog {
    Q_OBJECT
public:
    FigureDialog(const QString& suggestedPath, QWidget* parent = nullptr);
    QString path() const;
    FigurePreset preset() const;
    int dpi() const;

private:
    QLineEdit* m_path;
    QComboBox* m_preset;
    QSpinBox* m_dpi;
};

} // namespace repalign::gui
