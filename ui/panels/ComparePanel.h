#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "analysis/Compare.h"

#include <QJsonObject>

#include <memory>
#include <optional>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace strata {

class LoadedModel;

// Compare mode: the current run (A) against a second prompt, or the same prompt on a second model
// (B). For the shared cursor (layer, head): A's, B's and the difference heatmap over aligned tokens,
// with the alignment spelled out when lengths differ; per layer the similarity of the two runs
// (cosine per aligned position and of sentence vectors for one model, CKA across models); the logit
// difference of two answer tokens after every block; the heads whose scores differ most. A comparison
// is saved in the session with its notes and reopens as it was.
class ComparePanel : public Panel
{
    Q_OBJECT
public:
    explicit ComparePanel(AppContext *context);
    void retranslate() override;

    void setPromptB(const QString &prompt);
    void setModelB(const QString &location);
    // "" (as loaded), "f32" or "bf16": B runs at this compute precision; with no B model, on A's model
    // again, so that the same prompt is compared at f32 and bf16.
    void setComputeB(const QString &compute);
    void setAnswers(const QString &a, const QString &b);
    void compare();        // traces B on the worker, then shows the comparison; finished() follows
    void patchAIntoB();    // asks the patching panel for a sweep with A clean and B corrupted
    bool saveComparison(); // both runs and the comparison, in the current session
    void openComparison(qint64 comparisonId);
    bool hasComparison() const { return m_a && m_b; }
    const TokenAlignment &alignment() const { return m_alignment; }
    QCustomPlot *heatmaps() const { return m_heatmaps; }
    FigureData differenceData() const;
    FigureData tabData() const; // the numbers of the open tab (similarity, logit difference, heads, contributions)
    QCustomPlot *pcaPlot() const { return m_pca; }
    QTableWidget *lensTable() const { return m_lens; }
    std::vector<double> logitDifferenceA() const { return m_logitA; }
    std::vector<double> logitDifferenceB() const { return m_logitB; }
    QString answerTokensShown() const; // what the two answer fields become
    // Same model and tokens at two compute precisions: how far the approximate run is from the exact
    // one (Faithfulness::toJson plus "exact" and "approx": the two precisions); empty otherwise.
    QJsonObject precision() const { return m_precision; }
    QString statusText() const;
    std::shared_ptr<LoadedModel> modelB() const { return m_modelBLoaded; } // the model B last ran on

Q_SIGNALS:
    void finished(bool ok);

private:
    void showComparison();
    void drawHeatmaps();
    void drawLayerPlots();
    void fillHeads();
    void drawPca();
    void drawContributions();
    void fillLens();
    void reloadSaved();
    bool oneModel() const;

    QLabel *m_aLabel, *m_bLabel, *m_modelBLabel, *m_computeBLabel, *m_answersLabel, *m_metricLabel, *m_savedLabel, *m_status, *m_answerTokens;
    QLineEdit *m_promptB, *m_modelB, *m_answerA, *m_answerB;
    QComboBox *m_metric, *m_saved, *m_computeB;
    QPushButton *m_compare, *m_save, *m_export, *m_patch;
    QPlainTextEdit *m_notes;
    QCustomPlot *m_heatmaps, *m_layers, *m_logits, *m_pca, *m_contrib;
    QTableWidget *m_heads, *m_lens;
    QTabWidget *m_tabs;
    TracePtr m_a, m_b;
    std::shared_ptr<LoadedModel> m_modelBLoaded;
    QString m_modelBRequest; // location and precision m_modelBLoaded was loaded for; empty: it is A's model
    QJsonObject m_precision;
    TokenAlignment m_alignment;
    std::optional<LayerSimilarity> m_similarity;
    std::vector<double> m_logitA, m_logitB;
    std::vector<HeadDifference> m_headDiffs;
    qint64 m_savedRunA = 0, m_savedRunB = 0;
};

} // namespace strata
