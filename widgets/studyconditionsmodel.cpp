#include "studyconditionsmodel.h"

#include "pipeline/study.h"

namespace repalign::gui {

namespace {

enum ConditionRole { RunDirRole = Qt::UserRole + 1, StageRole, AnalysisRole, BaselineAnalysisRole };

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

StudyConditionsModel::StudyConditionsModel(QObject* parent)
    : QStandardItemModel(0, 5, parent)
{
    setHorizontalHeaderLabels({tr("Condition"), tr("Stage"), tr("State"), tr("Progress %"), tr("Message")});
}

StudyConditionsModel::Status StudyConditionsModel::read(std::shared_ptr<const StudyPlan> plan, const std::string& folder)
{
    Status r;
    try {
        if (!plan)
            plan = std::make_shared<const StudyPlan>(readStudyFolder(folder));
        r.plan = plan;
        for (const StudyRunState& s : studyStatus(*plan)) {
            const StudyRun* run = plan->find(s.name);
            const QString analysis = s.stage == StudyStage::Analyze ? qs(plan->analysisPath(s.name)) : QString();
            const QString baseline
                = run && !run->baselineAnalysis.empty() ? qs(plan->analysisPath(run->baselineAnalysis)) : QString();
            r.rows.push_back({qs(s.name), QString::fromLatin1(toString(s.stage)), qs(s.stateText()),
                QString::number(100.0 * s.progress, 'f', 0), qs(s.message), qs(plan->runDir(s.name)), analysis, baseline});
            if (s.stage == StudyStage::Analyze && s.state == RunState::Finished)
                r.finished += qs(s.name) + QLatin1Char('\n');
        }
    } catch (const std::exception& e) {
        r.error = qs(e.what());
    }
    return r;
}

void StudyConditionsModel::setRows(const std::vector<std::vector<QString>>& rows)
{
    if (rowCount() != static_cast<int>(rows.size()))
        setRowCount(static_cast<int>(rows.size()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        const auto& row = rows[static_cast<std::size_t>(r)];
        for (int c = 0; c < 5; ++c) {
            QStandardItem* cell = item(r, c);
            if (!cell) {
                cell = new QStandardItem;
                setItem(r, c, cell);
            }
            if (cell->text() != row[static_cast<std::size_t>(c)])
                cell->setText(row[static_cast<std::size_t>(c)]);
        }
        QStandardItem* first = item(r, 0);
        first->setData(row[5], RunDirRole);
        first->setData(row[1], StageRole);
        first->setData(row[6], AnalysisRole);
        first->setData(row[7], BaselineAnalysisRole);
    }
}

StudyStage StudyConditionsModel::stage(int row) const
{
    StudyStage stage = StudyStage::Train;
    parseStudyStage(index(row, 0).data(StageRole).toString().toStdString(), stage);
    return stage;
}

QString StudyConditionsModel::runDir(int row) const
{
    return index(row, 0).data(RunDirRole).toString();
}

QString StudyConditionsModel::analysis(int row) const
{
    return index(row, 0).data(AnalysisRole).toString();
}

QString StudyConditionsModel::baselineAnalysis(int row) const
{
    return index(row, 0).data(BaselineAnalysisRole).toString();
}

} // namespace repalign::gui
