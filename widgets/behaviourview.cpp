#include "behaviourview.h"

#include "background.h"
#include "plotstyle.h"
#include "qcp.h"

#include "common/error.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

namespace repalign::gui {

BehaviourView::BehaviourView(QWidget* parent)
    : QWidget(parent)
{
    m_base = new QComboBox;
    m_tuned = new QComboBox;
    for (QComboBox* box : {m_base, m_tuned}) {
        box->setMinimumContentsLength(18);
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    }
    m_base->setToolTip(tr("The baseline's behaviour file (first in every figure; the heat map subtracts it)"));
    m_tuned->setToolTip(tr("The tuned model's behaviour file (none: the baseline alone)"));
    m_tuned->addItem(tr("(none)"), QString());
    auto* openBase = new QToolButton;
    openBase->setText(tr("Open…"));
    openBase->setToolTip(tr("Open a behaviour file (.h5 with /behaviour) as the baseline"));
    auto* openTuned = new QToolButton;
    openTuned->setText(tr("Open…"));
    openTuned->setToolTip(tr("Open a behaviour file (.h5 with /behaviour) as the tuned model"));
    auto* exportButton = new QPushButton(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"));
    exportButton->setToolTip(tr("Export the figure of this page (PNG, SVG or PDF at a talk or paper preset)"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Baseline:")));
    bar->addWidget(m_base, 1);
    bar->addWidget(openBase);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Tuned:")));
    bar->addWidget(m_tuned, 1);
    bar->addWidget(openTuned);
    bar->addSpacing(12);
    bar->addWidget(exportButton);

    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: #6b4e00;"));
    m_note->hide();

    m_pages = new QTabWidget;
    const QStringList kinds = behaviourFigureKinds();
    const QStringList titles = {tr("Robustness"), tr("Corruptions"), tr("Calibration"), tr("Human agreement")};
    for (int i = 0; i < kinds.size(); ++i) {
        Page page;
        page.kind = kinds[i];
        page.plot = new QCustomPlot;
        page.plot->setMinimumHeight(220);
        stylePlot(page.plot);
        page.plot->setContextMenuPolicy(Qt::CustomContextMenu);
        QCustomPlot* plot = page.plot;
        const QString kind = page.kind;
        connect(plot, &QWidget::customContextMenuRequested, this, [this, plot, kind](const QPoint& pos) {
            QMenu menu;
            menu.addAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("Export figure…"), this,
                [this, plot, kind] { Q_EMIT exportPlotRequested(plot, kind); });
            menu.exec(plot->mapToGlobal(pos));
        });
        page.note = new QLabel;
        page.note->setWordWrap(true);
        page.note->setTextInteractionFlags(Qt::TextSelectableByMouse);
        page.note->hide();
        auto* w = new QWidget;
        auto* l = new QVBoxLayout(w);
        l->addWidget(page.note);
        l->addWidget(page.plot, 1);
        m_pages->addTab(w, titles[i]);
        m_pageList << page;
    }

    m_empty = new QLabel;
    m_empty->setWordWrap(true);
    m_empty->setTextFormat(Qt::RichText);
    m_empty->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_empty->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_empty->setMargin(12);
    m_empty->setText(tr("<p><b>No behaviour file yet.</b> Write one per model (the baseline and the tuned model) into its run's "
                        "analysis folder, where this view finds it:</p>"
                        "<pre>repalign-cli behave --checkpoint RUN/checkpoints/best_acc.pt --data cifar10:DIR --split test \\\n"
                        "    --out RUN/analysis/behave.h5</pre>"
                        "<p>Each option adds a page: human agreement</p>"
                        "<pre>    --human cifar10h-probs.npy --human-raw cifar10h-raw.csv</pre>"
                        "<p>corruption accuracy (CIFAR-10-C, or a folder written by repalign-cli corrupt)</p>"
                        "<pre>    --corruptions CIFAR-10-C</pre>"
                        "<p>and PGD robustness (L∞ ε in 1/255, L2 ε in pixel units)</p>"
                        "<pre>    --pgd linf:1,2,4,8 --pgd l2:0.25,0.5,1 --pgd-steps 10</pre>"
                        "<p>The Setup tab's Behaviour form queues the same job. A file elsewhere: Open… above.</p>"));
    m_stack = new QStackedWidget;
    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_pages);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_note);
    layout->addWidget(m_stack, 1);

    auto browse = [this](bool tuned) {
        const QString path = QFileDialog::getOpenFileName(this,
            tuned ? tr("Open the tuned model's behaviour") : tr("Open the baseline's behaviour"), QString(),
            tr("HDF5 files (*.h5 *.hdf5);;All files (*)"));
        if (!path.isEmpty())
            openFile(path, tuned);
    };
    connect(openBase, &QToolButton::clicked, this, [browse] { browse(false); });
    connect(openTuned, &QToolButton::clicked, this, [browse] { browse(true); });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const int i = m_pages->currentIndex();
        if (i >= 0 && i < m_pageList.size() && m_pageList[i].note->isHidden())
            Q_EMIT exportPlotRequested(m_pageList[i].plot, m_pageList[i].kind);
    });
    for (QComboBox* box : {m_base, m_tuned})
        connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, &BehaviourView::load);
    updateEmptyState();
}

BehaviourView::~BehaviourView() = default;

void BehaviourView::addFile(const QString& path)
{
    if (m_base->findData(path) >= 0)
        return;
    QSignalBlocker b(m_base), t(m_tuned);
    const QString label = QStringLiteral("%1 (%2)").arg(behaviourLabel(path), QFileInfo(path).fileName());
    m_base->addItem(label, path);
    m_tuned->addItem(label, path);
    m_base->setItemData(m_base->count() - 1, path, Qt::ToolTipRole);
    m_tuned->setItemData(m_tuned->count() - 1, path, Qt::ToolTipRole);
}

void BehaviourView::setAvailableFiles(const QStringList& paths)
{
    runLatestInBackground(
        this, m_scanGeneration,
        [paths] {
            QStringList with;
            for (const QString& p : paths)
                if (behaviour::hasBehaviour(p.toStdString()))
                    with << p;
            return with;
        },
        [this](const QStringList& with) {
            m_scanned = true;
            const QString base = baseFile(), tuned = tunedFile();
            {
                QSignalBlocker b(m_base), t(m_tuned);
                // Keep what is shown (an opened file stays offered), then the project's files in order.
                QStringList keep;
                for (const QString& p : {base, tuned})
                    if (!p.isEmpty() && !with.contains(p) && !keep.contains(p))
                        keep << p;
                m_base->clear();
                while (m_tuned->count() > 1)
                    m_tuned->removeItem(1);
                for (const QString& p : with + keep)
                    addFile(p);
                if (base.isEmpty() && m_base->count() > 0) {
                    m_base->setCurrentIndex(0);
                    m_tuned->setCurrentIndex(m_base->count() > 1 ? 2 : 0);
                } else {
                    m_base->setCurrentIndex(std::max(0, m_base->findData(base)));
                    m_tuned->setCurrentIndex(std::max(0, m_tuned->findData(tuned)));
                }
            }
            updateEmptyState();
            if (baseFile() != base || tunedFile() != tuned || (m_models.isEmpty() && !baseFile().isEmpty()))
                load();
        });
}

void BehaviourView::openFile(const QString& path, bool asTuned)
{
    addFile(path);
    QComboBox* box = asTuned ? m_tuned : m_base;
    const int i = box->findData(path);
    if (box->currentIndex() == i)
        load();
    else
        box->setCurrentIndex(i);
    updateEmptyState();
}

void BehaviourView::setFiles(const QString& base, const QString& tuned)
{
    addFile(base);
    if (!tuned.isEmpty())
        addFile(tuned);
    {
        QSignalBlocker b(m_base), t(m_tuned);
        m_base->setCurrentIndex(m_base->findData(base));
        m_tuned->setCurrentIndex(tuned.isEmpty() ? 0 : m_tuned->findData(tuned));
    }
    updateEmptyState();
    load();
}

QString BehaviourView::baseFile() const
{
    return m_base->currentData().toString();
}

QString BehaviourView::tunedFile() const
{
    return m_tuned->currentData().toString();
}

QStringList BehaviourView::files() const
{
    QStringList out;
    for (int i = 0; i < m_base->count(); ++i)
        out << m_base->itemData(i).toString();
    return out;
}

QCustomPlot* BehaviourView::plot(const QString& kind) const
{
    for (const Page& p : m_pageList)
        if (p.kind == kind)
            return p.plot;
    return nullptr;
}

QString BehaviourView::note() const
{
    return m_note->isHidden() ? QString() : m_note->text();
}

QString BehaviourView::pageNote(const QString& kind) const
{
    for (const Page& p : m_pageList)
        if (p.kind == kind)
            return p.note->isHidden() ? QString() : p.note->text();
    return {};
}

QString BehaviourView::emptyText() const
{
    return m_empty->text();
}

bool BehaviourView::showsEmptyState() const
{
    return m_stack->currentWidget() == m_empty;
}

void BehaviourView::updateEmptyState()
{
    m_stack->setCurrentWidget(m_base->count() == 0 ? static_cast<QWidget*>(m_empty) : static_cast<QWidget*>(m_pages));
}

void BehaviourView::load()
{
    QStringList paths;
    if (!baseFile().isEmpty())
        paths << baseFile();
    if (!tunedFile().isEmpty() && tunedFile() != baseFile())
        paths << tunedFile();
    struct Result {
        QList<BehaviourModel> models;
        QStringList errors;
    };
    runLatestInBackground(
        this, m_loadGeneration,
        [paths] {
            Result r;
            for (const QString& p : paths) {
                try {
                    r.models << loadBehaviourModel(p);
                } catch (const std::exception& e) {
                    r.errors << QString::fromUtf8(e.what());
                }
            }
            // Two runs' files of the same name would get one label: name them by file as well.
            if (r.models.size() == 2 && r.models[0].label == r.models[1].label)
                for (BehaviourModel& m : r.models)
                    m.label = QFileInfo(QString::fromStdString(m.data.path)).completeBaseName();
            return r;
        },
        [this](Result r) {
            m_models = r.models;
            QStringList notes = r.errors;
            notes << behaviourMismatchNotes(m_models);
            m_note->setText(notes.join(QLatin1Char('\n')));
            m_note->setVisible(!notes.isEmpty());
            redraw();
            Q_EMIT shown();
        });
}

void BehaviourView::redraw()
{
    for (Page& page : m_pageList) {
        QString why;
        if (m_models.isEmpty())
            why = tr("No behaviour file is chosen.");
        else if (page.kind == QLatin1String("corruption-heatmap") && m_models.size() < 2)
            why = tr("The heat map shows tuned − baseline accuracy: choose a tuned model's file too.");
        if (why.isEmpty()) {
            try {
                plotBehaviourFigure(page.plot, page.kind, m_models);
            } catch (const Error& e) {
                why = QString::fromUtf8(e.what());
            }
        }
        page.note->setText(why);
        page.note->setVisible(!why.isEmpty());
        page.plot->setVisible(why.isEmpty());
        if (why.isEmpty())
            page.plot->replot();
    }
}

} // namespace repalign::gui
