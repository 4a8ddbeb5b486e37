#pragma once
/// @file behaviourview.h
/// The Distributions tab's "Behaviour" view: the behavioural profiles of a baseline and a tuned
/// model (`repalign-cli behave`, /behaviour) side by side: robustness curves, the corruption ×
/// severity heat map of tuned − baseline accuracy, the reliability diagram and the agreement with
/// human labels, each exportable at every figure preset (the builders of behaviourplots.h, the
/// same as `repalign-cli figure`). Files come from the project's analyses that hold /behaviour
/// (checked off the UI thread) or from Open…; they are read off the UI thread too. With no file
/// the view shows the commands that write one.
#include "behaviourplots.h"

#include <QStringList>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QLabel;
class QStackedWidget;
class QTabWidget;
class QToolButton;

namespace repalign::gui {

class BehaviourView : public QWidget {
    Q_OBJECT
public:
    explicit BehaviourView(QWidget* parent = nullptr);
    ~BehaviourView() override;

    /// Offers those of @p paths that hold /behaviour (checked in the background); with nothing
    /// chosen yet, the first is the baseline and the second the tuned model.
    void setAvailableFiles(const QStringList& paths);
    /// Adds @p path and shows it as the baseline (or as the tuned model).
    void openFile(const QString& path, bool asTuned = false);
    /// Shows @p base against @p tuned (empty: the baseline alone); both are read in the background.
    void setFiles(const QString& base, const QString& tuned);
    QString baseFile() const;
    QString tunedFile() const;
    /// Every file offered (both boxes list the same files).
    QStringList files() const;

    /// The figure kinds in page order (behaviourFigureKinds()) and each page's plot.
    QCustomPlot* plot(const QString& kind) const;
    QTabWidget* pages() const { return m_pages; }
    /// The models shown (baseline first), as read.
    const QList<BehaviourModel>& models() const { return m_models; }
    /// The notes over the pages: read errors and the files' mismatches, one line each.
    QString note() const;
    /// Why a page is empty (a file without the results it draws), empty when it is drawn.
    QString pageNote(const QString& kind) const;
    /// The text shown while no file with /behaviour is known (the commands that write one).
    QString emptyText() const;
    bool showsEmptyState() const;

Q_SIGNALS:
    void exportPlotRequested(QCustomPlot* plot, const QString& suggestedName);
    /// The chosen files were read and drawn (or failed: note() says why).
    void shown();

private:
    struct Page {
        QString kind;
        QCustomPlot* plot = nullptr;
        QLabel* note = nullptr;
    };
    void addFile(const QString& path);
    void load();
    void redraw();
    void updateEmptyState();
    QComboBox* m_base;
    QComboBox* m_tuned;
    QLabel* m_note;
    QLabel* m_empty;
    QStackedWidget* m_stack;
    QTabWidget* m_pages;
    QList<Page> m_pageList;
    QList<BehaviourModel> m_models;
    int m_scanGeneration = 0;
    int m_loadGeneration = 0;
    bool m_scanned = false;
};

} // namespace repalign::gui
