#pragma once
/// @file psychrunnerdialog.h
/// The in-app psychophysics runner: a full-screen dialog that runs a planned experiment
/// (`repalign-cli psych plan`, core/psych/psych.h) for one participant at the lab computer, in
/// the same order and with the same sides as the exported jsPsych experiment
/// (participantSchedule), and writes the same result format (writeResponsesCsv, source
/// "inapp") to <experiment>/results/inapp-<participant>.csv.
///
/// One trial: the k weakly activating references on the left, the k strongly activating on
/// the right, two query images in the middle. The participant picks the query that belongs with
/// the strongly activating references (F or Left = left, J or Right = right, or a click), then
/// rates confidence (1, 2, 3 or a click); the reaction times run from the first paint of the
/// trial and of the confidence prompt (QElapsedTimer). Practice trials come first and alone get
/// feedback; a break screen every N main/catch trials; Esc pauses (Space continues, Q quits).
///
/// Nothing answered is lost: the results file is rewritten atomically after every answer (on a
/// writer thread of its own, in order). Starting again with the same participant id continues
/// at the first unanswered trial of that participant's schedule (practice is not repeated once
/// done); an id whose schedule is complete is refused. Images are loaded off the UI thread, all
/// of them before the first trial, with a progress bar.
#include <QDialog>
#include <QElapsedTimer>
#include <QImage>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QThreadPool;
class QTimer;

namespace repalign::psych {
struct PsychPlan;
struct PsychResponse;
struct Presentation;
} // namespace repalign::psych

namespace repalign::gui {

class PsychCanvas;

class PsychRunnerDialog : public QDialog {
    Q_OBJECT
public:
    enum class Stage { Setup, Loading, Instructions, Choice, Confidence, Feedback, Interval, Break, Paused, Finished };
    Q_ENUM(Stage)

    /// @p planDir: the experiment folder to offer first (read in the background); @p startDir: a
    /// folder (the project) searched for plan.json files and where Browse… starts.
    explicit PsychRunnerDialog(const QString& planDir = {}, const QString& startDir = {}, QWidget* parent = nullptr);
    ~PsychRunnerDialog() override;

    /// Reads <dir>/plan.json in the background; the setup page says what it holds or why not.
    void setPlanFolder(const QString& dir);
    QString planFolder() const;
    /// True once the chosen plan was read.
    bool planReady() const;
    void setParticipant(const QString& id);
    /// A break screen after every @p trials main/catch trials (0: none). Default 40.
    void setPauseEvery(int trials);
    /// Blank screen between trials and the practice feedback's duration (defaults 500 and 1200 ms).
    void setTimings(int intervalMs, int feedbackMs);
    /// "Start" of the setup page: false (and the setup note says why) when it cannot start.
    bool start();

    Stage stage() const { return m_stage; }
    /// The schedule position of the trial shown (or next to show).
    int position() const { return m_pos; }
    int answered() const;
    int total() const;
    QString resultsPath() const;
    QString setupNote() const;
    /// The text of the instructions, break, pause or end screen shown.
    QString screenText() const;
    QLineEdit* participantEdit() const { return m_participant; }
    QPushButton* startButton() const { return m_start; }
    QWidget* canvas() const;
    /// Where a query image (or a confidence button, 1..3) is drawn in canvas() coordinates: the click targets.
    QRect queryRect(bool left) const;
    QRect confidenceRect(int confidence) const;
    /// Waits until every answer given so far is on disk.
    void flushResults();

Q_SIGNALS:
    void stageChanged(repalign::gui::PsychRunnerDialog::Stage stage);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void reject() override;

private:
    struct LoadResult;
    void setStage(Stage stage);
    void updateSetup();
    void onLoaded(const std::shared_ptr<LoadResult>& result);
    void showText(Stage stage, const QString& text);
    void showTrial();
    void choose(bool left);
    void rate(int confidence);
    void afterTrial();
    void pause();
    void resume();
    void finish();
    void quit();
    void saveResults();
    void afterDelay(int ms, std::function<void()> action);
    int nextPosition() const;
    bool isPractice(int position) const;
    int mainAnswered() const;
    int mainTotal() const;
    void onCanvasPainted();
    void onCanvasClicked(const QPoint& pos);

    // setup page
    QComboBox* m_plans;
    QLabel* m_planInfo;
    QLineEdit* m_participant;
    QSpinBox* m_pauseEvery;
    QLabel* m_resume;
    QLabel* m_setupNote;
    QPushButton* m_start;
    // loading page
    QLabel* m_loadingText;
    QProgressBar* m_loadingBar;
    QTimer* m_loadingPoll;
    QStackedWidget* m_pages;
    PsychCanvas* m_canvas;

    std::shared_ptr<psych::PsychPlan> m_plan;
    QString m_planError;
    int m_planGeneration = 0;
    QString m_startDir;
    QString m_id;
    std::vector<psych::Presentation> m_schedule;
    std::vector<bool> m_done;
    std::vector<psych::PsychResponse> m_responses;
    std::vector<QImage> m_images; ///< by image index
    std::vector<std::vector<int>> m_trialImages; ///< per plan trial: maxRefs..., minRefs..., queryMax, queryMin
    Stage m_stage = Stage::Setup;
    Stage m_pausedFrom = Stage::Setup;
    QString m_pausedText; ///< the text screen Esc paused
    int m_pos = -1;
    bool m_choseLeft = true;
    double m_rtMs = 0;
    bool m_onsetPending = false;
    QElapsedTimer m_onset;
    QElapsedTimer m_confidenceOnset;
    int m_intervalMs = 500;
    int m_feedbackMs = 1200;
    QTimer* m_timer;
    std::function<void()> m_timerAction;
    QThreadPool* m_writer;
    QString m_writeError;
    std::shared_ptr<std::atomic<bool>> m_cancelLoad;
};

/// Opens the runner (full screen, modal) over @p parent; @p startDir is searched for plans.
void runPsychExperiment(QWidget* parent, const QString& startDir, const QString& planDir = {});

} // namespace repalign::gui
