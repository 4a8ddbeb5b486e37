// How fast the Neurons browser shows its first screen for a 512-unit analysis (thumbnails read
// lazily for the visible rows only) against reading every unit's thumbnails up front (naive).
// Prints JSON; the goal is a first screen under 300 ms.
#include "../test_gui_fixtures.h"
#include "neuronmodel.h"
#include "neuronsview.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTableView>
#include <QTemporaryDir>

#include <cstdio>

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("analysis512.h5"));
    guifixture::writeSyntheticAnalysis(path.toStdString(), 512, 5, 1, true, 10000);

    using namespace repalign::gui;
    const int repeats = 5;
    double lazyBest = 1e9, naiveBest = 1e9;
    int loaded = 0;
    for (int r = 0; r < repeats; ++r) {
        // Lazy: the real view, until every visible row has its thumbnails painted.
        QElapsedTimer t;
        t.start();
        NeuronsView view;
        view.resize(1280, 800);
        view.show();
        view.openAnalysis(path);
        while (true) {
            QCoreApplication::processEvents();
            const int before = view.model()->loadedThumbnails();
            QCoreApplication::processEvents();
            if (before > 0 && view.model()->loadedThumbnails() == before)
                break;
        }
        view.repaint();
        lazyBest = std::min(lazyBest, t.nsecsElapsed() / 1e6);
        loaded = view.model()->loadedThumbnails();

        // Naive: read all 512 thumbnail strips before showing anything.
        QElapsedTimer n;
        n.start();
        NeuronModel model;
        model.open(path);
        for (int u = 0; u < model.rowCount(); ++u)
            model.thumbnailStrip(u);
        QTableView table;
        table.setModel(&model);
        table.resize(1280, 800);
        table.show();
        QCoreApplication::processEvents();
        table.repaint();
        naiveBest = std::min(naiveBest, n.nsecsElapsed() / 1e6);
    }
    std::printf("{\"benchmark\": \"neurons_first_screen\", \"units\": 512, \"k\": 5, \"repeats\": %d,\n"
                " \"first_screen_ms\": %.1f, \"thumbnails_read\": %d, \"naive_read_all_ms\": %.1f,\n"
                " \"speedup_vs_naive\": %.2f, \"goal_ms\": 300, \"meets_goal\": %s}\n",
        repeats, lazyBest, loaded, naiveBest, naiveBest / lazyBest, lazyBest < 300 ? "true" : "false");
    return 0;
}
