#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "analysis/HeadMetrics.h"
#include "analysis/SyntacticHeads.h"
#include "model/Trace.h"

#include <memory>

class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace strata {

class HeadScoresModel;

// The head atlas: every layer x head coloured by its dominant role, with every score in the tooltip,
// a sortable table of all scores, and the mix of roles by depth. Clicking a head selects it (the
// attention heatmap follows). Scores come from the current run; induction scores from the model's
// induction test (random tokens repeated twice), run in the background once per model. Scoring a
// long trace takes seconds, so it runs on the worker, and only while the panel is visible (a hidden
// atlas scores the current run when it is shown); threshold changes only re-classify.
class HeadAtlasPanel : public Panel
{
    Q_OBJECT
public:
    explicit HeadAtlasPanel(AppContext *context);
    void retranslate() override;
    HeadScoresModel *model() const { return m_model; }
    QCustomPlot *grid() const { return m_grid; }
    QCustomPlot *chart() const { return m_chart; }
    FigureData figureData() const;
    RoleThresholds thresholds() const;
    void refresh();
    bool scoring() const { return !m_scoringFor.expired(); } // a scoring job is pending
    QList<QPair<int, int>> selectedHeads() const;            // (layer, head), or the cursor's head when none is selected
    void ablateSelected();                                   // asks the ablation panel (AppContext::ablationRequested)
    // Syntactic heads from a CoNLL-U treebank (its first 200 sentences), measured on the worker for
    // the loaded model; the scores gain each head's best relation (SyntacticHeads::applyTo).
    void setTreebank(const QString &conllu);
    bool hasSyntax() const { return m_syntax != nullptr; }

Q_SIGNALS:
    void scored();         // scores of the current run arrived (tests)
    void syntaxMeasured(); // the treebank's syntactic scores arrived (tests)

protected:
    void showEvent(QShowEvent *e) override;

private:
    void requestScores(); // scores the current run on the worker when visible and not yet scored
    void drawGrid();
    void drawChart();
    void headClicked(int layer, int head);
    HeadScoresModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QCustomPlot *m_grid, *m_chart;
    QLabel *m_status, *m_thresholdLabel;
    QDoubleSpinBox *m_sink, *m_prev, *m_induction;
    QPushButton *m_export, *m_ablate, *m_treebank;
    std::shared_ptr<const SyntacticHeadsResult> m_syntax; // of m_syntaxFingerprint's model
    QString m_syntaxFingerprint, m_syntaxFile;
    std::vector<HeadScores> m_scores;         // of m_scoredTrace, without induction scores
    std::weak_ptr<const Trace> m_scoredTrace; // the run m_scores belong to (not kept alive for them)
    std::weak_ptr<const Trace> m_scoringFor;  // the run a pending job scores
};

} // namespace strata
