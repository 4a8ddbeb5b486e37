#include "preferencesdialog.h"

#include "common/version.h"
#include "settingskeys.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>

namespace repalign::gui {

QString PreferencesDialog::languageSetting()
{
    return QSettings().value(settings::kLanguage).toString();
}
QString PreferencesDialog::cifarFolderSetting()
{
    return QSettings().value(settings::kCifar10Folder).toString();
}
int PreferencesDialog::pollIntervalSetting()
{
    return QSettings().value(settings::kMonitorPollMs, settings::kMonitorPollMsDefault).toInt();
}

PreferencesDialog::PreferencesDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Preferences"));
    m_language = new QComboBox;
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_language->setCurrentIndex(std::max(0, m_language->findData(languageSetting())));
    m_cifar = new QLineEdit(cifarFolderSetting());
    m_cifar->setPlaceholderText(tr("folder with data_batch_1.bin … test_batch.bin"));
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    auto* cifarBox = new QHBoxLayout;
    cifarBox->addWidget(m_cifar, 1);
    cifarBox->addWidget(browse);
    m_poll = new QSpinBox;
    m_poll->setRange(100, 10000);
    m_poll->setSingleStep(100);
    m_poll->setSuffix(tr(" ms"));
    m_poll->setValue(pollIntervalSetting());
    m_poll->setToolTip(tr("How often runs written elsewhere are re-read (file changes are also watched)"));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Language:"), m_language);
    auto* note = new QLabel(tr("The language changes after a restart."));
    note->setEnabled(false);
    form->addRow(QString(), note);
    form->addRow(tr("CIFAR-10 folder:"), cifarBox);
    form->addRow(tr("Poll interval:"), m_poll);
    // What jobs can run on: set per run with the device field of the forms (cpu, cuda, cuda:N).
    QStringList devices;
    for (const auto& d : repalign::listDevices()) {
        QString line = QStringLiteral("%1 \u2014 %2").arg(QString::fromStdString(d.id), QString::fromStdString(d.name));
        if (d.memoryBytes > 0)
            line += tr(", %1 GiB").arg(double(d.memoryBytes) / 1073741824.0, 0, 'f', 1);
        devices << line;
    }
    if (!repalign::torchBuiltWithCuda())
        devices << tr("(CPU build of LibTorch: build against a CUDA LibTorch for GPUs)");
    auto* deviceList = new QLabel(devices.join(QLatin1Char('\n')));
    deviceList->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Compute devices:"), deviceList);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("CIFAR-10 folder"), m_cifar->text());
        if (!d.isEmpty())
            m_cifar->setText(d);
    });
}

void PreferencesDialog::save()
{
    QSettings s;
    s.setValue(settings::kLanguage, m_language->currentData().toString());
    s.setValue(settings::kCifar10Folder, m_cifar->text().trimmed());
    s.setValue(settings::kMonitorPollMs, m_poll->value());
}

} // namespace repalign::gui
