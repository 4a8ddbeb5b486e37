#include "jobdock.h"

#include "jobqueuemodel.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPainter>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace repalign::gui {

namespace {
/// Draws the progress column as a thin bar with the percentage.
class ProgressDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::paint(p, option, QModelIndex());
        const QString state = index.data(JobQueueModel::StateRole).toString();
        if (state == QLatin1String("queued"))
            return;
        const double f = std::clamp(index.data(JobQueueModel::ProgressRole).toDouble(), 0.0, 1.0);
        QRect r = option.rect.adjusted(4, option.rect.height() / 2 + 3, -4, -3);
        p->save();
        p->setPen(Qt::NoPen);
        p->setBrush(QColor(225, 225, 225));
        p->drawRoundedRect(r, 2, 2);
        JobStatus status = JobStatus::Finished; // queued/running: the "finished" colour
        parseJobStatus(state.toStdString(), status);
        const QColor fill = status == JobStatus::Failed || status == JobStatus::Diverged ? QColor(213, 94, 0)
                            : status == JobStatus::Cancelled                             ? QColor(150, 150, 150)
                                                                                        : QColor(0, 114, 178);
        p->setBrush(fill);
        p->drawRoundedRect(QRect(r.left(), r.top(), static_cast<int>(r.width() * f), r.height()), 2, 2);
        p->setPen(option.palette.color(QPalette::Text));
        p->drawText(option.rect.adjusted(4, 0, -4, -option.rect.height() / 2 + 4), Qt::AlignLeft | Qt::AlignVCenter,
                    index.data().toString());
        p->restore();
    }
};
} // namespace

JobDock::JobDock(JobQueueModel* model, QWidget* parent) : QDockWidget(tr("Jobs"), parent), m_model(model)
{
    setObjectName(QStringLiteral("JobDock"));
    m_table = new QTableView;
    m_table->setModel(model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(JobQueueModel::TitleColumn, 280);
    m_table->horizontalHeader()->resizeSection(JobQueueModel::StateColumn, 80);
    m_table->horizontalHeader()->resizeSection(JobQueueModel::ProgressColumn, 110);
    m_table->setItemDelegateForColumn(JobQueueModel::ProgressColumn, new ProgressDelegate(m_table));
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 12);

    m_log = new QPlainTextEdit;
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("Job log"));

    auto* cancel = new QToolButton;
    cancel->setIcon(QIcon(QStringLiteral(":/icons/cancel.svg")));
    cancel->setText(tr("Cancel"));
    cancel->setToolTip(tr("Cancel the selected job (or the running one)"));
    cancel->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto* cancelAll = new QToolButton;
    cancelAll->setText(tr("Cancel all"));
    auto* clear = new QToolButton;
    clear->setText(tr("Clear finished"));
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(cancel);
    buttons->addWidget(cancelAll);
    buttons->addWidget(clear);
    buttons->addStretch();
    for (QToolButton* b : {cancel, cancelAll, clear})
        b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

    auto* queueBox = new QWidget;
    auto* ql = new QHBoxLayout(queueBox);
    ql->setContentsMargins(0, 0, 0, 0);
    ql->addWidget(m_table, 1);
    ql->addLayout(buttons);

    auto* split = new QSplitter;
    split->addWidget(queueBox);
    split->addWidget(m_log);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    setWidget(split);

    connect(cancel, &QToolButton::clicked, this, [this] {
        const QModelIndex idx = m_table->currentIndex();
        if (idx.isValid())
            m_model->cancel(idx.data(JobQueueModel::IdRole).toInt());
        else
            m_model->cancelCurrent();
    });
    connect(cancelAll, &QToolButton::clicked, m_model, &JobQueueModel::cancelAll);
    connect(clear, &QToolButton::clicked, m_model, &JobQueueModel::clearFinished);
    connect(m_model, &JobQueueModel::logLine, this, [this](int id, int level, const QString& line) {
        appendLog(QStringLiteral("[%1] %2").arg(m_model->jobTitle(id), line), level);
    });
    connect(m_model, &JobQueueModel::jobStarted, this, [this](int, const QString& title, const QString&) {
        appendLog(tr("Started: %1").arg(title), 1);
    });
    connect(m_model, &JobQueueModel::jobFinished, this, [this](int id, const QString& state, const QString& message) {
        JobStatus status = JobStatus::Failed;
        parseJobStatus(state.toStdString(), status);
        const int level = status == JobStatus::Finished ? 1 : (status == JobStatus::Cancelled ? 2 : 3);
        appendLog(tr("%1: %2 %3").arg(m_model->jobTitle(id), state, message), level);
    });
}

void JobDock::appendLog(const QString& line, int level)
{
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    const QString color = level >= 3 ? QStringLiteral("#c0392b") : level == 2 ? QStringLiteral("#b7791f") : level == 1 ? QStringLiteral("#1f5f8b") : QString();
    const QString escaped = line.toHtmlEscaped();
    m_log->appendHtml(color.isEmpty() ? QStringLiteral("<span style='color:#888'>%1</span> %2").arg(time, escaped)
                                      : QStringLiteral("<span style='color:#888'>%1</span> <span style='color:%2'>%3</span>").arg(time, color, escaped));
}

} // namespace repalign::gui
