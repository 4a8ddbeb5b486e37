#include "alignmentview.h"

#include "alignmentplot.h"
#include "background.h"
#include "plotstyle.h"
#include "qcp.h"
#include "voxelsynthview.h"

#include "common/error.h"
#include "pipeline/align.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace repalign::gui {

AlignmentView::AlignmentView(QWidget* parent)
    : QWidget(parent)
{
    m_file = new QComboBox;
    m_file->setMinimumContentsLength(24);
    m_file->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    auto* open = new QPushButton(tr("Open…"));
    m_score = new QComboBox;
    for (const std::string& s : alignmentScoreNames())
        m_score->addItem(alignmentScoreLabel(QString::fromStdString(s)), QString::fromStdString(s));
    m_score->setCurrentIndex(m_score->findData(QStringLiteral("rsa")));
    m_note = new QLabel(tr("No file with brain alignment yet: write one with repalign-cli align --out FILE, then Open…"));
    m_note->setWordWrap(true);
    m_plot = new QCustomPlot;
    m_plot->setMinimumHeight(240);
    stylePlot(m_plot);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_plot, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu menu;
        menu.addAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"), this,
            [this] { Q_EMIT exportPlotRequested(m_plot, QStringLiteral("layer-profile")); });
        menu.exec(m_plot->mapToGlobal(pos));
    });
    m_table = new QTableWidget(0, 8);
    m_table->setHorizontalHeaderLabels(
        {tr("Model"), tr("Layer"), tr("ROI"), tr("Features"), tr("r (median)"), tr("r²/ceiling"), tr("RSA"), tr("CKA")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("File:")));
    bar->addWidget(m_file, 1);
    bar->addWidget(open);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Score:")));
    bar->addWidget(m_score);
    auto* profile = new QWidget;
    auto* layout = new QVBoxLayout(profile);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(m_plot, 3);
    layout->addWidget(m_table, 2);
    m_voxels = new VoxelSynthView;
    m_pages = new QTabWidget;
    m_pages->addTab(profile, tr("Layer profile"));
    m_pages->addTab(m_voxels, tr("Voxel images"));
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_pages);

    connect(open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open brain alignment"), QString(), tr("HDF5 files (*.h5 *.hdf5);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    connect(m_file, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        if (i >= 0)
            showFile(m_file->itemData(i).toString());
    });
    connect(m_score, qOverload<int>(&QComboBox::currentIndexChanged), this, &AlignmentView::redraw);
}

AlignmentView::~AlignmentView() = default;

void AlignmentView::setAvailableFiles(const QStringList& paths)
{
    runLatestInBackground(
        this, m_generation,
        [paths] {
            QStringList with;
            for (const QString& p : paths) {
                try {
                    readAlignment(p.toStdString());
                    with << p;
                } catch (const Error&) {
                }
            }
            return with;
        },
        [this](const QStringList& with) {
            const QString current = currentFile();
            QSignalBlocker block(m_file);
            m_file->clear();
            for (const QString& p : with)
                m_file->addItem(QFileInfo(p).fileName(), p);
            if (!current.isEmpty() && m_file->findData(current) < 0)
                m_file->addItem(QFileInfo(current).fileName(), current);
            const int i = m_file->findData(current);
            m_file->setCurrentIndex(i >= 0 ? i : 0);
            block.unblock();
            if (m_file->count() > 0 && currentFile() != current)
                showFile(currentFile());
        });
}

void AlignmentView::openFile(const QString& path)
{
    int i = m_file->findData(path);
    if (i < 0) {
        m_file->addItem(QFileInfo(path).fileName(), path);
        i = m_file->count() - 1;
    }
    if (m_file->currentIndex() == i)
        showFile(path);
    else
        m_file->setCurrentIndex(i);
}

QString AlignmentView::currentFile() const
{
    return m_file->currentData().toString();
}

QStringList AlignmentView::files() const
{
    QStringList out;
    for (int i = 0; i < m_file->count(); ++i)
        out << m_file->itemData(i).toString();
    return out;
}

QString AlignmentView::note() const
{
    return m_note->isHidden() ? QString() : m_note->text();
}

void AlignmentView::showFile(const QString& path)
{
    struct Result {
        std::shared_ptr<AlignmentScores> scores;
        QString error;
    };
    runLatestInBackground(
        this, m_generation,
        [path] {
            Result r;
            try {
                r.scores = std::make_shared<AlignmentScores>(readAlignment(path.toStdString()));
            } catch (const std::exception& e) {
                r.error = QString::fromUtf8(e.what());
            }
            return r;
        },
        [this](Result r) {
            if (r.scores) {
                m_scores = std::make_unique<AlignmentScores>(*r.scores);
                m_note->hide();
            } else {
                m_scores.reset();
                m_note->setText(r.error);
                m_note->show();
            }
            redraw();
            Q_EMIT shown();
        });
}

void AlignmentView::redraw()
{
    m_table->setRowCount(0);
    if (!m_scores) {
        m_plot->clearPlottables();
        m_plot->replot();
        return;
    }
    const AlignmentScores& s = *m_scores;
    plotLayerProfile(m_plot, s, m_score->currentData().toString());
    auto cell = [](double v) {
        auto* item = new QTableWidgetItem(std::isfinite(v) ? QString::number(v, 'f', 4) : QStringLiteral("–"));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    for (std::size_t m = 0; m < s.models.size(); ++m)
        for (std::size_t l = 0; l < s.layers.size(); ++l)
            for (std::size_t r = 0; r < s.rois.size(); ++r) {
                const int row = m_table->rowCount();
                m_table->insertRow(row);
                const std::size_t i = s.index(m, l, r);
                m_table->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(s.models[m])));
                m_table->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(s.layers[l])));
                m_table->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(s.rois[r])));
                const std::size_t fi = m * s.layers.size() + l;
                auto* features = new QTableWidgetItem(fi < s.features.size() ? QString::number(s.features[fi]) : QString());
                if (fi < s.featuresOriginal.size() && s.featuresOriginal[fi] > s.features[fi])
                    features->setToolTip(tr("projected from %1 features").arg(s.featuresOriginal[fi]));
                m_table->setItem(row, 3, features);
                m_table->setItem(row, 4, cell(s.rMedian[i]));
                m_table->setItem(row, 5, cell(s.normalizedMedian[i]));
                m_table->setItem(row, 6, cell(s.rsa[i]));
                m_table->setItem(row, 7, cell(s.cka[i]));
            }
}

} // namespace repalign::gui
