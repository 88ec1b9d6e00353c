#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "model/Trace.h"

class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;

namespace strata {

// How much each layer writes into the residual stream: mean L2 norms (over tokens) of attn_out and
// mlp_out, and of the residual stream itself, against depth; and the direct effect of each layer's
// attention and MLP on the logit of a chosen token after the selected position.
class ContributionsPanel : public Panel
{
    Q_OBJECT
public:
    QString targetTokensShown() const;
    explicit ContributionsPanel(AppContext *context);
    void retranslate() override;
    QCustomPlot *plot() const { return m_plot; }
    FigureData figureData() const;
    FigureData effectsData() const;
    QCustomPlot *effectsPlot() const { return m_effects; }
    QCustomPlot *headEffectsPlot() const { return m_headEffects; }
    // Re-runs the current prompt keeping per-head outputs (on the worker), then draws per-head effects.
    void computeHeadEffects();
    const std::vector<std::vector<double>> &headEffects() const { return m_headValues; }

Q_SIGNALS:
    void headEffectsReady();

public:
    void setTargetToken(const QString &text);
    void redraw();
    void redrawEffects();

private:
    void drawHeadEffects();
    QCustomPlot *m_plot, *m_effects, *m_headEffects;
    QPushButton *m_perHead;
    TracePtr m_headTrace; // the current run re-traced with per-head outputs
    std::vector<std::vector<double>> m_headValues;
    QLabel *m_info, *m_effectsInfo, *m_targetLabel, *m_targetTokens;
    QLineEdit *m_target;
    QPushButton *m_export, *m_exportEffects;
};

} // namespace strata
