#pragma once

#include "FigureExport.h"
#include "Panel.h"

class QCustomPlot;
class QLabel;
class QPushButton;

namespace strata {

// How much each layer writes into the residual stream: mean L2 norms (over tokens) of attn_out and
// mlp_out, and of the residual stream itself, against depth.
class ContributionsPanel : public Panel
{
    Q_OBJECT
public:
    explicit ContributionsPanel(AppContext *context);
    void retranslate() override;
    QCustomPlot *plot() const { return m_plot; }
    FigureData figureData() const;
    void redraw();

private:
    QCustomPlot *m_plot;
    QLabel *m_info;
    QPushButton *m_export;
};

} // namespace strata
