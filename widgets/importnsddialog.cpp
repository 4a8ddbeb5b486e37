#include "importnsddialog.h"

#include "common/error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>

namespace repalign::gui {

ImportNsdDialog::ImportNsdDialog(const QString& projectPath, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Import brain data"));
    m_format = new QComboBox;
    for (const std::string& f : importFormats())
        m_format->addItem(QString::fromStdString(f));
    m_root = new QLineEdit;
    m_root->setPlaceholderText(tr("source folder"));
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    auto* rootBox = new QHBoxLayout;
    rootBox->addWidget(m_root, 1);
    rootBox->addWidget(browse);
    m_rois = new QLineEdit(QStringLiteral("V4"));
    m_rois->setToolTip(tr("Comma-separated ROI names (seed-npy: empty = all)"));
    m_subject = new QSpinBox;
    m_subject->setRange(1, 8);
    m_size = new QSpinBox;
    m_size->setRange(8, 1024);
    m_size->setValue(64);
    m_size->setSuffix(tr(" px"));
    m_splitFolders = new QCheckBox(tr("Split from the train/ and val/ folders"));
    m_splitFolders->setToolTip(tr("seed-npy: the source holds train/ and val/ (optionally test/), each with "
                                  "brain_activities/ and preprocessed/img_paths.npy, as the reference's layout; "
                                  "otherwise a random tenth of the images is the val split"));
    m_out = new QLineEdit(QDir(projectPath).filePath(QStringLiteral("data/nsd_bundle.h5")));
    m_error = new QLabel;
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Format:"), m_format);
    form->addRow(tr("Source:"), rootBox);
    form->addRow(tr("ROIs:"), m_rois);
    form->addRow(tr("Subject:"), m_subject);
    form->addRow(tr("Image size:"), m_size);
    form->addRow(QString(), m_splitFolders);
    form->addRow(tr("Bundle to write:"), m_out);
    form->addRow(m_error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Import"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Source folder"), m_root->text());
        if (!d.isEmpty())
            m_root->setText(d);
    });
    for (QLineEdit* e : {m_root, m_rois, m_out})
        connect(e, &QLineEdit::textChanged, this, &ImportNsdDialog::validate);
    auto seedNpyOnly = [this] { m_splitFolders->setEnabled(m_format->currentText() == QLatin1String("seed-npy")); };
    connect(m_format, &QComboBox::currentTextChanged, this, seedNpyOnly);
    seedNpyOnly();
    validate();
    resize(560, sizeHint().height());
}

void ImportNsdDialog::validate()
{
    QString error;
    if (m_root->text().trimmed().isEmpty())
        error = tr("Choose the source folder.");
    else if (!QFileInfo(m_root->text().trimmed()).isDir())
        error = tr("The source folder does not exist.");
    else if (!m_out->text().trimmed().endsWith(QStringLiteral(".h5")))
        error = tr("The bundle file should end in .h5.");
    m_error->setText(error);
    m_ok->setEnabled(error.isEmpty());
}

ImportOptions ImportNsdDialog::options() const
{
    ImportOptions o;
    o.format = m_format->currentText().toStdString();
    o.root = m_root->text().trimmed().toStdString();
    o.out = m_out->text().trimmed().toStdString();
    o.imageSize = m_size->value();
    o.subject = m_subject->value();
    o.splitFromFolders = m_splitFolders->isChecked() && o.format == "seed-npy";
    for (const QString& r : m_rois->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        o.rois.push_back(r.trimmed().toStdString());
    return o;
}

JobSpec ImportNsdDialog::makeJob(const ImportOptions& options)
{
    JobSpec spec;
    spec.kind = QStringLiteral("import");
    spec.title = tr("Import %1 → %2")
                     .arg(QString::fromStdString(options.format), QFileInfo(QString::fromStdString(options.out)).fileName());
    spec.work = [options](ProgressSink& sink, const CancelToken& cancel) {
        QDir().mkpath(QFileInfo(QString::fromStdString(options.out)).absolutePath());
        const ImportResult r = importBundle(options, sink, cancel);
        JobOutcome out;
        QStringList rois;
        for (std::size_t i = 0; i < r.rois.size(); ++i)
            rois << QStringLiteral("%1 (%2 voxels)")
                        .arg(QString::fromStdString(r.rois[i]))
                        .arg(i < r.voxels.size() ? r.voxels[i] : 0);
        out.message = tr("%1 images; %2").arg(r.images).arg(rois.join(QStringLiteral(", ")));
        return out;
    };
    return spec;
}

} // namespace repalign::gui
