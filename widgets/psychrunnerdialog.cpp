#include "psychrunnerdialog.h"

#include "background.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "psych/psych.h"
#include "psych/psych_internal.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QStackedWidget>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

namespace repalign::gui {

// ---- the stimulus screen ----------------------------------------------------------------------

/// Paints the experiment on a grey background: text screens, the fixation cross and the trial.
class PsychCanvas : public QWidget {
public:
    enum class Mode { Text, Fixation, Trial };
    enum class Phase { Choice, Confidence, Feedback };

    explicit PsychCanvas(QWidget* parent = nullptr)
        : QWidget(parent)
    {
        setAutoFillBackground(false);
        setFocusPolicy(Qt::StrongFocus);
        setMouseTracking(false);
    }

    Mode mode = Mode::Text;
    Phase phase = Phase::Choice;
    QString text;
    QString status; ///< bottom line: progress, practice
    QString error; ///< a failed save, in red at the bottom
    std::vector<const QImage*> maxRefs, minRefs;
    const QImage* left = nullptr;
    const QImage* right = nullptr;
    bool correctOnLeft = true, choseLeft = true;
    std::function<void()> painted;
    std::function<void(const QPoint&)> clicked;

    /// Where the parts of a trial go for the current size (also the click targets).
    struct Geometry {
        QRectF minPanel, maxPanel, left, right;
        std::vector<QRectF> minCells, maxCells, confidence;
        QRectF heading, keys, prompt;
        double fontPx = 16;
    };
    Geometry geometry() const
    {
        Geometry g;
        const double w = width(), h = height();
        g.fontPx = std::clamp(h / 38.0, 13.0, 40.0);
        const double top = h * 0.16, bottom = h * 0.78;
        const double areaH = bottom - top;
        g.minPanel = QRectF(w * 0.02, top, w * 0.30, areaH);
        g.maxPanel = QRectF(w * 0.68, top, w * 0.30, areaH);
        const int k = static_cast<int>(std::max(maxRefs.size(), minRefs.size()));
        const int cols = std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(std::max(1, k))))));
        const int rows = std::max(1, (std::max(1, k) + cols - 1) / cols);
        const QSize native = imageSize();
        const double step = std::max(1, std::max(native.width(), native.height()));
        // The queries first: the largest images, so the references are at least one step smaller.
        const double centreW = g.maxPanel.left() - g.minPanel.right();
        const double q = shownSide(std::min(centreW * 0.40, areaH * 0.55), native);
        auto grid = [&](const QRectF& panel, std::size_t n) {
            std::vector<QRectF> cells;
            const double cell = std::min((panel.width() - 8) / cols, (panel.height() - 8) / rows);
            const double side = std::min(shownSide(cell * 0.9, native), std::max(step, q - step));
            const double gridW = cols * cell, gridH = rows * cell;
            const QPointF origin(panel.center().x() - gridW / 2, panel.center().y() - gridH / 2);
            for (std::size_t i = 0; i < n; ++i) {
                const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
                const QPointF centre(origin.x() + (c + 0.5) * cell, origin.y() + (r + 0.5) * cell);
                cells.emplace_back(centre.x() - side / 2, centre.y() - side / 2, side, side);
            }
            return cells;
        };
        g.minCells = grid(g.minPanel, minRefs.size());
        g.maxCells = grid(g.maxPanel, maxRefs.size());
        const double gap = std::max(q * 0.2, g.fontPx * 1.5);
        const double qy = top + areaH * 0.40 - q / 2;
        g.left = QRectF(w / 2 - gap / 2 - q, qy, q, q);
        g.right = QRectF(w / 2 + gap / 2, qy, q, q);
        g.heading = QRectF(w * 0.02, h * 0.03, w * 0.96, top - h * 0.05);
        g.keys = QRectF(g.left.left(), g.left.bottom() + g.fontPx * 0.4, g.right.right() - g.left.left(), g.fontPx * 1.6);
        g.prompt
            = QRectF(g.minPanel.right() + g.fontPx * 0.5, g.keys.bottom() + g.fontPx * 0.4, centreW - g.fontPx, g.fontPx * 2.6);
        const double boxW = g.fontPx * 5.2, boxH = g.fontPx * 2.8;
        const double boxesY = g.prompt.bottom() + g.fontPx * 0.4;
        for (int i = 0; i < 3; ++i)
            g.confidence.emplace_back(w / 2 + (i - 1) * (boxW + g.fontPx * 0.8) - boxW / 2, boxesY, boxW, boxH);
        return g;
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.fillRect(rect(), QColor(128, 128, 128));
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::TextAntialiasing);
        const Geometry g = geometry();
        QFont f = font();
        f.setPixelSize(static_cast<int>(std::lround(g.fontPx)));
        p.setFont(f);
        const QColor ink(20, 20, 20);
        p.setPen(ink);
        if (mode == Mode::Text) {
            const QRectF box(width() * 0.15, height() * 0.15, width() * 0.70, height() * 0.70);
            p.drawText(box, Qt::AlignCenter | Qt::TextWordWrap, text);
        } else if (mode == Mode::Fixation) {
            const double s = g.fontPx;
            p.setPen(QPen(ink, std::max(2.0, s / 8)));
            const QPointF c = rect().center();
            p.drawLine(QPointF(c.x() - s / 2, c.y()), QPointF(c.x() + s / 2, c.y()));
            p.drawLine(QPointF(c.x(), c.y() - s / 2), QPointF(c.x(), c.y() + s / 2));
        } else {
            paintTrial(p, g, f);
        }
        QFont small = f;
        small.setPixelSize(std::max(11, static_cast<int>(std::lround(g.fontPx * 0.7))));
        p.setFont(small);
        p.setPen(QColor(45, 45, 45));
        const QRectF statusRect(width() * 0.02, height() - g.fontPx * 1.8, width() * 0.96, g.fontPx * 1.4);
        p.drawText(statusRect, Qt::AlignLeft | Qt::AlignVCenter, status);
        if (!error.isEmpty()) {
            p.setPen(QColor(150, 0, 0));
            p.drawText(statusRect, Qt::AlignRight | Qt::AlignVCenter, error);
        }
        if (painted)
            painted();
    }
    void mousePressEvent(QMouseEvent* event) override
    {
        if (clicked && event->button() == Qt::LeftButton)
            clicked(event->position().toPoint());
    }

private:
    QSize imageSize() const
    {
        for (const QImage* im : {left, right})
            if (im && !im->isNull())
                return im->size();
        return QSize(32, 32);
    }
    /// Small images go up by a whole factor (nearest neighbour keeps their pixels sharp);
    /// larger ones fit the cell.
    static double shownSide(double cell, QSize native)
    {
        const double n = std::max(1, std::max(native.width(), native.height()));
        if (cell >= n)
            return n * std::floor(cell / n);
        return std::max(8.0, cell);
    }
    static void drawImage(QPainter& p, const QRectF& r, const QImage* image)
    {
        if (!image || image->isNull())
            return;
        p.setRenderHint(QPainter::SmoothPixmapTransform, r.width() < image->width());
        p.drawImage(r, *image);
    }
    void paintTrial(QPainter& p, const Geometry& g, const QFont& f)
    {
        const QColor ink(20, 20, 20);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(118, 118, 118));
        p.drawRoundedRect(g.minPanel, 8, 8);
        p.drawRoundedRect(g.maxPanel, 8, 8);
        // The exported experiment's colours: weakly activating blue, strongly activating orange.
        const QColor minColour(0x2b, 0x6c, 0xb0), maxColour(0xc0, 0x56, 0x21);
        auto outline = [&](const QRectF& r, const QColor& c) {
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(c, 2));
            p.drawRect(r.adjusted(-2, -2, 2, 2));
        };
        for (std::size_t i = 0; i < g.minCells.size(); ++i) {
            drawImage(p, g.minCells[i], minRefs[i]);
            outline(g.minCells[i], minColour);
        }
        for (std::size_t i = 0; i < g.maxCells.size(); ++i) {
            drawImage(p, g.maxCells[i], maxRefs[i]);
            outline(g.maxCells[i], maxColour);
        }
        drawImage(p, g.left, left);
        drawImage(p, g.right, right);
        QFont bold = f;
        bold.setBold(true);
        p.setFont(bold);
        const double labelH = g.fontPx * 1.6;
        p.setPen(minColour.darker(150));
        p.drawText(QRectF(g.minPanel.left(), g.minPanel.top() - labelH, g.minPanel.width(), labelH), Qt::AlignCenter,
            PsychRunnerDialog::tr("Weakly activating"));
        p.setPen(maxColour.darker(150));
        p.drawText(QRectF(g.maxPanel.left(), g.maxPanel.top() - labelH, g.maxPanel.width(), labelH), Qt::AlignCenter,
            PsychRunnerDialog::tr("Strongly activating"));
        p.setPen(ink);
        p.setFont(f);
        p.drawText(g.heading, Qt::AlignCenter | Qt::TextWordWrap,
            PsychRunnerDialog::tr("Which image in the middle belongs with the strongly activating images on the right?"));
        auto frame = [&](const QRectF& r, const QColor& c) {
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(c, std::max(3.0, g.fontPx / 5)));
            p.drawRect(r.adjusted(-6, -6, 6, 6));
        };
        if (phase == Phase::Choice) {
            p.setFont(bold);
            p.setPen(ink);
            p.drawText(QRectF(g.left.left(), g.keys.top(), g.left.width(), g.keys.height()), Qt::AlignCenter,
                PsychRunnerDialog::tr("F"));
            p.drawText(QRectF(g.right.left(), g.keys.top(), g.right.width(), g.keys.height()), Qt::AlignCenter,
                PsychRunnerDialog::tr("J"));
            p.setFont(f);
            p.drawText(g.prompt, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap,
                PsychRunnerDialog::tr("F or ← for the left image, J or → for the right one"));
        } else if (phase == Phase::Confidence) {
            frame(choseLeft ? g.left : g.right, QColor(255, 214, 0));
            p.setPen(ink);
            p.drawText(g.prompt, Qt::AlignCenter | Qt::TextWordWrap, PsychRunnerDialog::tr("How sure are you? Press 1, 2 or 3"));
            const QString labels[3] = {
                PsychRunnerDialog::tr("1\nguessing"), PsychRunnerDialog::tr("2\nfairly sure"), PsychRunnerDialog::tr("3\nsure")};
            QFont boxFont = f;
            boxFont.setPixelSize(std::max(11, static_cast<int>(std::lround(g.fontPx * 0.8))));
            p.setFont(boxFont);
            for (int i = 0; i < 3; ++i) {
                p.setPen(QPen(QColor(60, 60, 60), 1.5));
                p.setBrush(QColor(150, 150, 150));
                p.drawRoundedRect(g.confidence[static_cast<std::size_t>(i)], 6, 6);
                p.setPen(ink);
                p.drawText(g.confidence[static_cast<std::size_t>(i)], Qt::AlignCenter, labels[i]);
            }
        } else {
            const bool right = choseLeft == correctOnLeft;
            frame(correctOnLeft ? g.left : g.right, QColor(0, 150, 60));
            QFont big = bold;
            p.setFont(big);
            p.setPen(right ? QColor(0, 110, 40) : QColor(150, 0, 0));
            p.drawText(g.prompt.adjusted(0, 0, 0, g.fontPx * 2), Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap,
                right ? PsychRunnerDialog::tr("Correct!")
                      : PsychRunnerDialog::tr("Not quite: the framed image is the strongly activating one."));
        }
    }
};

// ---- the dialog -------------------------------------------------------------------------------

struct PsychRunnerDialog::LoadResult {
    std::vector<QImage> images;
    std::vector<std::vector<int>> trialImages;
    std::vector<psych::PsychResponse> previous;
    QString error;
};

namespace {

/// The answers already in @p path for @p id: rows of writeResponsesCsv, checked against the
/// participant's schedule (a file of another plan or participant is refused, never mixed in).
std::vector<psych::PsychResponse> readPrevious(const std::string& path, const std::string& id, const psych::PsychPlan& plan,
    const std::vector<psych::Presentation>& schedule)
{
    std::vector<psych::PsychResponse> out;
    if (!fileExists(path))
        return out;
    const auto rows = psych::parseCsv(readFileText(path), path);
    if (rows.empty())
        return out;
    std::map<std::string, std::size_t> col;
    for (std::size_t i = 0; i < rows[0].size(); ++i)
        col[rows[0][i]] = i;
    for (const char* name : {"participant", "trial_id", "position", "correct_side", "response", "correct", "confidence", "rt",
             "confidence_rt", "source"})
        if (!col.count(name))
            throw Error(path + ": no column '" + name + "' (not a results file of repalign psych)");
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        auto field = [&](const char* name) -> std::string {
            const std::size_t c = col[name];
            return c < row.size() ? row[c] : std::string();
        };
        const std::string where = path + ": row " + std::to_string(r + 1);
        psych::PsychResponse x;
        x.participant = field("participant");
        x.trialId = field("trial_id");
        x.source = field("source");
        try {
            x.position = std::stoi(field("position"));
            x.confidence = std::stoi(field("confidence"));
            x.rtMs = std::stod(field("rt"));
            x.confidenceRtMs = std::stod(field("confidence_rt"));
        } catch (const std::exception&) {
            throw Error(where + ": position, confidence, rt and confidence_rt must be numbers");
        }
        x.correctOnLeft = field("correct_side") == "left";
        x.choseLeft = field("response") == "left";
        x.correct = field("correct") == "1";
        if (x.participant != id)
            throw Error(where + ": participant '" + x.participant + "' is not '" + id + "'");
        if (x.position < 0 || x.position >= static_cast<int>(schedule.size()))
            throw Error(where + ": position " + std::to_string(x.position) + " is out of range (valid: 0.."
                + std::to_string(schedule.size() - 1) + ")");
        const psych::Presentation& s = schedule[static_cast<std::size_t>(x.position)];
        if (plan.trials[static_cast<std::size_t>(s.trial)].id != x.trialId || s.correctOnLeft != x.correctOnLeft)
            throw Error(where + ": trial '" + x.trialId + "' at position " + std::to_string(x.position)
                + " is not this plan's schedule for participant '" + id + "' (a results file of another plan?)");
        out.push_back(std::move(x));
    }
    return out;
}

QStringList findPlans(const QString& root)
{
    QStringList plans;
    if (root.isEmpty() || !QFileInfo(root).isDir())
        return plans;
    QDirIterator it(root, {QStringLiteral("plan.json")}, QDir::Files, QDirIterator::Subdirectories);
    const int depth = QDir(root).absolutePath().count(QLatin1Char('/'));
    while (it.hasNext() && plans.size() < 50) {
        const QString file = it.next();
        if (file.count(QLatin1Char('/')) - depth <= 4)
            plans << QFileInfo(file).absolutePath();
    }
    plans.sort();
    return plans;
}

} // namespace

PsychRunnerDialog::PsychRunnerDialog(const QString& planDir, const QString& startDir, QWidget* parent)
    : QDialog(parent)
    , m_startDir(startDir)
{
    setWindowTitle(tr("Psychophysics experiment"));
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        auto action = std::move(m_timerAction);
        m_timerAction = nullptr;
        if (action)
            action();
    });
    m_writer = new QThreadPool(this);
    m_writer->setMaxThreadCount(1); // answers are written in order
    m_cancelLoad = std::make_shared<std::atomic<bool>>(false);

    // Setup page.
    m_plans = new QComboBox;
    m_plans->setMinimumContentsLength(40);
    m_plans->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    auto* browse = new QPushButton(tr("Browse…"));
    m_planInfo = new QLabel;
    m_planInfo->setWordWrap(true);
    m_participant = new QLineEdit;
    m_participant->setPlaceholderText(tr("e.g. P01"));
    m_participant->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9_.@:+-]{0,128}")), m_participant));
    m_pauseEvery = new QSpinBox;
    m_pauseEvery->setRange(0, 1000);
    m_pauseEvery->setValue(40);
    m_pauseEvery->setSpecialValueText(tr("never"));
    m_pauseEvery->setSuffix(tr(" trials"));
    m_resume = new QLabel;
    m_resume->setWordWrap(true);
    m_setupNote = new QLabel;
    m_setupNote->setWordWrap(true);
    m_setupNote->setStyleSheet(QStringLiteral("color: #a00000;"));
    m_start = new QPushButton(tr("Start"));
    m_start->setDefault(true);
    auto* close = new QPushButton(tr("Close"));

    auto* setup = new QWidget;
    auto* form = new QFormLayout;
    auto* planRow = new QHBoxLayout;
    planRow->addWidget(m_plans, 1);
    planRow->addWidget(browse);
    form->addRow(tr("Experiment folder:"), planRow);
    form->addRow(tr("Participant id:"), m_participant);
    form->addRow(tr("Break every:"), m_pauseEvery);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(close);
    buttons->addWidget(m_start);
    auto* title = new QLabel(tr("Psychophysics experiment"));
    QFont tf = title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.6);
    tf.setBold(true);
    title->setFont(tf);
    auto* intro = new QLabel(tr("Runs a planned experiment (repalign-cli psych plan) for one participant at this computer, "
                                "full screen. Keys: F/J or ←/→ to choose, 1/2/3 for confidence, Esc to pause or quit. "
                                "Every answer is saved at once to the experiment's results folder; the same participant "
                                "id continues where it stopped."));
    intro->setWordWrap(true);
    auto* box = new QWidget;
    box->setMinimumWidth(640);
    box->setMaximumWidth(820);
    auto* boxLayout = new QVBoxLayout(box);
    boxLayout->addWidget(title);
    boxLayout->addWidget(intro);
    boxLayout->addSpacing(12);
    boxLayout->addLayout(form);
    boxLayout->addWidget(m_planInfo); // wrapped labels outside the form, which cuts them off
    boxLayout->addWidget(m_resume);
    boxLayout->addWidget(m_setupNote);
    boxLayout->addLayout(buttons);
    auto* setupLayout = new QVBoxLayout(setup);
    setupLayout->addStretch(1);
    setupLayout->addWidget(box, 0, Qt::AlignHCenter);
    setupLayout->addStretch(2);

    // Loading page.
    auto* loading = new QWidget;
    m_loadingText = new QLabel(tr("Loading the images…"));
    m_loadingText->setAlignment(Qt::AlignCenter);
    m_loadingBar = new QProgressBar;
    m_loadingBar->setMaximumWidth(480);
    auto* loadingLayout = new QVBoxLayout(loading);
    loadingLayout->addStretch(1);
    loadingLayout->addWidget(m_loadingText);
    loadingLayout->addWidget(m_loadingBar, 0, Qt::AlignHCenter);
    loadingLayout->addStretch(1);
    m_loadingPoll = new QTimer(this);
    m_loadingPoll->setInterval(50);

    m_canvas = new PsychCanvas;
    m_canvas->painted = [this] { onCanvasPainted(); };
    m_canvas->clicked = [this](const QPoint& pos) { onCanvasClicked(pos); };

    m_pages = new QStackedWidget;
    m_pages->addWidget(setup);
    m_pages->addWidget(loading);
    m_pages->addWidget(m_canvas);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);
    resize(1000, 700);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Choose an experiment folder (holding plan.json)"), planFolder().isEmpty() ? m_startDir : planFolder());
        if (!dir.isEmpty())
            setPlanFolder(dir);
    });
    connect(m_plans, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        if (i >= 0)
            setPlanFolder(m_plans->itemData(i).toString());
    });
    connect(m_participant, &QLineEdit::textChanged, this, &PsychRunnerDialog::updateSetup);
    connect(m_participant, &QLineEdit::returnPressed, this, &PsychRunnerDialog::start);
    connect(m_start, &QPushButton::clicked, this, &PsychRunnerDialog::start);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);

    if (!planDir.isEmpty())
        setPlanFolder(planDir);
    if (!startDir.isEmpty())
        runInBackground(
            this, [startDir] { return findPlans(startDir); },
            [this](const QStringList& plans) {
                QSignalBlocker block(m_plans);
                for (const QString& p : plans)
                    if (m_plans->findData(p) < 0)
                        m_plans->addItem(QDir::toNativeSeparators(p), p);
                block.unblock();
                if (planFolder().isEmpty() && m_plans->count() > 0)
                    setPlanFolder(m_plans->itemData(0).toString());
            });
    updateSetup();
}

PsychRunnerDialog::~PsychRunnerDialog()
{
    m_cancelLoad->store(true);
    m_writer->waitForDone();
}

QWidget* PsychRunnerDialog::canvas() const
{
    return m_canvas;
}

QRect PsychRunnerDialog::queryRect(bool left) const
{
    const PsychCanvas::Geometry g = m_canvas->geometry();
    return (left ? g.left : g.right).toRect();
}

QRect PsychRunnerDialog::confidenceRect(int confidence) const
{
    const PsychCanvas::Geometry g = m_canvas->geometry();
    return g.confidence[static_cast<std::size_t>(std::clamp(confidence, 1, 3) - 1)].toRect();
}

void PsychRunnerDialog::setPlanFolder(const QString& dir)
{
    const QString path = QFileInfo(dir).absoluteFilePath();
    {
        QSignalBlocker block(m_plans);
        int i = m_plans->findData(path);
        if (i < 0) {
            m_plans->addItem(QDir::toNativeSeparators(path), path);
            i = m_plans->count() - 1;
        }
        m_plans->setCurrentIndex(i);
    }
    m_plan.reset();
    m_planError.clear();
    m_planInfo->setText(tr("Reading plan.json…"));
    struct Result {
        std::shared_ptr<psych::PsychPlan> plan;
        QString error;
    };
    runLatestInBackground(
        this, m_planGeneration,
        [path] {
            Result r;
            try {
                r.plan = std::make_shared<psych::PsychPlan>(psych::readPlan(path.toStdString()));
            } catch (const std::exception& e) {
                r.error = QString::fromUtf8(e.what());
            }
            return r;
        },
        [this](Result r) {
            m_plan = r.plan;
            m_planError = r.error;
            updateSetup();
        });
}

QString PsychRunnerDialog::planFolder() const
{
    return m_plans->currentData().toString();
}

bool PsychRunnerDialog::planReady() const
{
    return m_plan != nullptr;
}

void PsychRunnerDialog::setParticipant(const QString& id)
{
    m_participant->setText(id);
}

void PsychRunnerDialog::setPauseEvery(int trials)
{
    m_pauseEvery->setValue(trials);
}

void PsychRunnerDialog::setTimings(int intervalMs, int feedbackMs)
{
    m_intervalMs = std::max(0, intervalMs);
    m_feedbackMs = std::max(0, feedbackMs);
}

QString PsychRunnerDialog::resultsPath() const
{
    const QString id = m_stage == Stage::Setup ? m_participant->text() : m_id;
    if (!m_plan || id.isEmpty())
        return {};
    return QDir(QString::fromStdString(m_plan->dir)).filePath(QStringLiteral("results/inapp-%1.csv").arg(id));
}

QString PsychRunnerDialog::setupNote() const
{
    return m_setupNote->text();
}

QString PsychRunnerDialog::screenText() const
{
    return m_canvas->mode == PsychCanvas::Mode::Text ? m_canvas->text : QString();
}

int PsychRunnerDialog::answered() const
{
    return static_cast<int>(std::count(m_done.begin(), m_done.end(), true));
}

int PsychRunnerDialog::total() const
{
    return static_cast<int>(m_schedule.size());
}

void PsychRunnerDialog::updateSetup()
{
    if (!m_planError.isEmpty()) {
        m_planInfo->setText(m_planError);
    } else if (m_plan) {
        int practice = 0, main = 0, catches = 0;
        for (const psych::PsychTrial& t : m_plan->trials)
            (t.kind == psych::TrialKind::Practice ? practice : t.kind == psych::TrialKind::Catch ? catches : main) += 1;
        m_planInfo->setText(tr("%1 trials: %2 practice, %3 main, %4 catch; %5 model(s), %6 reference images per side")
                                .arg(m_plan->trials.size())
                                .arg(practice)
                                .arg(main)
                                .arg(catches)
                                .arg(m_plan->models.size())
                                .arg(m_plan->k));
    } else if (planFolder().isEmpty()) {
        m_planInfo->setText(tr("Choose the folder written by repalign-cli psych plan --out DIR."));
    }
    const QString path = resultsPath();
    m_resume->setText(!path.isEmpty() && QFileInfo::exists(path)
            ? tr("%1 has answers already: the experiment continues at the first unanswered trial.")
                  .arg(QDir::toNativeSeparators(path))
            : QString());
    m_resume->setVisible(!m_resume->text().isEmpty());
    m_start->setEnabled(m_plan != nullptr && !m_participant->text().isEmpty());
}

bool PsychRunnerDialog::start()
{
    if (m_stage != Stage::Setup)
        return false;
    const QString id = m_participant->text().trimmed();
    auto refuse = [this](const QString& why) {
        m_setupNote->setText(why);
        return false;
    };
    if (!m_plan)
        return refuse(
            m_planError.isEmpty() ? tr("Choose an experiment folder first (repalign-cli psych plan --out DIR).") : m_planError);
    if (!psych::validParticipantId(id.toStdString()))
        return refuse(tr("Participant id '%1' is not valid (valid: 1 to 128 letters, digits and _ - . @ : +).").arg(id));
    m_setupNote->clear();
    m_id = id;
    m_schedule = psych::participantSchedule(*m_plan, id.toStdString());
    m_done.assign(m_schedule.size(), false);
    m_responses.clear();
    m_writeError.clear();
    setStage(Stage::Loading);
    m_pages->setCurrentIndex(1);

    // Every image of the plan once, off the UI thread, with the answers already given.
    auto plan = m_plan;
    const auto schedule = m_schedule;
    const std::string results = resultsPath().toStdString();
    const std::string idText = id.toStdString();
    auto progress = std::make_shared<std::atomic<int>>(0);
    std::size_t count = 0;
    for (const psych::PsychTrial& t : plan->trials)
        count += t.maxRefs.size() + t.minRefs.size() + 2;
    m_loadingBar->setRange(0, static_cast<int>(count));
    m_loadingBar->setValue(0);
    disconnect(m_loadingPoll, nullptr, this, nullptr);
    connect(m_loadingPoll, &QTimer::timeout, this, [this, progress] { m_loadingBar->setValue(progress->load()); });
    m_loadingPoll->start();
    auto cancel = m_cancelLoad;
    runInBackground(
        this,
        [plan, schedule, results, idText, progress, cancel] {
            auto r = std::make_shared<LoadResult>();
            try {
                r->previous = readPrevious(results, idText, *plan, schedule);
                std::map<std::string, int> index;
                const QDir dir(QString::fromStdString(plan->dir));
                for (const psych::PsychTrial& t : plan->trials) {
                    std::vector<const psych::PsychImage*> all;
                    for (const auto& im : t.maxRefs)
                        all.push_back(&im);
                    for (const auto& im : t.minRefs)
                        all.push_back(&im);
                    all.push_back(&t.queryMax);
                    all.push_back(&t.queryMin);
                    std::vector<int> ids;
                    for (const psych::PsychImage* im : all) {
                        if (cancel->load())
                            return r;
                        auto [it, added] = index.emplace(im->file, static_cast<int>(r->images.size()));
                        if (added) {
                            const QString file = dir.filePath(QString::fromStdString(im->file));
                            QImage image(file);
                            if (image.isNull())
                                throw Error("image '" + file.toStdString() + "' of trial '" + t.id
                                    + "' cannot be read (missing or not an image); export the plan again");
                            r->images.push_back(image.convertToFormat(QImage::Format_RGB32));
                        }
                        ids.push_back(it->second);
                        progress->fetch_add(1);
                    }
                    r->trialImages.push_back(std::move(ids));
                }
            } catch (const std::exception& e) {
                r->error = QString::fromUtf8(e.what());
            }
            return r;
        },
        [this](std::shared_ptr<LoadResult> r) { onLoaded(r); });
    return true;
}

void PsychRunnerDialog::onLoaded(const std::shared_ptr<LoadResult>& r)
{
    m_loadingPoll->stop();
    if (!r->error.isEmpty()) {
        m_setupNote->setText(r->error);
        m_pages->setCurrentIndex(0);
        setStage(Stage::Setup);
        return;
    }
    m_images = std::move(r->images);
    m_trialImages = std::move(r->trialImages);
    m_responses = std::move(r->previous);
    for (const psych::PsychResponse& x : m_responses)
        m_done[static_cast<std::size_t>(x.position)] = true;
    m_pos = nextPosition();
    if (m_pos < 0) {
        m_setupNote->setText(tr("Participant '%1' has answered all %2 trials already (%3); choose another participant id.")
                                 .arg(m_id)
                                 .arg(m_schedule.size())
                                 .arg(QDir::toNativeSeparators(resultsPath())));
        m_pages->setCurrentIndex(0);
        setStage(Stage::Setup);
        return;
    }
    m_pages->setCurrentIndex(2);
    m_canvas->setFocus();
    const int done = answered();
    QString text;
    if (done > 0)
        text = tr("Welcome back. %1 of %2 trials are done; the experiment continues where it stopped.\n\n"
                  "Press the space bar to continue.")
                   .arg(done)
                   .arg(m_schedule.size());
    else
        text = tr("In each trial you see two sets of images: on the right, images that strongly activate one unit "
                  "of a neural network; on the left, images that activate it weakly. Which of the two images in the "
                  "middle belongs with the strongly activating images on the right?\n\n"
                  "Press F (or ←) for the left image and J (or →) for the right one, or click it. Then say how sure "
                  "you are: 1 = guessing, 2 = fairly sure, 3 = sure.\n\n");
    if (isPractice(m_pos))
        text += tr("First a few practice trials, with feedback. Press the space bar to start.");
    else if (done == 0)
        text += tr("Press the space bar to start.");
    showText(Stage::Instructions, text);
}

void PsychRunnerDialog::setStage(Stage stage)
{
    if (m_stage == stage)
        return;
    m_stage = stage;
    Q_EMIT stageChanged(stage);
}

int PsychRunnerDialog::nextPosition() const
{
    for (std::size_t i = 0; i < m_done.size(); ++i)
        if (!m_done[i])
            return static_cast<int>(i);
    return -1;
}

bool PsychRunnerDialog::isPractice(int position) const
{
    if (!m_plan || position < 0 || position >= static_cast<int>(m_schedule.size()))
        return false;
    return m_plan->trials[static_cast<std::size_t>(m_schedule[static_cast<std::size_t>(position)].trial)].kind
        == psych::TrialKind::Practice;
}

int PsychRunnerDialog::mainTotal() const
{
    int n = 0;
    for (std::size_t i = 0; i < m_schedule.size(); ++i)
        n += isPractice(static_cast<int>(i)) ? 0 : 1;
    return n;
}

int PsychRunnerDialog::mainAnswered() const
{
    int n = 0;
    for (std::size_t i = 0; i < m_done.size(); ++i)
        n += m_done[i] && !isPractice(static_cast<int>(i)) ? 1 : 0;
    return n;
}

void PsychRunnerDialog::afterDelay(int ms, std::function<void()> action)
{
    m_timerAction = std::move(action);
    m_timer->start(ms);
}

void PsychRunnerDialog::showText(Stage stage, const QString& text)
{
    m_timer->stop();
    m_canvas->mode = PsychCanvas::Mode::Text;
    m_canvas->text = text;
    m_canvas->status = m_schedule.empty() ? QString() : tr("%1 of %2 done").arg(answered()).arg(m_schedule.size());
    m_canvas->error = m_writeError;
    m_canvas->update();
    setStage(stage);
}

void PsychRunnerDialog::showTrial()
{
    m_timer->stop();
    const psych::Presentation& s = m_schedule[static_cast<std::size_t>(m_pos)];
    const psych::PsychTrial& t = m_plan->trials[static_cast<std::size_t>(s.trial)];
    const std::vector<int>& ids = m_trialImages[static_cast<std::size_t>(s.trial)];
    m_canvas->maxRefs.clear();
    m_canvas->minRefs.clear();
    std::size_t i = 0;
    for (; i < t.maxRefs.size(); ++i)
        m_canvas->maxRefs.push_back(&m_images[static_cast<std::size_t>(ids[i])]);
    for (std::size_t j = 0; j < t.minRefs.size(); ++j, ++i)
        m_canvas->minRefs.push_back(&m_images[static_cast<std::size_t>(ids[i])]);
    const QImage* queryMax = &m_images[static_cast<std::size_t>(ids[i])];
    const QImage* queryMin = &m_images[static_cast<std::size_t>(ids[i + 1])];
    m_canvas->left = s.correctOnLeft ? queryMax : queryMin;
    m_canvas->right = s.correctOnLeft ? queryMin : queryMax;
    m_canvas->correctOnLeft = s.correctOnLeft;
    m_canvas->mode = PsychCanvas::Mode::Trial;
    m_canvas->phase = PsychCanvas::Phase::Choice;
    const bool practice = t.kind == psych::TrialKind::Practice;
    m_canvas->status
        = practice ? tr("Practice trial %1").arg(m_pos + 1) : tr("Trial %1 of %2").arg(mainAnswered() + 1).arg(mainTotal());
    m_canvas->error = m_writeError;
    // Reaction time from the first paint of the trial; until it comes, from now.
    m_onset.start();
    m_onsetPending = true;
    setStage(Stage::Choice);
    m_canvas->update();
}

void PsychRunnerDialog::onCanvasPainted()
{
    if (m_onsetPending && m_stage == Stage::Choice) {
        m_onset.restart();
        m_onsetPending = false;
    } else if (m_onsetPending && m_stage == Stage::Confidence) {
        m_confidenceOnset.restart();
        m_onsetPending = false;
    }
}

void PsychRunnerDialog::onCanvasClicked(const QPoint& pos)
{
    const PsychCanvas::Geometry g = m_canvas->geometry();
    if (m_stage == Stage::Choice) {
        if (g.left.contains(pos))
            choose(true);
        else if (g.right.contains(pos))
            choose(false);
    } else if (m_stage == Stage::Confidence) {
        for (int i = 0; i < 3; ++i)
            if (g.confidence[static_cast<std::size_t>(i)].contains(pos))
                rate(i + 1);
    }
}

void PsychRunnerDialog::choose(bool left)
{
    if (m_stage != Stage::Choice)
        return;
    m_rtMs = static_cast<double>(m_onset.nsecsElapsed()) / 1e6;
    m_choseLeft = left;
    m_canvas->choseLeft = left;
    m_canvas->phase = PsychCanvas::Phase::Confidence;
    m_confidenceOnset.start();
    m_onsetPending = true;
    setStage(Stage::Confidence);
    m_canvas->update();
}

void PsychRunnerDialog::rate(int confidence)
{
    if (m_stage != Stage::Confidence)
        return;
    const double confidenceRt = static_cast<double>(m_confidenceOnset.nsecsElapsed()) / 1e6;
    const psych::Presentation& s = m_schedule[static_cast<std::size_t>(m_pos)];
    psych::PsychResponse x;
    x.participant = m_id.toStdString();
    x.trialId = m_plan->trials[static_cast<std::size_t>(s.trial)].id;
    x.source = "inapp";
    x.position = m_pos;
    x.correctOnLeft = s.correctOnLeft;
    x.choseLeft = m_choseLeft;
    x.correct = m_choseLeft == s.correctOnLeft;
    x.confidence = confidence;
    x.rtMs = m_rtMs;
    x.confidenceRtMs = confidenceRt;
    m_responses.push_back(x);
    m_done[static_cast<std::size_t>(m_pos)] = true;
    saveResults();
    if (isPractice(m_pos)) {
        m_canvas->phase = PsychCanvas::Phase::Feedback;
        setStage(Stage::Feedback);
        m_canvas->update();
        afterDelay(m_feedbackMs, [this] { afterTrial(); });
    } else {
        afterTrial();
    }
}

void PsychRunnerDialog::afterTrial()
{
    const int answeredPos = m_pos;
    const int next = nextPosition();
    if (next < 0) {
        finish();
        return;
    }
    m_pos = next;
    if (isPractice(answeredPos) && !isPractice(next)) {
        showText(Stage::Instructions,
            tr("The practice is over. From now on there is no feedback.\n\nPress the space bar to start the experiment."));
        return;
    }
    const int every = m_pauseEvery->value();
    if (!isPractice(answeredPos) && every > 0 && mainAnswered() % every == 0) {
        showText(Stage::Break,
            tr("Time for a short break. %1 of %2 trials are done.\n\nPress the space bar when you are ready to go on.")
                .arg(answered())
                .arg(m_schedule.size()));
        return;
    }
    m_canvas->mode = PsychCanvas::Mode::Fixation;
    m_canvas->update();
    setStage(Stage::Interval);
    afterDelay(m_intervalMs, [this] { showTrial(); });
}

void PsychRunnerDialog::pause()
{
    m_timer->stop();
    m_pausedFrom = m_stage;
    if (m_canvas->mode == PsychCanvas::Mode::Text)
        m_pausedText = m_canvas->text;
    const QString saved = QDir::toNativeSeparators(resultsPath());
    showText(Stage::Paused,
        tr("Paused. %1 of %2 trials are done and saved (%3).\n\nPress the space bar to continue, or Q to stop "
           "(start again with the same participant id to continue later).")
            .arg(answered())
            .arg(m_schedule.size())
            .arg(saved));
}

void PsychRunnerDialog::resume()
{
    switch (m_pausedFrom) {
    case Stage::Choice:
    case Stage::Confidence: // the choice of an unfinished trial is dropped: the trial starts again
    case Stage::Interval:
        showTrial();
        break;
    case Stage::Feedback:
        afterTrial();
        break;
    default: // a text screen: back to it (its Space goes on)
        m_canvas->mode = PsychCanvas::Mode::Text;
        m_canvas->text = m_pausedText;
        m_canvas->update();
        setStage(m_pausedFrom);
        break;
    }
}

void PsychRunnerDialog::finish()
{
    flushResults();
    showText(Stage::Finished,
        tr("Thank you! All %1 trials are done and saved to %2.\n\nPress Esc or the space bar to close.")
            .arg(m_schedule.size())
            .arg(QDir::toNativeSeparators(resultsPath())));
}

void PsychRunnerDialog::quit()
{
    m_timer->stop();
    flushResults();
    setStage(Stage::Finished);
    QDialog::accept();
}

void PsychRunnerDialog::saveResults()
{
    const std::string path = resultsPath().toStdString();
    auto rows = m_responses;
    QPointer<PsychRunnerDialog> self(this);
    m_writer->start([path, rows = std::move(rows), self] {
        QString error;
        try {
            makeDirs(QFileInfo(QString::fromStdString(path)).absolutePath().toStdString());
            psych::writeResponsesCsv(path, rows);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, error] {
                if (!self)
                    return;
                self->m_writeError
                    = error.isEmpty() ? QString() : PsychRunnerDialog::tr("The answers could not be saved: %1").arg(error);
                self->m_canvas->error = self->m_writeError;
                self->m_canvas->update();
            },
            Qt::QueuedConnection);
    });
}

void PsychRunnerDialog::flushResults()
{
    m_writer->waitForDone();
    QCoreApplication::sendPostedEvents(); // the writer's error note, if any
}

void PsychRunnerDialog::keyPressEvent(QKeyEvent* event)
{
    if (event->isAutoRepeat())
        return;
    const int key = event->key();
    const bool space = key == Qt::Key_Space || key == Qt::Key_Return || key == Qt::Key_Enter;
    switch (m_stage) {
    case Stage::Setup:
        QDialog::keyPressEvent(event);
        return;
    case Stage::Loading:
        if (key == Qt::Key_Escape) {
            m_cancelLoad->store(true);
            reject();
        }
        return;
    case Stage::Choice:
        if (key == Qt::Key_F || key == Qt::Key_Left)
            choose(true);
        else if (key == Qt::Key_J || key == Qt::Key_Right)
            choose(false);
        else if (key == Qt::Key_Escape)
            pause();
        return;
    case Stage::Confidence:
        if (key >= Qt::Key_1 && key <= Qt::Key_3)
            rate(key - Qt::Key_0);
        else if (key == Qt::Key_Escape)
            pause();
        return;
    case Stage::Feedback:
    case Stage::Interval:
        if (key == Qt::Key_Escape)
            pause();
        return;
    case Stage::Instructions:
    case Stage::Break:
        if (space)
            showTrial();
        else if (key == Qt::Key_Escape)
            pause();
        return;
    case Stage::Paused:
        if (space || key == Qt::Key_Escape)
            resume();
        else if (key == Qt::Key_Q)
            quit();
        return;
    case Stage::Finished:
        if (space || key == Qt::Key_Escape)
            QDialog::accept();
        return;
    }
}

void PsychRunnerDialog::reject()
{
    // Esc is a pause during the experiment; closing the window keeps every answer (closeEvent).
    if (m_stage == Stage::Setup || m_stage == Stage::Loading || m_stage == Stage::Finished) {
        m_cancelLoad->store(true);
        QDialog::reject();
    } else {
        quit();
    }
}

void PsychRunnerDialog::closeEvent(QCloseEvent* event)
{
    m_timer->stop();
    m_cancelLoad->store(true);
    flushResults();
    QDialog::closeEvent(event);
}

void runPsychExperiment(QWidget* parent, const QString& startDir, const QString& planDir)
{
    PsychRunnerDialog dialog(planDir, startDir, parent);
    dialog.setWindowState(dialog.windowState() | Qt::WindowFullScreen);
    dialog.exec();
}

} // namespace repalign::gui
