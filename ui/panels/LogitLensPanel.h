#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "analysis/LogitLens.h"

#include <memory>

class QCPColorMap;
class QCPColorScale;
class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;

namespace strata {

// The logit lens: each layer's residual stream read through the final norm and unembedding. A grid
// of layers x positions shows the top token at each cell, coloured by the probability (or rank, or
// KL) of the model's final prediction; below, for the selected position, how that prediction's
// probability grows and the KL to the final distribution shrinks with depth.
class LogitLensPanel : public Panel
{
    Q_OBJECT
public:
    enum class Metric { FinalProbability, FinalRank, KlToFinal, TopProbability };
    explicit LogitLensPanel(AppContext *context);
    void retranslate() override;
    const LogitLensResult *result() const { return m_result.get(); }
    QString status() const;
    QCustomPlot *plot() const { return m_plot; }
    FigureData figureData() const;
    void setMetric(Metric m);
    int labelCount() const; // top-token labels drawn in the cells (tests)

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void compute();
    void redraw();
    void drawLabels(); // the top-token labels, when the cells are wide enough; again after every resize
    void drawDetail();
    QCustomPlot *m_plot, *m_detail;
    QCPColorMap *m_map;
    QCPColorScale *m_scale;
    QComboBox *m_metric;
    QPushButton *m_export;
    QLabel *m_metricLabel, *m_status;
    std::shared_ptr<const LogitLensResult> m_result;
    const void *m_resultTrace = nullptr;
    bool m_labelsQueued = false;
};

} // namespace strata
