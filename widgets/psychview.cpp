#include "psychview.h"

#include "background.h"
#include "plotstyle.h"
#include "psychplots.h"
#include "qcp.h"

#include "common/error.h"
#include "interpret/comparison.h"
#include "psych/psych.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace repalign::gui {

namespace {

QTableWidgetItem* numberItem(double v, int digits = 3)
{
    auto* item = new QTableWidgetItem(std::isfinite(v) ? QString::number(v, 'f', digits) : QStringLiteral("–"));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QTableWidgetItem* textItem(const QString& text)
{
    return new QTableWidgetItem(text);
}

QTableWidget* makeTable(const QStringList& header)
{
    auto* t = new QTableWidget(0, static_cast<int>(header.size()));
    t->setHorizontalHeaderLabels(header);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->verticalHeader()->setVisible(false);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

} // namespace

PsychView::PsychView(QWidget* parent)
    : QWidget(parent)
{
    m_file = new QComboBox;
    m_file->setMinimumContentsLength(24);
    m_file->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    auto* open = new QPushButton(tr("Open…"));
    m_run = new QPushButton(tr("Run in-app experiment…"));
    m_run->setToolTip(tr("Run a planned experiment (repalign-cli psych plan) for one participant at this computer, "
                         "full screen; the answers go to the plan's results folder"));

    m_banner = new QLabel;
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fff1c2; color: #5a3d00; border: 1px solid #d9a400; padding: 6px; font-weight: bold; }"));
    m_banner->hide();
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note->setTextFormat(Qt::PlainText);
    m_stats = new QLabel;
    m_stats->setWordWrap(true);
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_accuracy = new QCustomPlot;
    m_lpips = new QCustomPlot;
    m_color = new QCustomPlot;
    for (QCustomPlot* p : {m_accuracy, m_lpips, m_color}) {
        p->setMinimumSize(220, 240);
        stylePlot(p);
        p->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(p, &QWidget::customContextMenuRequested, this, [this, p](const QPoint& pos) {
            QMenu menu;
            menu.addAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"), this, [this, p] {
                Q_EMIT exportPlotRequested(p,
                    p == m_accuracy    ? QStringLiteral("psych-accuracy")
                        : p == m_lpips ? QStringLiteral("psych-ii-lpips")
                                       : QStringLiteral("psych-ii-color"));
            });
            menu.exec(p->mapToGlobal(pos));
        });
    }
    m_models = makeTable({tr("Label"), tr("Model"), tr("Accuracy"), tr("95% CI"), tr("Trials")});
    m_participants = makeTable({tr("Participant"), tr("Accuracy"), tr("Catch accuracy"), tr("Excluded")});

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("File:")));
    bar->addWidget(m_file, 1);
    bar->addWidget(open);
    bar->addSpacing(12);
    bar->addWidget(m_run);
    auto* plots = new QHBoxLayout;
    plots->addWidget(m_accuracy, 1);
    plots->addWidget(m_lpips, 1);
    plots->addWidget(m_color, 1);
    auto* tables = new QSplitter;
    tables->addWidget(m_models);
    tables->addWidget(m_participants);
    tables->setChildrenCollapsible(false);
    // In a scroll area, so the page never raises the window's minimum height (the job dock keeps its room).
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->addLayout(bar);
    layout->addWidget(m_banner);
    layout->addWidget(m_note);
    // The figures and tables only while a summary is shown (empty axes say nothing).
    m_results = new QWidget;
    auto* results = new QVBoxLayout(m_results);
    results->setContentsMargins(0, 0, 0, 0);
    results->addLayout(plots, 3);
    results->addWidget(m_stats);
    results->addWidget(tables, 1);
    layout->addWidget(m_results, 1);
    layout->addStretch(0);
    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    connect(open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open psychophysics results"), QString(), tr("HDF5 files (*.h5 *.hdf5);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    connect(m_run, &QPushButton::clicked, this, &PsychView::runExperimentRequested);
    connect(m_file, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        if (i >= 0)
            showFile(m_file->itemData(i).toString());
    });
    redraw();
}

PsychView::~PsychView() = default;

QString PsychView::emptyText() const
{
    return tr("No psychophysics results yet. Plan an experiment from two or more analyses, run it in the browser "
              "(jsPsych, JATOS) or here with \"Run in-app experiment…\", import the answers, then Open… the file:\n\n"
              "  repalign-cli psych plan --analysis baseline.h5 --analysis tuned.h5 --out exp\n"
              "  repalign-cli psych export exp    (a jsPsych folder, exp/web; --format jatos for JATOS)\n"
              "  repalign-cli psych import exp --results exp/results/*.csv --out human.h5\n\n"
              "To try the analysis first: repalign-cli psych simulate exp --out exp/results/simulated.csv answers as a "
              "simulated observer.");
}

void PsychView::setAvailableFiles(const QStringList& paths)
{
    runLatestInBackground(
        this, m_generation,
        [paths] {
            QStringList with;
            for (const QString& p : paths)
                if (psych::hasPsychSummary(p.toStdString()))
                    with << p;
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

void PsychView::openFile(const QString& path)
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

QString PsychView::currentFile() const
{
    return m_file->currentData().toString();
}

QStringList PsychView::files() const
{
    QStringList out;
    for (int i = 0; i < m_file->count(); ++i)
        out << m_file->itemData(i).toString();
    return out;
}

QString PsychView::banner() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

QString PsychView::note() const
{
    return m_note->isHidden() ? QString() : m_note->text();
}

void PsychView::showFile(const QString& path)
{
    struct Result {
        std::shared_ptr<psych::PsychSummary> summary;
        QString error;
    };
    runLatestInBackground(
        this, m_generation,
        [path] {
            Result r;
            try {
                r.summary = std::make_shared<psych::PsychSummary>(psych::readPsychSummary(path.toStdString()));
            } catch (const std::exception& e) {
                r.error = QString::fromUtf8(e.what());
            }
            return r;
        },
        [this](Result r) {
            if (r.summary) {
                m_summary = std::make_unique<psych::PsychSummary>(*r.summary);
                m_note->hide();
            } else {
                m_summary.reset();
                m_note->setText(r.error);
                m_note->show();
            }
            redraw();
            Q_EMIT shown();
        });
}

void PsychView::redraw()
{
    m_models->setRowCount(0);
    m_participants->setRowCount(0);
    if (!m_summary) {
        for (QCustomPlot* p : {m_accuracy, m_lpips, m_color}) {
            p->clearPlottables();
            p->clearItems();
            p->legend->setVisible(false);
            p->replot(QCustomPlot::rpQueuedReplot);
        }
        m_banner->hide();
        m_stats->clear();
        m_results->hide();
        if (m_note->isHidden() || m_note->text().isEmpty()) {
            m_note->setText(emptyText());
            m_note->show();
        }
        return;
    }
    const psych::PsychSummary& s = *m_summary;
    m_results->show();
    if (s.source == "simulated") {
        m_banner->setText(tr("Simulated observer (noise %1): these answers come from repalign-cli psych simulate, "
                             "not from people.")
                              .arg(QString::number(s.observerNoise, 'g', 3)));
        m_banner->show();
    } else {
        m_banner->hide();
    }
    plotPsychAccuracy(m_accuracy, s);
    plotPsychIi(m_lpips, s, QStringLiteral("lpips"));
    plotPsychIi(m_color, s, QStringLiteral("color"));

    int excluded = 0;
    for (std::uint8_t e : s.participantExcluded)
        excluded += e ? 1 : 0;
    QStringList lines;
    if (!s.comparisonMethod.empty())
        lines << tr("Models compared with %1: statistic %2, p = %3")
                     .arg(QString::fromStdString(s.comparisonMethod), QString::number(s.comparisonStatistic, 'g', 4),
                         QString::fromStdString(formatPValue(s.comparisonP)));
    if (s.source != "simulated")
        lines << tr(
            "%n participant(s), %1 excluded (catch-trial accuracy below %2)", nullptr, static_cast<int>(s.participants.size()))
                     .arg(excluded)
                     .arg(QString::number(s.catchThreshold, 'g', 3));
    m_stats->setText(lines.join(QLatin1Char('\n')));
    m_stats->setVisible(!lines.isEmpty());

    for (std::size_t m = 0; m < s.modelAccuracy.size(); ++m) {
        const int row = m_models->rowCount();
        m_models->insertRow(row);
        m_models->setItem(row, 0, textItem(m < s.modelLabels.size() ? QString::fromStdString(s.modelLabels[m]) : QString()));
        m_models->setItem(row, 1, textItem(m < s.modelNames.size() ? QString::fromStdString(s.modelNames[m]) : QString()));
        m_models->setItem(row, 2, numberItem(s.modelAccuracy[m]));
        const double lo = m < s.modelCiLow.size() ? s.modelCiLow[m] : NAN;
        const double hi = m < s.modelCiHigh.size() ? s.modelCiHigh[m] : NAN;
        auto* ci = new QTableWidgetItem(QStringLiteral("[%1, %2]").arg(QString::number(lo, 'f', 3), QString::number(hi, 'f', 3)));
        ci->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_models->setItem(row, 3, ci);
        auto* trials = new QTableWidgetItem(m < s.modelTrials.size() ? QString::number(s.modelTrials[m]) : QString());
        trials->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_models->setItem(row, 4, trials);
    }
    for (std::size_t i = 0; i < s.participants.size(); ++i) {
        const int row = m_participants->rowCount();
        m_participants->insertRow(row);
        m_participants->setItem(row, 0, textItem(QString::fromStdString(s.participants[i])));
        m_participants->setItem(row, 1, numberItem(i < s.participantAccuracy.size() ? s.participantAccuracy[i] : NAN));
        m_participants->setItem(row, 2, numberItem(i < s.participantCatchAccuracy.size() ? s.participantCatchAccuracy[i] : NAN));
        const bool ex = i < s.participantExcluded.size() && s.participantExcluded[i];
        m_participants->setItem(row, 3, textItem(ex ? tr("yes") : tr("no")));
    }
}

} // namespace repalign::gui
