#pragma once

#include "FigureExport.h"
#include "Panel.h"
#include "analysis/ProbeFeatures.h"

#include <optional>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSlider;
class QStackedWidget;

namespace strata {

// The residual stream's token vectors projected to 2-D or 3-D: per layer (layer slider), or in one
// basis fitted to all layers together so positions are comparable across depth; the selected token's
// trajectory through the layers; colour by position or by token; hover for the token. A second source:
// the words of many tagged sentences (CoNLL-U) at once, coloured by their part of speech, to watch
// classes separate with depth.
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
    void set3D(bool on);
    QWidget *view3D() const;
    // Words of the first sentences of a CoNLL-U file, traced on the worker; taggedReady follows and
    // the plot shows them coloured by UPOS.
    void loadTagged(const QString &conllu, int maxSentences = 80);
    QStringList taggedClasses() const;
    bool showingTagged() const;
    void setStandardise(bool on);
    bool redraw();

Q_SIGNALS:
    void taggedReady(bool ok);

private:
    QCustomPlot *m_plot;
    QSlider *m_layer;
    QLabel *m_layerLabel, *m_info;
    bool redrawTagged();
    QComboBox *m_basis, *m_colour, *m_source;
    QCheckBox *m_trajectory, *m_3d, *m_standardise;
    QPushButton *m_export, *m_loadTagged;
    QStackedWidget *m_stack;
    class Scatter3D *m_scatter;
    std::vector<double> m_xy; // [tokens, 2] currently drawn
    std::optional<FeatureSet> m_tagged;
    QStringList m_taggedLabels, m_taggedWords, m_taggedClasses;
    std::vector<double> m_taggedXy;              // [words, 2 or 3] currently drawn
    QStringList m_taggedKept, m_taggedKeptWords; // the words drawn
};

} // namespace strata
