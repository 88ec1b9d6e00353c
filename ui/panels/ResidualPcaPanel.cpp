#include "ResidualPcaPanel.h"
#include "PlotStyle.h"

#include "AppContext.h"
#include "Scatter3D.h"
#include "analysis/ProbeData.h"
#include "analysis/ResidualAnalysis.h"
#include "jobs/JobRunner.h"
#include "model/ModelFamily.h"
#include "settings/Settings.h"
#include "util/Error.h"

#include <QDir>
#include <QFileDialog>
#include <QStackedWidget>
#include <QStandardPaths>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

namespace strata {

namespace {
const Setting<QString> kTaggedFile{"Pca/conllu", QString()};

// PCA, optionally of standardised dimensions: a few "rogue" dimensions of GPT-style residual streams
// have variances orders of magnitude above the rest and take the first components for themselves
// (Timkey & van Schijndel 2021); z-scoring each dimension first lets the others be seen.
struct Projection
{
    ResidualAnalysis::Pca pc;
    bool standardise = false;
    std::vector<float> mean, inv;

    std::vector<float> transform(std::vector<float> rows, int n) const
    {
        if (!standardise)
            return rows;
        const size_t D = mean.size();
        for (int i = 0; i < n; ++i)
            for (size_t d = 0; d < D; ++d)
                rows[size_t(i) * D + d] = (rows[size_t(i) * D + d] - mean[d]) * inv[d];
        return rows;
    }
    std::vector<double> project(const std::vector<float> &rows, int n) const { return pc.project(transform(rows, n), n); }
};

Projection fitProjection(const std::vector<float> &X, int n, int D, int k, bool standardise)
{
    Projection p;
    p.standardise = standardise;
    if (standardise) {
        p.mean.assign(size_t(D), 0.f);
        p.inv.assign(size_t(D), 1.f);
        for (int d = 0; d < D; ++d) {
            double s = 0, s2 = 0;
            for (int i = 0; i < n; ++i) {
                const double v = X[size_t(i) * size_t(D) + size_t(d)];
                s += v;
                s2 += v * v;
            }
            const double m = s / n, var = std::max(0.0, s2 / n - m * m);
            p.mean[size_t(d)] = float(m);
            p.inv[size_t(d)] = float(1.0 / (std::sqrt(var) + 1e-6));
        }
    }
    p.pc = ResidualAnalysis::pca(p.transform(X, n), n, D, k);
    return p;
}

// The residual stream at "stage" s: 0 = embeddings, s = after layer s-1.
const HostTensor *stage(const Trace &t, int s)
{
    if (s == 0)
        return &t.embed;
    return size_t(s - 1) < t.layers.size() && !t.layers[size_t(s - 1)].residPost.isEmpty() ? &t.layers[size_t(s - 1)].residPost : nullptr;
}
} // namespace

ResidualPcaPanel::ResidualPcaPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_layerLabel = new QLabel;
    m_layer = new QSlider(Qt::Horizontal);
    m_layer->setObjectName(QStringLiteral("pcaLayer"));
    m_basis = new QComboBox;
    m_colour = new QComboBox;
    m_trajectory = new QCheckBox;
    m_trajectory->setChecked(true);
    m_3d = new QCheckBox;
    m_3d->setObjectName(QStringLiteral("pca3d"));
    m_standardise = new QCheckBox;
    m_standardise->setObjectName(QStringLiteral("pcaStandardise"));
    m_export = new QPushButton;
    m_source = new QComboBox;
    m_loadTagged = new QPushButton;
    row->addWidget(m_layerLabel);
    row->addWidget(m_layer, 1);
    row->addWidget(m_basis);
    row->addWidget(m_colour);
    row->addWidget(m_trajectory);
    row->addWidget(m_3d);
    row->addWidget(m_export);
    v->addLayout(row);
    auto *row2 = new QHBoxLayout;
    row2->addWidget(m_source);
    row2->addWidget(m_loadTagged);
    row2->addWidget(m_standardise);
    row2->addStretch(1);
    v->addLayout(row2);
    m_plot = new QCustomPlot;
    m_plot->setAutoAddPlottableToLegend(false); // legends are filled explicitly (adding hundreds of graphs to one is quadratic)
    m_plot->setObjectName(QStringLiteral("pcaPlot"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_scatter = new Scatter3D;
    m_scatter->setObjectName(QStringLiteral("pcaPlot3d"));
    m_stack = new QStackedWidget;
    m_stack->addWidget(m_plot);
    m_stack->addWidget(m_scatter);
    v->addWidget(m_stack, 1);
    m_info = new QLabel;
    m_info->setWordWrap(true);
    v->addWidget(m_info);
    connect(m_layer, &QSlider::valueChanged, this, &ResidualPcaPanel::redraw);
    connect(m_basis, &QComboBox::currentIndexChanged, this, &ResidualPcaPanel::redraw);
    connect(m_colour, &QComboBox::currentIndexChanged, this, &ResidualPcaPanel::redraw);
    connect(m_trajectory, &QCheckBox::toggled, this, &ResidualPcaPanel::redraw);
    connect(m_3d, &QCheckBox::toggled, this, &ResidualPcaPanel::set3D);
    connect(m_standardise, &QCheckBox::toggled, this, &ResidualPcaPanel::redraw);
    connect(m_source, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i == 1 && !m_tagged) {
            QString f = kTaggedFile.value();
            if (f.isEmpty())
                f = QFileDialog::getOpenFileName(this, tr("Tagged sentences"), QString(), tr("CoNLL-U (*.conllu);;All files (*)"));
            if (!f.isEmpty()) {
                loadTagged(f);
                return;
            }
            const QSignalBlocker b(m_source);
            m_source->setCurrentIndex(0);
        }
        redraw();
    });
    connect(m_loadTagged, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Tagged sentences"), QString(), tr("CoNLL-U (*.conllu);;All files (*)"));
        if (!f.isEmpty())
            loadTagged(f);
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        FigureExport::exportInteractively(this, m_3d->isChecked() ? static_cast<QWidget *>(m_scatter) : m_plot, figureData(), QStringLiteral("residual-pca"));
    });
    connect(context, &AppContext::traceChanged, this, [this] {
        const TracePtr t = this->context()->trace();
        const QSignalBlocker b(m_layer);
        if (!showingTagged()) {
            m_layer->setRange(0, t ? int(t->layers.size()) : 0);
            m_layer->setValue(m_layer->maximum());
        }
        redraw();
    });
    connect(context, &AppContext::selectionChanged, this, &ResidualPcaPanel::redraw);
    connect(context, &AppContext::modelChanged, this, [this] {
        // Tagged words belong to the model that traced them.
        m_tagged.reset();
        const QSignalBlocker b(m_source);
        m_source->setCurrentIndex(0);
    });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *e) {
        const TracePtr t = this->context()->trace();
        if (!t || m_xy.empty() || showingTagged())
            return;
        int best = -1;
        double bestD = 12 * 12;
        for (int i = 0; i < t->tokenCount(); ++i) {
            const double dx = m_plot->xAxis->coordToPixel(m_xy[size_t(i) * 2]) - e->position().x();
            const double dy = m_plot->yAxis->coordToPixel(m_xy[size_t(i) * 2 + 1]) - e->position().y();
            if (dx * dx + dy * dy < bestD) {
                bestD = dx * dx + dy * dy;
                best = i;
            }
        }
        if (best >= 0)
            QToolTip::showText(e->globalPosition().toPoint(), tr("#%1 '%2'").arg(best).arg(t->tokenStrings.value(best)), m_plot);
        else
            QToolTip::hideText();
    });
    retranslate();
}

void ResidualPcaPanel::retranslate()
{
    m_layerLabel->setText(tr("Layer"));
    for (auto [box, items] : {std::pair{m_basis, QStringList{tr("Basis of this layer"), tr("One basis for all layers")}},
                              std::pair{m_colour, QStringList{tr("Colour by position"), tr("Colour by token")}}}) {
        const int idx = std::max(0, box->currentIndex());
        const QSignalBlocker b(box);
        box->clear();
        box->addItems(items);
        box->setCurrentIndex(idx);
    }
    m_trajectory->setText(tr("Trajectory of the selected token"));
    m_3d->setText(tr("3-D"));
    m_3d->setToolTip(tr("Three principal components; drag to rotate, wheel to zoom, double-click to reset"));
    {
        const int idx = std::max(0, m_source->currentIndex());
        const QSignalBlocker b(m_source);
        m_source->clear();
        m_source->addItems({tr("Tokens of this run"), tr("Words of tagged sentences (CoNLL-U), by part of speech")});
        m_source->setCurrentIndex(idx);
    }
    m_loadTagged->setText(tr("CoNLL-U…"));
    m_standardise->setText(tr("Standardise dimensions"));
    m_standardise->setToolTip(tr("Z-score every dimension before PCA, so that a few rogue dimensions with huge variance do not take the first components"));
    m_export->setText(tr("Export…"));
    redraw();
}

void ResidualPcaPanel::setSharedBasis(bool shared)
{
    m_basis->setCurrentIndex(shared ? 1 : 0);
}
void ResidualPcaPanel::setLayerIndex(int index)
{
    m_layer->setValue(index);
}

void ResidualPcaPanel::set3D(bool on)
{
    if (m_3d->isChecked() != on) {
        m_3d->setChecked(on); // toggled() comes back here
        return;
    }
    m_stack->setCurrentIndex(on ? 1 : 0);
    redraw();
}

void ResidualPcaPanel::setStandardise(bool on)
{
    m_standardise->setChecked(on);
}

QWidget *ResidualPcaPanel::view3D() const
{
    return m_scatter;
}

bool ResidualPcaPanel::showingTagged() const
{
    return m_source->currentIndex() == 1 && m_tagged.has_value();
}

QStringList ResidualPcaPanel::taggedClasses() const
{
    return m_taggedClasses;
}

void ResidualPcaPanel::loadTagged(const QString &conllu, int maxSentences)
{
    auto model = context()->model();
    if (!model) {
        m_info->setText(tr("Load a model first."));
        Q_EMIT taggedReady(false);
        return;
    }
    m_info->setText(tr("Tracing the tagged sentences…"));
    const QString cache = QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath(QStringLiteral("probe-features"));
    context()->jobs()->submit(
        QStringLiteral("pca-tagged"), tr("Tagged sentences for PCA"),
        [model, conllu, maxSentences, cache](JobControl &c) {
            const ProbeDataset data = ProbeData::load(conllu, maxSentences);
            if (data.sentenceLevel())
                throw Error(QStringLiteral("%1 is not a CoNLL-U file.").arg(conllu));
            FeatureOptions o;
            o.cacheDir = cache;
            auto fs = std::make_shared<FeatureSet>(FeatureSet::extract(*model, data, o, &c));
            QStringList labels, words;
            for (const auto &[s, w] : fs->refs()) {
                labels << data.sentences[size_t(s)].words[size_t(w)].upos;
                words << data.sentences[size_t(s)].words[size_t(w)].form;
            }
            return QVariant::fromValue(
                std::static_pointer_cast<void>(std::make_shared<std::tuple<std::shared_ptr<FeatureSet>, QStringList, QStringList>>(fs, labels, words)));
        },
        this,
        [this, conllu](const JobResult &r) {
            if (!r.ok) {
                m_info->setText(r.cancelled ? tr("Cancelled.") : tr("Could not use %1: %2").arg(conllu, r.error));
                const QSignalBlocker b(m_source);
                m_source->setCurrentIndex(m_tagged ? 1 : 0);
                Q_EMIT taggedReady(false);
                return;
            }
            auto tuple = std::static_pointer_cast<std::tuple<std::shared_ptr<FeatureSet>, QStringList, QStringList>>(r.value.value<std::shared_ptr<void>>());
            m_tagged = *std::get<0>(*tuple);
            m_taggedLabels = std::get<1>(*tuple);
            m_taggedWords = std::get<2>(*tuple);
            QStringList classes = m_taggedLabels;
            classes.removeDuplicates();
            classes.sort();
            m_taggedClasses = classes;
            kTaggedFile.setValue(conllu);
            {
                const QSignalBlocker b(m_source), b2(m_layer);
                m_source->setCurrentIndex(1);
                m_layer->setRange(0, m_tagged->layers() - 1);
                m_layer->setValue(m_layer->maximum());
            }
            redraw();
            Q_EMIT taggedReady(true);
        });
}

bool ResidualPcaPanel::redrawTagged()
{
    using namespace ResidualAnalysis;
    const int layerPoint = std::clamp(m_layer->value(), 0, m_tagged->layers() - 1);
    const int D = m_tagged->dim();
    // The first word of each sentence is left out: it holds the sequence's first token, whose vector
    // is an outlier (the attention sink) that would take the first components for itself.
    const std::vector<float> all = m_tagged->layer(layerPoint);
    std::vector<float> X;
    QStringList labelsKept, wordsKept;
    for (int i = 0; i < m_tagged->items(); ++i) {
        if (m_tagged->refs()[size_t(i)].second == 0)
            continue;
        X.insert(X.end(), all.begin() + i * D, all.begin() + (i + 1) * D);
        labelsKept << m_taggedLabels[i];
        wordsKept << m_taggedWords[i];
    }
    const int n = int(labelsKept.size());
    if (n < 3) {
        m_info->setText(tr("Too few words to project."));
        return false;
    }
    const bool three = m_3d->isChecked();
    const Projection proj = fitProjection(X, n, D, three ? 3 : 2, m_standardise->isChecked());
    const Pca &pc = proj.pc;
    const std::vector<double> coords = proj.project(X, n);
    const int k = three ? 3 : 2;
    m_taggedXy = coords;
    auto colourOf = [this](const QString &label) { return PlotStyle::categoricalColor(int(m_taggedClasses.indexOf(label))); };
    if (three) {
        std::vector<QColor> colours;
        QStringList labels;
        for (int i = 0; i < n; ++i) {
            colours.push_back(colourOf(labelsKept[i]));
            labels << QStringLiteral("%1 (%2)").arg(wordsKept[i], labelsKept[i]);
        }
        m_scatter->setPoints(coords, colours, labels);
    } else {
        // One graph per class: the legend names the parts of speech.
        for (const QString &cls : std::as_const(m_taggedClasses)) {
            QCPGraph *g = m_plot->addGraph();
            g->setName(cls);
            g->addToLegend();
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colourOf(cls), 5));
            for (int i = 0; i < n; ++i)
                if (labelsKept[i] == cls)
                    g->addData(coords[size_t(i) * k], coords[size_t(i) * k + 1]);
        }
        m_plot->legend->setVisible(true);
        m_plot->legend->setFont(QFont(font().family(), 7));
        m_plot->rescaleAxes();
        m_plot->xAxis->setLabel(tr("PC1 (%1 % of variance)").arg(100 * pc.explained[0], 0, 'f', 1));
        m_plot->yAxis->setLabel(tr("PC2 (%1 % of variance)").arg(100 * pc.explained[1], 0, 'f', 1));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    m_layerLabel->setText(layerPoint == 0 ? tr("Embeddings") : tr("After layer %1").arg(layerPoint - 1));
    m_taggedKept = labelsKept;
    m_taggedKeptWords = wordsKept;
    m_info->setText(tr("%1 words of tagged sentences (first sub-word each; each sentence's first word left out, its vector is the "
                       "first-position outlier), coloured by part of speech (UPOS); the components shown explain %2 % of the variance.")
                        .arg(n)
                        .arg(100 * std::accumulate(pc.explained.begin(), pc.explained.end(), 0.0), 0, 'f', 1));
    return true;
}

bool ResidualPcaPanel::redraw()
{
    using namespace ResidualAnalysis;
    m_plot->clearPlottables(); // graphs and the trajectory curve
    m_plot->clearItems();
    m_plot->legend->setVisible(false);
    m_xy.clear();
    if (showingTagged())
        return redrawTagged();
    const TracePtr t = context()->trace();
    const int s = m_layer->value();
    const HostTensor *X = t ? stage(*t, s) : nullptr;
    if (!t || !X || t->tokenCount() < 3) {
        m_info->setText(t ? tr("PCA needs at least three tokens and the residual stream of this layer.")
                          : tr("Run a prompt to see its token vectors layer by layer."));
        PlotStyle::setPlaceholder(m_plot, m_info->text());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return false;
    }
    const int T = t->tokenCount(), D = int(X->dim(1));
    const bool shared = m_basis->currentIndex() == 1;
    Projection proj;
    if (shared) {
        std::vector<float> all;
        int rows = 0;
        for (int k = 0; k <= int(t->layers.size()); ++k)
            if (const HostTensor *h = stage(*t, k)) {
                const auto f = h->toFloatVector();
                all.insert(all.end(), f.begin(), f.end());
                rows += T;
            }
        proj = fitProjection(all, rows, D, m_3d->isChecked() ? 3 : 2, m_standardise->isChecked());
    } else {
        proj = fitProjection(X->toFloatVector(), T, D, m_3d->isChecked() ? 3 : 2, m_standardise->isChecked());
    }
    const Pca &pc = proj.pc;
    if (m_3d->isChecked()) {
        const std::vector<double> xyz = proj.project(X->toFloatVector(), T);
        std::vector<QColor> colours;
        for (int i = 0; i < T; ++i)
            colours.push_back(i == context()->token()         ? QColor(230, 40, 40)
                              : m_colour->currentIndex() == 0 ? QColor::fromHsvF(0.7 * i / std::max(1, T - 1), 0.75, 0.85)
                                                              : QColor::fromHsv(int(qHash(t->tokens[size_t(i)].id) % 360), 160, 200));
        m_scatter->setPoints(xyz, colours, t->tokenStrings);
        const int sel = context()->token();
        if (m_trajectory->isChecked() && sel >= 0 && sel < T) {
            std::vector<double> path;
            for (int st = 0; st <= int(t->layers.size()); ++st)
                if (const HostTensor *h = stage(*t, st)) {
                    const auto p = proj.project(h->slice0(sel).toFloatVector(), 1);
                    path.insert(path.end(), p.begin(), p.end());
                }
            m_scatter->setPath(path, QColor(230, 40, 40, 150));
        }
        m_layerLabel->setText(s == 0 ? tr("Embeddings") : tr("After layer %1").arg(t->layers[size_t(s - 1)].layer));
        m_info->setText(tr("%1 tokens; three principal components explain %2 % of the variance%3. Drag to rotate.")
                            .arg(T)
                            .arg(100 * (pc.explained[0] + pc.explained[1] + pc.explained[2]), 0, 'f', 1)
                            .arg(shared ? tr(" of all layers together") : QString()));
        return true;
    }
    m_xy = proj.project(X->toFloatVector(), T);
    // One graph per colour (QCustomPlot has no per-point colour): position hues are quantised to 48
    // steps, token hues to 72, so a 1,000-token run draws a few dozen graphs, not a thousand.
    std::map<QRgb, QCPGraph *> byColour;
    for (int i = 0; i < T; ++i) {
        const QColor c = m_colour->currentIndex() == 0 ? QColor::fromHsvF(0.7 * std::round(48.0 * i / std::max(1, T - 1)) / 48.0, 0.75, 0.85)
                                                       : QColor::fromHsv(int(qHash(t->tokens[size_t(i)].id) % 72) * 5, 160, 200);
        const bool selected = i == context()->token();
        const QRgb key = selected ? 0 : c.rgb(); // the selected token in a graph of its own, drawn last
        QCPGraph *&g = byColour[key];
        if (!g) {
            g = m_plot->addGraph();
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, selected ? QColor(230, 40, 40) : c, selected ? 12 : 7));
        }
        g->addData(m_xy[size_t(i) * 2], m_xy[size_t(i) * 2 + 1]);
        if (T <= 60) {
            auto *label = new QCPItemText(m_plot);
            label->position->setCoords(m_xy[size_t(i) * 2], m_xy[size_t(i) * 2 + 1]);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setPadding(QMargins(4, 0, 0, 2));
            label->setText(t->tokenStrings.value(i));
            label->setColor(QColor(70, 70, 70));
        }
    }
    // The selected token's path through the layers, in the same basis (meaningful in the shared basis).
    const int sel = context()->token();
    if (m_trajectory->isChecked() && sel >= 0 && sel < T) {
        QCPCurve *curve = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        int k = 0;
        for (int st = 0; st <= int(t->layers.size()); ++st)
            if (const HostTensor *h = stage(*t, st)) {
                const auto row = h->slice0(sel).toFloatVector();
                const auto p = proj.project(row, 1);
                curve->addData(k++, p[0], p[1]);
            }
        curve->setPen(QPen(QColor(230, 40, 40, 150), 1.5, Qt::DashLine));
        curve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(230, 40, 40, 150), 5));
    }
    m_plot->rescaleAxes();
    for (QCPAxis *a : {m_plot->xAxis, m_plot->yAxis})
        a->scaleRange(1.15, a->range().center());
    m_plot->xAxis->setLabel(tr("PC1 (%1 % of variance)").arg(100 * pc.explained[0], 0, 'f', 1));
    m_plot->yAxis->setLabel(tr("PC2 (%1 % of variance)").arg(100 * pc.explained[1], 0, 'f', 1));
    m_layerLabel->setText(s == 0 ? tr("Embeddings") : tr("After layer %1").arg(t->layers[size_t(s - 1)].layer));
    m_info->setText(tr("%1 tokens; the first two principal components explain %2 % of the variance%3. Drag the slider to move through depth.")
                        .arg(T)
                        .arg(100 * (pc.explained[0] + pc.explained[1]), 0, 'f', 1)
                        .arg(shared ? tr(" of all layers together") : QString()));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return true;
}

FigureData ResidualPcaPanel::figureData() const
{
    FigureData fd;
    if (showingTagged()) {
        const int k = m_3d->isChecked() ? 3 : 2;
        fd.title = QStringLiteral("PCA of tagged words, layer point %1 (UPOS in the row label)").arg(m_layer->value());
        fd.columnLabels = k == 3 ? QStringList{QStringLiteral("PC1"), QStringLiteral("PC2"), QStringLiteral("PC3")}
                                 : QStringList{QStringLiteral("PC1"), QStringLiteral("PC2")};
        for (int i = 0; i < int(m_taggedXy.size()) / k; ++i) {
            fd.rowLabels << QStringLiteral("%1/%2").arg(m_taggedKeptWords.value(i), m_taggedKept.value(i));
            fd.values.emplace_back(m_taggedXy.begin() + i * k, m_taggedXy.begin() + (i + 1) * k);
        }
        return fd;
    }
    const TracePtr t = context()->trace();
    if (!t || m_xy.empty())
        return fd;
    fd.title = QStringLiteral("residual stream PCA, stage %1").arg(m_layer->value());
    fd.columnLabels = {QStringLiteral("PC1"), QStringLiteral("PC2")};
    fd.rowLabels = t->tokenStrings;
    for (int i = 0; i < t->tokenCount(); ++i)
        fd.values.push_back({m_xy[size_t(i) * 2], m_xy[size_t(i) * 2 + 1]});
    return fd;
}

} // namespace strata
