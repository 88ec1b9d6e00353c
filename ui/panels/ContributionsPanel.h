#pragma once

#include "FigureExport.h"
#include "Panel.h"

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
    explicit ContributionsPanel(AppContext *context);
    void retranslate() override;
    QCustomPlot *plot() const { return m_plot; }
    FigureData figureData() const;
    FigureData effectsData() const;
    QCustomPlot *effectsPlot() const { return m_effects; }
    void setTargetToken(const QString &text);
    void redraw();
    void redrawEffects();

private:
    QCustomPlot *m_plot, *m_effects;
    QLabel *m_info, *m_effectsInfo, *m_targetLabel;
    QLineEdit *m_target;
    QPushButton *m_export, *m_exportEffects;
};

} // namespace strata
