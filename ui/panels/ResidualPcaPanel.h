#pragma once

#include "FigureExport.h"
#include "Panel.h"

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSlider;

namespace strata {

// The residual stream's token vectors projected to 2-D: per layer (layer slider), or in one basis
// fitted to all layers together so positions are comparable across depth; the selected token's
// trajectory through the layers; colour by position or by token; hover for the token.
class ResidualPcaPanel : public Panel
{
    Q_OBJECT
public:
    explicit ResidualPcaPanel(AppContext *context);
    void retranslate() override;
    QCustomPlot *plot() const { return m_plot; }
    FigureData figureData() const;
    void setSharedBasis(bool shared);
    void setLayerIndex(int index); // 0 = embeddings, i = after layer i-1
    bool redraw();

private:
    QCustomPlot *m_plot;
    QSlider *m_layer;
    QLabel *m_layerLabel, *m_info;
    QComboBox *m_basis, *m_colour;
    QCheckBox *m_trajectory;
    QPushButton *m_export;
    std::vector<double> m_xy; // [tokens, 2] currently drawn
};

} // namespace strata
