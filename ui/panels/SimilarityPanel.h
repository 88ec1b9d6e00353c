#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "analysis/ResidualAnalysis.h"

#include <memory>

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSlider;

namespace strata {

// Sentence similarity across layers: the user writes sentences (or picks an example set in English or
// Chinese), Strata runs each through the model, pools a sentence vector per layer, centres on a
// baseline set (raw cosine of GPT sentence vectors sits near 1 everywhere) and plots each pair's
// similarity against depth, the similarity matrix of one layer, and CKA between each layer and the last.
class SimilarityPanel : public Panel
{
    Q_OBJECT
public:
    explicit SimilarityPanel(AppContext *context);
    void retranslate() override;
    void setSentences(const QStringList &sentences);
    void setWord(const QString &word); // non-empty: word-in-context mode
    void compute();
    // Keeps the sentences (and word) in the current session; they appear in the sets list there.
    bool saveSet(const QString &name);
    QStringList savedSetNames() const;
    const ResidualAnalysis::SimilarityAcrossLayers *result() const { return m_result.get(); }
    QCustomPlot *plot() const { return m_plot; }
    FigureData figureData() const;

Q_SIGNALS:
    void computed();

private:
    void redraw();
    void fillSets();
    QComboBox *m_examples, *m_pooling, *m_centring;
    QPushButton *m_saveSet;
    QPlainTextEdit *m_editor;
    QLineEdit *m_word;
    QPushButton *m_run, *m_export;
    QCustomPlot *m_plot, *m_matrix;
    QCPColorMap *m_map;
    QSlider *m_stage;
    QLabel *m_status, *m_stageLabel;
    std::shared_ptr<const ResidualAnalysis::SimilarityAcrossLayers> m_result;
};

} // namespace strata
