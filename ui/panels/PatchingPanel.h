#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "analysis/Patching.h"

#include <optional>

class QCheckBox;
class QComboBox;
class QCPColorMap;
class QCPColorScale;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace strata {

// Activation patching in the GUI: a clean and a corrupted prompt of one token count, an answer and a
// wrong token; a sweep over a site (residual stream, attention or MLP output by layer and position,
// heads by layer, one layer's heads by position) drawn as a heatmap with token labels and hover values,
// with attribution patching's estimate beside it on request. Clicking a cell re-runs that patched
// variant as an ordinary run, which every panel then shows. Sweeps are kept in the session with notes.
class PatchingPanel : public Panel
{
    Q_OBJECT
public:
    explicit PatchingPanel(AppContext *context);
    void retranslate() override;

    void setPrompts(const QString &clean, const QString &corrupt);
    void setAnswers(const QString &answer, const QString &wrong);
    void setSite(PatchingRequest::SiteKind site, int layer = 0);
    void setDirection(PatchingRequest::Direction direction);
    void setMetric(PatchingRequest::Metric metric);
    void setAttribution(bool on);
    void runSweep();                 // on the worker; finished(ok) follows
    void openCell(int row, int col); // that patched run becomes the current run; cellOpened(ok) follows
    bool saveSweep();                // into the current session, with the notes
    void openSaved(int index);       // a saved sweep, as it was
    QStringList savedNames() const;

    bool hasResult() const { return m_result.has_value(); }
    const PatchingResult &result() const { return *m_result; }
    QCustomPlot *plot() const { return m_plot; }
    FigureData figureData() const;
    QString answerTokensText() const; // what the answer fields become, e.g. "␣Mary (1 token)"
    QString status() const;

Q_SIGNALS:
    void finished(bool ok);
    void cellOpened(bool ok);

private:
    bool buildRequest(PatchingRequest *out, QString *why) const;
    void draw();
    void updateAnswerTokens();
    void reloadSaved();
    bool cellAt(const QPoint &pos, int *row, int *col) const;
    bool eventFilter(QObject *watched, QEvent *event) override;

    QLabel *m_cleanLabel, *m_corruptLabel, *m_answerLabel, *m_siteLabel, *m_metricLabel, *m_savedLabel, *m_tokens, *m_status;
    QLineEdit *m_clean, *m_corrupt, *m_answer, *m_wrong;
    QComboBox *m_site, *m_direction, *m_metric, *m_saved;
    QSpinBox *m_layer;
    QCheckBox *m_attribution;
    QPushButton *m_run, *m_useCurrent, *m_save, *m_export;
    QPlainTextEdit *m_notes;
    QCustomPlot *m_plot;
    std::optional<PatchingResult> m_result;
    PatchingRequest m_request; // what m_result was made from
    QString m_baseText;        // the prompt the patched runs run on
};

} // namespace strata
