#include "voxelsynthview.h"

#include "background.h"

#include "interpret/visualize.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <map>
#include <set>

namespace repalign::gui {
namespace {

constexpr int kImageSide = 96; // logical pixels per image in the table

/// One file's voxels: index, readout, ROI, and per voxel the best start's image and response.
struct Side {
    bool present = false;
    QString error;
    SynthIndex index;
    std::map<std::int64_t, std::pair<QImage, float>> voxels;
};

Side readSide(const QString& path, const QString& role)
{
    Side s;
    if (path.isEmpty())
        return s;
    try {
        const std::string p = path.toStdString();
        if (!readSynthIndex(p, s.index)) {
            s.error = VoxelSynthView::tr("%1 (%2) has no /synth group.").arg(QFileInfo(path).fileName(), role);
            return s;
        }
        if (s.index.objective != "voxel") {
            s.error = VoxelSynthView::tr("%1 (%2) holds %3 images, not voxel images (visualize --objective voxel).")
                          .arg(QFileInfo(path).fileName(), role, QString::fromStdString(s.index.objective));
            return s;
        }
        for (std::size_t e = 0; e < s.index.units.size(); ++e) {
            const int best = static_cast<int>(s.index.best[e]);
            const auto images = readSynthImages(p, s.index, static_cast<std::int64_t>(e));
            const auto& px = images[static_cast<std::size_t>(best)];
            QImage img(px.data(), s.index.width, s.index.height, s.index.width * 3, QImage::Format_RGB888);
            s.voxels[s.index.units[e]] = {img.copy(), s.index.activations[e * static_cast<std::size_t>(s.index.starts) + best]};
        }
        s.present = true;
    } catch (const std::exception& e) {
        s.error = QString::fromUtf8(e.what());
    }
    return s;
}

} // namespace

VoxelSynthView::VoxelSynthView(QWidget* parent)
    : QWidget(parent)
{
    m_baselineLabel = new QLabel;
    m_tunedLabel = new QLabel;
    auto* openBaseline = new QPushButton(tr("Baseline file…"));
    auto* openTuned = new QPushButton(tr("Tuned file…"));
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table = new QTableWidget(0, 5);
    m_table->setHorizontalHeaderLabels(
        {tr("Voxel"), tr("Baseline (ridge readout)"), tr("Predicted"), tr("Tuned (own readout)"), tr("Predicted")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->setIconSize(QSize(kImageSide, kImageSide));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->verticalHeader()->setDefaultSectionSize(kImageSide + 6);

    auto* bar = new QHBoxLayout;
    bar->addWidget(openBaseline);
    bar->addWidget(m_baselineLabel, 1);
    bar->addWidget(openTuned);
    bar->addWidget(m_tunedLabel, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(m_table, 1);
    connect(openBaseline, &QPushButton::clicked, this, [this] { pick(true); });
    connect(openTuned, &QPushButton::clicked, this, [this] { pick(false); });
    setFiles(QString(), QString());
}

QString VoxelSynthView::commandsHint()
{
    return tr("No voxel images yet. Write them with:\n"
              "repalign-cli visualize --checkpoint BASELINE.pt --objective voxel --readout ridge --bundle BUNDLE.h5 "
              "--roi V4 --voxels 0-9 --out baseline-voxels.h5\n"
              "repalign-cli visualize --checkpoint TUNED.pt --objective voxel --readout checkpoint --roi V4 --voxels 0-9 "
              "--out tuned-voxels.h5\n"
              "then open the two files here.");
}

QString VoxelSynthView::note() const
{
    return m_note->isVisible() || !m_note->text().isEmpty() ? m_note->text() : QString();
}

void VoxelSynthView::pick(bool baseline)
{
    const QString path
        = QFileDialog::getOpenFileName(this, baseline ? tr("Open baseline voxel images") : tr("Open tuned voxel images"),
            QString(), tr("HDF5 files (*.h5 *.hdf5);;All files (*)"));
    if (path.isEmpty())
        return;
    if (baseline)
        setFiles(path, m_tuned);
    else
        setFiles(m_baseline, path);
}

void VoxelSynthView::setFiles(const QString& baseline, const QString& tuned)
{
    m_baseline = baseline;
    m_tuned = tuned;
    m_baselineLabel->setText(baseline.isEmpty() ? tr("(none)") : QFileInfo(baseline).fileName());
    m_tunedLabel->setText(tuned.isEmpty() ? tr("(none)") : QFileInfo(tuned).fileName());
    const int generation = ++m_generation;
    if (baseline.isEmpty() && tuned.isEmpty()) {
        m_table->setRowCount(0);
        m_note->setText(commandsHint());
        m_note->show();
        Q_EMIT shown();
        return;
    }
    m_note->setText(tr("Reading…"));
    const QString baselineRole = tr("baseline"), tunedRole = tr("tuned");
    runInBackground(
        this,
        [baseline, tuned, baselineRole, tunedRole] {
            return std::make_pair(readSide(baseline, baselineRole), readSide(tuned, tunedRole));
        },
        [this, generation](std::pair<Side, Side> r) {
            if (generation != m_generation)
                return;
            const Side& a = r.first;
            const Side& b = r.second;
            QStringList notes;
            for (const Side* s : {&a, &b})
                if (!s->error.isEmpty())
                    notes << s->error;
            if (a.present && b.present && a.index.roi != b.index.roi)
                notes << tr("The files are for different ROIs (%1 and %2).")
                             .arg(QString::fromStdString(a.index.roi), QString::fromStdString(b.index.roi));
            if (a.present && a.index.readout == "checkpoint")
                notes << tr("The baseline file uses a checkpoint readout, not a ridge fit (visualize --readout ridge).");
            std::set<std::int64_t> voxels;
            for (const Side* s : {&a, &b})
                for (const auto& [v, entry] : s->voxels)
                    voxels.insert(v);
            m_table->setRowCount(static_cast<int>(voxels.size()));
            int row = 0;
            for (std::int64_t v : voxels) {
                m_table->setItem(row, 0, new QTableWidgetItem(QString::number(v)));
                int column = 1;
                for (const Side* s : {&a, &b}) {
                    auto* image = new QTableWidgetItem;
                    auto* value = new QTableWidgetItem;
                    if (auto it = s->voxels.find(v); it != s->voxels.end()) {
                        image->setIcon(QIcon(QPixmap::fromImage(
                            it->second.first.scaled(kImageSide, kImageSide, Qt::IgnoreAspectRatio, Qt::FastTransformation))));
                        image->setData(Qt::UserRole, it->second.first);
                        value->setText(QString::number(static_cast<double>(it->second.second), 'f', 4));
                        value->setData(Qt::UserRole, static_cast<double>(it->second.second));
                    } else {
                        value->setText(QStringLiteral("—"));
                    }
                    m_table->setItem(row, column, image);
                    m_table->setItem(row, column + 1, value);
                    column += 2;
                }
                ++row;
            }
            if (voxels.empty() && notes.isEmpty())
                notes << commandsHint();
            m_note->setText(notes.join(QLatin1Char('\n')));
            m_note->setVisible(!notes.isEmpty());
            Q_EMIT shown();
        });
}

} // namespace repalign::gui
