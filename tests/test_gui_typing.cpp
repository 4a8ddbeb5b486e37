// Typing into the Setup forms while a real training job runs: every line edit and editable
// combo box of the baseline, fine-tuning and analysis forms gets a string typed into it at
// xdotool's pace (one key every 12 ms, sent through the event loop as queued key events would
// arrive). Two numbers are reported: the largest event-loop stall (a 10 ms timer pings the loop)
// and the largest echo lag (how long after a key was due its handlers had finished). Each key
// that waits for a slow handler (a model built, a checkpoint read, a folder scanned on the UI
// thread) pushes every later key back, so a few milliseconds per key add up to seconds over a
// 70-character path. The test fails above one second, as the training test does.
#include "analysisformpanel.h"
#include "corejobs.h"
#include "jobqueuemodel.h"
#include "mainwindow.h"
#include "setuppanel.h"
#include "testutil.h"
#include "trainformpanel.h"
#include "tuneformpanel.h"

#include "run/config.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSignalSpy>
#include <QtTest>

using namespace repalign;
using namespace repalign::gui;

namespace {

TrainConfig longTinyConfig()
{
    // Long enough to outlast the typing; cancelled at the end.
    return parseTrainConfig("dataset: shapes\n"
                            "data: {train: \"shapes:64:1\", val: \"shapes:32:2\"}\n"
                            "model: resnet18_cifar10\n"
                            "system: {threads: 1}\n"
                            "optimization:\n  epochs: 100000\n  batch_size: 8\n  max_steps_per_epoch: 4\n"
                            "  optimizer: sgd\n  optimizer_params: {lr: 0.01, momentum: 0.9}\n",
        "tiny");
}

/// The text typed into a field: a long path where the form expects a file or folder (this is
/// where users type most), something short and number-like elsewhere.
QString textFor(const QString& key, const QString& projectDir)
{
    if (key == QLatin1String("base.checkpoint") || key == QLatin1String("checkpoint"))
        return projectDir + QStringLiteral("/baseline-resnet18-seed1/checkpoints/best_acc.pt");
    if (key == QLatin1String("bundle"))
        return projectDir + QStringLiteral("/data/virtual-cortex-subject01.h5");
    if (key.startsWith(QLatin1String("data")) || key == QLatin1String("classification_val"))
        return QStringLiteral("cifar10:") + projectDir + QStringLiteral("/data/demo-cifar");
    if (key == QLatin1String("lpips_weights"))
        return projectDir + QStringLiteral("/weights/alexnet-lpips.pth");
    if (key.endsWith(QLatin1String("name")))
        return QStringLiteral("typed-run-name");
    if (key == QLatin1String("system.device") || key == QLatin1String("device"))
        return QStringLiteral("cpu");
    if (key == QLatin1String("rois"))
        return QStringLiteral("V1, V4, IT");
    return QStringLiteral("0.0125");
}

struct Keystroke {
    QWidget* target = nullptr;
    QChar ch; ///< null: Ctrl+A (select the field's text first)
    QString expect; ///< the field's text once this key has been handled
    int form = 0; ///< SetupPanel::showForm index
};

} // namespace

class TestGuiTyping : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void typingStaysResponsiveDuringTraining();
};

void TestGuiTyping::initTestCase()
{
    qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString(testutil::tempDir("typing-config")));
    qputenv("XDG_DATA_HOME", QByteArray::fromStdString(testutil::tempDir("typing-data")));
}

void TestGuiTyping::typingStaysResponsiveDuringTraining()
{
    const QString project = QString::fromStdString(testutil::tempDir("typing-project"));
    MainWindow window;
    window.openProject(project);
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.tabs()->setCurrentWidget(window.setup());

    // The keys, field by field, form by form.
    QList<Keystroke> keys;
    int fields = 0;
    const QList<ConfigForm*> forms = {window.setup()->trainForm(), window.setup()->tuneForm(), window.setup()->analysisForm()};
    for (int fi = 0; fi < forms.size(); ++fi) {
        ConfigForm* form = forms[fi];
        QStringList fieldKeys = form->fieldKeys();
        fieldKeys.sort();
        for (const QString& key : fieldKeys) {
            QWidget* w = form->field(key);
            QLineEdit* edit = qobject_cast<QLineEdit*>(w);
            if (auto* combo = qobject_cast<QComboBox*>(w); combo && combo->isEditable())
                edit = combo->lineEdit();
            if (!edit || !edit->isEnabled() || edit->isReadOnly())
                continue;
            ++fields;
            const QString text = textFor(key, project);
            keys.append({edit, QChar(), QString(), fi});
            for (int i = 0; i < text.size(); ++i)
                keys.append({edit, text[i], text.left(i + 1), fi});
        }
    }
    QVERIFY2(fields >= 20, qPrintable(QString::number(fields)));

    QSignalSpy finished(window.jobs(), &JobQueueModel::jobFinished);
    QSignalSpy progress(window.jobs(), &JobQueueModel::progressChanged);
    window.launch(makeTrainJob(longTinyConfig(), project + QStringLiteral("/typing-run")));
    // Type while the job trains, not while it starts.
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 0, 300000);

    constexpr qint64 kKeyInterval = 12; // xdotool type's default delay
    QElapsedTimer clock;
    qint64 lastPing = 0, worstStall = 0, worstLag = 0, pings = 0;
    QTimer probe;
    probe.setInterval(10);
    connect(&probe, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        worstStall = std::max(worstStall, now - lastPing);
        lastPing = now;
        ++pings;
    });
    int next = 0;
    int mismatches = 0;
    QTimer typist;
    typist.setInterval(4);
    connect(&typist, &QTimer::timeout, this, [&] {
        // Every key that is due by now is delivered (a blocked UI finds several queued).
        while (next < keys.size() && next * kKeyInterval <= clock.elapsed()) {
            const Keystroke& k = keys[next];
            if (k.ch.isNull()) {
                window.setup()->showForm(k.form);
                k.target->setFocus();
                QTest::keyClick(k.target, Qt::Key_A, Qt::ControlModifier);
            } else {
                QTest::keyClick(k.target, k.ch.toLatin1());
                // An editable combo box completes inline: the completion is the selected tail.
                const auto* edit = static_cast<QLineEdit*>(k.target);
                QString typed = edit->text();
                if (edit->hasSelectedText() && edit->selectionStart() + edit->selectedText().size() == typed.size())
                    typed.chop(edit->selectedText().size());
                if (typed != k.expect) {
                    ++mismatches;
                    qWarning("typed '%s', the field shows '%s'", qPrintable(k.expect), qPrintable(edit->text()));
                }
            }
            worstLag = std::max(worstLag, clock.elapsed() - next * kKeyInterval);
            ++next;
        }
    });
    clock.start();
    probe.start();
    typist.start();
    QTRY_VERIFY_WITH_TIMEOUT(next == keys.size(), 600000);
    const qint64 typed = clock.elapsed();
    // Let the debounced work after the last key (validation, checkpoint inspection) run too.
    QTest::qWait(1500);
    probe.stop();
    typist.stop();
    const bool stillTraining = window.jobs()->busy() && finished.isEmpty();

    qInfo("typed %lld keys into %d fields of 3 forms in %lld ms (due in %lld ms) while training: "
          "largest event-loop stall %lld ms, largest keystroke echo lag %lld ms, %lld pings",
        static_cast<long long>(keys.size()), fields, typed, keys.size() * kKeyInterval, worstStall, worstLag, pings);

    window.jobs()->cancelAll();
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 300000);

    QVERIFY2(stillTraining, "the training job ended before the typing did; the measurement did not overlap it");
    QCOMPARE(mismatches, 0);
    QVERIFY2(worstLag < 1000, qPrintable(QStringLiteral("keystrokes echoed up to %1 ms late").arg(worstLag)));
    QVERIFY2(worstStall < 1000, qPrintable(QStringLiteral("UI stalled for %1 ms").arg(worstStall)));
}

QTEST_MAIN(TestGuiTyping)
#include "test_gui_typing.moc"
