#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "analysis/Probe.h"

#include <optional>

class QCheckBox;
class QGridLayout;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace strata {

// Linear probes per layer: where does each kind of knowledge live? Runs strata's probing (features
// on the worker, with progress and cancel) over CoNLL-U or labelled sentences, plots accuracy and
// selectivity against depth per task with the best and the expected layer, shows the confusion
// matrix of any task and layer, keeps every result in the current session and reopens them.
class ProbePanel : public Panel
{
    Q_OBJECT
public:
    explicit ProbePanel(AppContext *context);
    void retranslate() override;

    void setFiles(const QString &train, const QString &dev, const QString &test);
    void setTasks(const QStringList &tasks);
    void setSentences(int n);
    void run();
    void showResult(const ProbeRun &run);
    const std::optional<ProbeRun> &result() const { return m_result; }
    QCustomPlot *plot() const { return m_plot; }
    QCustomPlot *confusionPlot() const { return m_confusion; }
    FigureData figureData() const;

Q_SIGNALS:
    void finished(bool ok);

private:
    void redraw();
    void drawConfusion();
    void reloadSaved();
    QLineEdit *fileRow(QGridLayout *grid, int row, QLabel **label, QPushButton **browse);

    QLabel *m_trainLabel, *m_devLabel, *m_testLabel, *m_tasksLabel, *m_poolLabel, *m_siteLabel, *m_classifierLabel, *m_sentencesLabel, *m_savedLabel;
    QLineEdit *m_train, *m_dev, *m_test;
    QPushButton *m_trainBrowse, *m_devBrowse, *m_testBrowse;
    QList<QCheckBox *> m_taskBoxes;
    QComboBox *m_pool, *m_site, *m_classifier, *m_saved;
    QSpinBox *m_sentences;
    QCheckBox *m_control;
    QPushButton *m_run, *m_cancel, *m_export, *m_exportConfusion;
    QLabel *m_status;
    QCustomPlot *m_plot, *m_confusion;
    QTableWidget *m_table;
    QComboBox *m_confTask, *m_confLayer;
    std::optional<ProbeRun> m_result;
    quint64 m_job = 0;
};

} // namespace strata
