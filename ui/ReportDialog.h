#pragma once

#include "analysis/LayerReport.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace strata {

class AppContext;

// File > Report: the layer report of the loaded model ("how this model abstracts") written as PDF
// or HTML, kept in the current session. Runs on the worker with progress and Cancel.
class ReportDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ReportDialog(AppContext *context, QWidget *parent = nullptr);
    void setOutput(const QString &file);
    void setTreebank(const QString &conllu);
    void start();

Q_SIGNALS:
    void written(const QString &file);

private:
    void finish(const LayerReport &report, const QString &out); // written to out on the worker; kept in the session here

    AppContext *m_context;
    QLineEdit *m_out, *m_conllu;
    QSpinBox *m_sentences;
    QCheckBox *m_open;
    QProgressBar *m_progress;
    QLabel *m_status;
    QPushButton *m_start, *m_cancel;
    quint64 m_job = 0;
};

} // namespace strata
