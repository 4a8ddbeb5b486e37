#include "jobdock.h"

#include "jobqueuemodel.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QPainter>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStyle>
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
        const RunState state = index.data(JobQueueModel::StateRole).value<RunState>();
        if (state == RunState::Queued)
            return;
        const double f = std::clamp(index.data(JobQueueModel::ProgressRole).toDouble(), 0.0, 1.0);
        QRect r = option.rect.adjusted(4, option.rect.height() / 2 + 3, -4, -3);
        p->save();
        p->setPen(Qt::NoPen);
        p->setBrush(QColor(225, 225, 225));
        p->drawRoundedRect(r, 2, 2);
        JobStatus status = JobStatus::Finished; // running: the "finished" colour
        jobStatusOf(state, status);
        const QColor fill = status == JobStatus::Failed || status == JobStatus::Diverged ? QColor(213, 94, 0)
            : status == JobStatus::Cancelled                                             ? QColor(150, 150, 150)
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

JobDock::JobDock(JobQueueModel* model, QWidget* parent)
    : QDockWidget(tr("Jobs"), parent)
    , m_model(model)
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
    m_content = split;
    m_placeholder = new QWidget(this);
    m_placeholder->setFixedHeight(0);
    m_placeholder->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_placeholder->hide();
    setWidget(split);

    // The title strip: name, what is running or ran last, show/hide, close.
    auto* strip = new QWidget;
    auto* sl = new QHBoxLayout(strip);
    sl->setContentsMargins(6, 2, 2, 2);
    auto* name = new QLabel(tr("Jobs"));
    QFont bold = name->font();
    bold.setBold(true);
    name->setFont(bold);
    m_summary = new QLabel;
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_summary->setTextFormat(Qt::PlainText);
    m_toggle = new QToolButton;
    m_toggle->setAutoRaise(true);
    m_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto* close = new QToolButton;
    close->setAutoRaise(true);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setToolTip(tr("Close the job dock (View ▸ Jobs shows it again)"));
    sl->addWidget(name);
    sl->addSpacing(8);
    sl->addWidget(m_summary, 1);
    sl->addWidget(m_toggle);
    sl->addWidget(close);
    setTitleBarWidget(strip);
    connect(m_toggle, &QToolButton::clicked, this, [this] { setCollapsed(!m_collapsed); });
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    setSummary(tr("No job running"));
    setCollapsed(true);

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
        const int queued = m_model->pendingCount();
        setSummary(queued > 0 ? tr("Running: %1 (%n more queued)", nullptr, queued).arg(title) : tr("Running: %1").arg(title));
        m_lastFailed = false;
        setCollapsed(false);
    });
    connect(m_model, &JobQueueModel::jobFinished, this, [this](int id, RunState state, const QString& message) {
        const int level = state == RunState::Finished ? 1 : (state == RunState::Cancelled ? 2 : 3);
        const QString label = JobQueueModel::stateLabel(state);
        appendLog(tr("%1: %2 %3").arg(m_model->jobTitle(id), label, message), level);
        setSummary(tr("Last: %1 %2").arg(m_model->jobTitle(id), label));
        m_lastFailed = level >= 3;
    });
    // Nothing left to run: back to the strip, unless the last job failed and its log matters.
    connect(m_model, &JobQueueModel::idle, this, [this] {
        if (!m_lastFailed)
            setCollapsed(true);
    });
}

QString JobDock::summary() const
{
    return m_summary->text();
}

void JobDock::setSummary(const QString& text)
{
    m_summaryBase = text;
    QString full = text;
    if (!m_elsewhere.isEmpty())
        full += tr(" · running elsewhere: %1").arg(m_elsewhere.join(QStringLiteral(", ")));
    m_summary->setText(full);
    m_summary->setToolTip(full);
}

void JobDock::setRunningElsewhere(const QStringList& runs)
{
    if (runs == m_elsewhere)
        return;
    m_elsewhere = runs;
    setSummary(m_summaryBase);
}

void JobDock::setCollapsed(bool collapsed)
{
    auto* window = qobject_cast<QMainWindow*>(parentWidget());
    if (collapsed && !m_collapsed && !isFloating() && height() > 60)
        m_expandedHeight = height();
    m_collapsed = collapsed;
    // Collapsed, the dock holds an empty strip of no height instead of the queue and log, so it
    // is as tall as its title strip; the queue and log are kept for when it opens again.
    QWidget* wanted = collapsed ? m_placeholder : m_content;
    if (widget() != wanted) {
        QWidget* old = widget();
        setWidget(wanted);
        if (old)
            old->hide();
        wanted->show();
    }
    m_toggle->setText(collapsed ? tr("Show") : tr("Hide"));
    m_toggle->setArrowType(collapsed ? Qt::UpArrow : Qt::DownArrow);
    m_toggle->setToolTip(collapsed ? tr("Show the job queue and log") : tr("Hide the job queue and log"));
    if (!collapsed && window && !isFloating() && isVisible())
        window->resizeDocks({this}, {m_expandedHeight}, Qt::Vertical);
}

void JobDock::appendLog(const QString& line, int level)
{
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    const QString color = level >= 3 ? QStringLiteral("#c0392b")
        : level == 2                 ? QStringLiteral("#b7791f")
        : level == 1                 ? QStringLiteral("#1f5f8b")
                                     : QString();
    const QString escaped = line.toHtmlEscaped();
    m_log->appendHtml(color.isEmpty()
            ? QStringLiteral("<span style='color:#888'>%1</span> %2").arg(time, escaped)
            : QStringLiteral("<span style='color:#888'>%1</span> <span style='color:%2'>%3</span>").arg(time, color, escaped));
}

} // namespace repalign::gui
