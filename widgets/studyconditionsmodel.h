#pragma once
/// @file studyconditionsmodel.h
/// The Study tab's live table of conditions: one row per run of the plan with its stage,
/// state, progress and message, read from the study folder (studyStatus) off the UI thread and
/// updated in place (selection and scroll position survive each poll).
#include <QStandardItemModel>

#include <memory>
#include <vector>

namespace repalign {
struct StudyPlan;
enum class StudyStage;
} // namespace repalign

namespace repalign::gui {

class StudyConditionsModel : public QStandardItemModel {
    Q_OBJECT
public:
    explicit StudyConditionsModel(QObject* parent = nullptr);

    /// What one poll of the study folder found (built off the UI thread by read()).
    struct Status {
        std::shared_ptr<const StudyPlan> plan; ///< @p plan of read(), or the folder's plan
        /// name, stage, state, progress %, message, run dir, analysis, baseline analysis
        std::vector<std::vector<QString>> rows;
        QString finished; ///< the finished analyses, one name a line
        QString error;
    };
    /// The conditions' states in @p folder (its plan.tsv when @p plan is null). Never throws.
    static Status read(std::shared_ptr<const StudyPlan> plan, const std::string& folder);
    /// Shows @p rows (from read()), changing only the cells whose text changed.
    void setRows(const std::vector<std::vector<QString>>& rows);

    /// The condition's stage (Train for a row that does not exist).
    StudyStage stage(int row) const;
    QString runDir(int row) const;
    /// The condition's analysis file (analyze stage), and its baseline's (empty when none).
    QString analysis(int row) const;
    QString baselineAnalysis(int row) const;
};

} // namespace repalign::gui
