#include "figuredialog.h"
#include "settingskeys.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>

namespace repalign::gui {

FigureDialog::FigureDialog(const QString& suggestedPath, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export figure"));
    QSettings settings;
    m_path = new QLineEdit(suggestedPath);
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    auto* pathBox = new QHBoxLayout;
    pathBox->addWidget(m_path, 1);
    pathBox->addWidget(browse);
    m_preset = new QComboBox;
    for (FigurePreset p : {FigurePreset::Talk, FigurePreset::OneColumn, FigurePreset::TwoColumn})
        m_preset->addItem(figurePresetLabel(p), static_cast<int>(p));
    m_preset->setCurrentIndex(settings.value(settings::kFigurePreset, 0).toInt());
    m_dpi = new QSpinBox;
    m_dpi->setRange(72, 1200);
    m_dpi->setSingleStep(50);
    m_dpi->setSuffix(tr(" dpi"));
    m_dpi->setValue(settings.value(settings::kFigureDpi, settings::kFigureDpiDefault).toInt());
    m_dpi->setToolTip(tr("Resolution of PNG files; SVG and PDF are vector graphics"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("File:"), pathBox);
    form->addRow(tr("Size:"), m_preset);
    form->addRow(tr("PNG resolution:"), m_dpi);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        QSettings s;
        s.setValue(settings::kFigurePreset, m_preset->currentIndex());
        s.setValue(settings::kFigureDpi, m_dpi->value());
        s.setValue(settings::kFigureFolder, QFileInfo(path()).absolutePath());
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString p = QFileDialog::getSaveFileName(
            this, tr("Export figure"), m_path->text(), tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"));
        if (!p.isEmpty())
            m_path->setText(p);
    });
    auto update = [this] { m_dpi->setEnabled(m_path->text().endsWith(QStringLiteral(".png"), Qt::CaseInsensitive)); };
    connect(m_path, &QLineEdit::textChanged, this, update);
    update();
    resize(520, sizeHint().height());
}

QString FigureDialog::path() const
{
    return m_path->text().trimmed();
}
FigurePreset FigureDialog::preset() const
{
    return static_cast<FigurePreset>(m_preset->currentData().toInt());
}
int FigureDialog::dpi() const
{
    return m_dpi->value();
}

} // namespace repalign::gui
