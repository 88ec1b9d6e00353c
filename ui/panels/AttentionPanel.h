#pragma once

#include "FigureExport.h"
#include "Panel.h"

class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSpinBox;

namespace strata {

// One attention head at full size: queries down, keys across, token labels on both axes, hover
// for (query, key, weight), click a cell to select its query token, wheel to zoom, drag to pan,
// double-click to reset. Linear, log or per-row-max colour scaling.
class AttentionPanel : public Panel
{
    Q_OBJECT
public:
    enum class Scaling { Linear, Log, RowMax };
    explicit AttentionPanel(AppContext *context);
    void retranslate() override;

    QCustomPlot *plot() const { return m_plot; }
    FigureData figureData() const;
    void setScaling(Scaling s);
    // Rebuilds the colour map from the current trace and selection; returns false when there is nothing to draw.
    bool redraw();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void syncControls();
    void highlightToken();
    QCustomPlot *m_plot;
    QCPColorMap *m_map;
    QCPColorScale *m_scale;
    QCPItemRect *m_rowMark, *m_colMark;
    QSpinBox *m_layer, *m_head;
    QComboBox *m_scaling;
    QPushButton *m_export;
    QLabel *m_layerLabel, *m_headLabel, *m_scalingLabel, *m_info;
    int m_shownLayer = -1, m_shownHead = -1;
    const void *m_shownTrace = nullptr;
};

} // namespace strata
