#include "ContributionsPanel.h"

#include "AnswerTokens.h"
#include "AppContext.h"
#include "PlotStyle.h"
#include "analysis/Compare.h"
#include "analysis/ResidualAnalysis.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include "model/ModelFamily.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"
#include "jobs/JobRunner.h"

#include <qcustomplot.h>

namespace strata {

namespace {
// Bars of one series per layer, shifted sideways so that two series stand side by side.
void addLayerBars(QCustomPlot *plot, const QVector<double> &x, const std::vector<double> &y, double offset, const QString &name, const QColor &colour)
{
    auto *b = new QCPBars(plot->xAxis, plot->yAxis);
    QVector<double> xs;
    for (double xv : x)
        xs << xv + offset;
    b->setData(xs, QVector<double>(y.begin(), y.end()));
    b->setWidth(0.35);
    b->setName(name);
    b->setBrush(colour);
    b->setPen(Qt::NoPen);
}
} // namespace

ContributionsPanel::ContributionsPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_info = new QLabel;
    m_info->setWordWrap(true);
    m_export = new QPushButton;
    row->addWidget(m_info, 1);
    row->addWidget(m_export);
    v->addLayout(row);
    auto *split = new QSplitter(Qt::Vertical);
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("contributionsPlot"));
    PlotStyle::putLegendBelow(m_plot); // never over the layer-0 bars
    split->addWidget(m_plot);
    auto *lower = new QWidget;
    auto *lv = new QVBoxLayout(lower);
    lv->setContentsMargins(0, 0, 0, 0);
    auto *row2 = new QHBoxLayout;
    m_targetLabel = new QLabel;
    m_target = new QLineEdit;
    m_target->setObjectName(QStringLiteral("dlaTarget"));
    m_target->setClearButtonEnabled(true);
    m_exportEffects = new QPushButton;
    row2->addWidget(m_targetLabel);
    row2->addWidget(m_target, 1);
    m_perHead = new QPushButton;
    m_perHead->setObjectName(QStringLiteral("perHeadEffects"));
    row2->addWidget(m_perHead);
    row2->addWidget(m_exportEffects);
    lv->addLayout(row2);
    m_targetTokens = new QLabel;
    m_targetTokens->setObjectName(QStringLiteral("dlaTargetTokens"));
    lv->addWidget(m_targetTokens);
    m_targetTokens->setVisible(false);
    m_effectsInfo = new QLabel;
    m_effectsInfo->setWordWrap(true);
    lv->addWidget(m_effectsInfo);
    m_effects = new QCustomPlot;
    m_effects->setObjectName(QStringLiteral("directEffectsPlot"));
    PlotStyle::putLegendBelow(m_effects);
    m_headEffects = new QCustomPlot;
    m_headEffects->setObjectName(QStringLiteral("headEffectsPlot"));
    auto *side = new QSplitter(Qt::Horizontal);
    side->addWidget(m_effects);
    side->addWidget(m_headEffects);
    side->setSizes({500, 350});
    lv->addWidget(side, 1);
    split->addWidget(lower);
    v->addWidget(split, 1);
    connect(m_export, &QPushButton::clicked, this, [this] { FigureExport::exportInteractively(this, m_plot, figureData(), QStringLiteral("contributions")); });
    connect(m_exportEffects, &QPushButton::clicked, this,
            [this] { FigureExport::exportInteractively(this, m_effects, effectsData(), QStringLiteral("direct-effects")); });
    connect(m_target, &QLineEdit::editingFinished, this, &ContributionsPanel::redrawEffects);
    connect(m_target, &QLineEdit::textChanged, this, [this](const QString &text) {
        const auto model = this->context()->model();
        m_targetTokens->setText(model ? answerTokensText(*model, text) : QString());
        m_targetTokens->setVisible(!m_targetTokens->text().isEmpty());
    });
    connect(m_perHead, &QPushButton::clicked, this, &ContributionsPanel::computeHeadEffects);
    connect(context, &AppContext::traceChanged, this, [this] {
        m_headTrace.reset();
        m_headValues.clear();
        drawHeadEffects();
    });
    connect(context, &AppContext::traceChanged, this, &ContributionsPanel::redraw);
    connect(context, &AppContext::traceChanged, this, &ContributionsPanel::redrawEffects);
    connect(context, &AppContext::selectionChanged, this, &ContributionsPanel::redrawEffects);
    connect(context, &AppContext::modelChanged, this, &ContributionsPanel::redrawEffects);
    retranslate();
}

void ContributionsPanel::retranslate()
{
    m_info->setText(tr("Mean L2 norm per token of what each layer's attention and MLP write into the residual stream, and of the stream itself."));
    m_export->setText(tr("Export…"));
    m_exportEffects->setText(tr("Export…"));
    m_targetLabel->setText(tr("Direct effect on the logit of"));
    m_perHead->setText(tr("Per head"));
    m_perHead->setToolTip(tr("Run the prompt again keeping what each head writes, and show each head's direct effect"));
    m_target->setPlaceholderText(tr("a token, e.g. ' Mary' (empty: the model's prediction)"));
    redraw();
    redrawEffects();
}

void ContributionsPanel::setTargetToken(const QString &text)
{
    m_target->setText(text);
    redrawEffects();
}

namespace {
// The token the panel explains: the one typed (its first token), else the model's own top prediction
// after the position.
int64_t targetToken(LoadedModel &model, const Trace &t, int position, const QString &text)
{
    const int64_t id = Compare::firstToken(model, text);
    return id >= 0 ? id : Compare::predictedToken(t, position);
}
} // namespace

QString ContributionsPanel::targetTokensShown() const
{
    return m_targetTokens->text();
}

void ContributionsPanel::redrawEffects()
{
    m_effects->clearPlottables();
    m_effects->legend->setVisible(false);
    const TracePtr t = context()->trace();
    const auto model = context()->model();
    if (!t || t->layers.empty() || !model || model->info().fingerprint != t->model.fingerprint) {
        m_effectsInfo->setText(t ? tr("Load this run's model to see the direct effect of each layer on a token's logit.") : QString());
        m_effects->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int pos = context()->token() < 0 ? t->tokenCount() - 1 : std::min(context()->token(), t->tokenCount() - 1);
    try {
        const int64_t token = targetToken(*model, *t, pos, m_target->text());
        const ResidualAnalysis::DirectEffects e = ResidualAnalysis::directEffects(*model, *t, pos, token);
        m_headValues.clear();
        if (m_headTrace && m_headTrace->tokenCount() == t->tokenCount())
            m_headValues = ResidualAnalysis::directEffects(*model, *m_headTrace, pos, token).heads;
        drawHeadEffects();
        m_effectsInfo->setText(tr("After '%1' (#%2): logit of '%3' is %4. Each bar: how much it drops when that sublayer's output is removed from the "
                                  "final residual stream (direct path only, final norm recomputed).")
                                   .arg(t->tokenStrings.value(pos))
                                   .arg(pos)
                                   .arg(model->tokenizer().displayString(token))
                                   .arg(e.logit, 0, 'f', 2));
        QVector<double> x;
        for (int l : e.layers)
            x << l;
        auto *emb = new QCPBars(m_effects->xAxis, m_effects->yAxis);
        emb->setData(QVector<double>{-1}, QVector<double>{e.embed});
        emb->setWidth(0.5);
        emb->setName(tr("embeddings"));
        emb->setBrush(QColor(120, 120, 120));
        emb->setPen(Qt::NoPen);
        addLayerBars(m_effects, x, e.attn, -0.18, tr("attention output"), QColor(0, 114, 178));
        addLayerBars(m_effects, x, e.mlp, 0.18, tr("MLP output"), QColor(213, 94, 0));
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        ticker->addTick(-1, tr("emb"));
        for (int l : e.layers)
            ticker->addTick(l, QString::number(l));
        m_effects->xAxis->setTicker(ticker);
        m_effects->xAxis->setLabel(tr("Layer"));
        m_effects->yAxis->setLabel(tr("Direct effect on the logit"));
        m_effects->rescaleAxes();
        m_effects->xAxis->setRange(-1.6, double(e.layers.size()) - 0.4);
        const QCPRange r = m_effects->yAxis->range();
        m_effects->yAxis->setRange(std::min(0.0, r.lower) - 0.1 * r.size(), std::max(0.0, r.upper) + 0.1 * r.size());
        m_effects->legend->setVisible(true);
    } catch (const Error &err) {
        m_effectsInfo->setText(err.message());
    }
    m_effects->replot(QCustomPlot::rpQueuedReplot);
}

void ContributionsPanel::computeHeadEffects()
{
    const TracePtr t = context()->trace();
    const auto model = context()->model();
    if (!t || !model || model->info().fingerprint != t->model.fingerprint) {
        m_effectsInfo->setText(tr("Load this run's model to see the direct effect of each layer on a token's logit."));
        Q_EMIT headEffectsReady();
        return;
    }
    m_perHead->setEnabled(false);
    const QString prompt = t->prompt;
    context()->jobs()->submit(
        QStringLiteral("head-effects"), tr("Per-head outputs"),
        [model, prompt](JobControl &c) {
            TraceOptions o;
            o.attention = false;
            o.headOutputs = true;
            return QVariant::fromValue(TracePtr(model->trace(prompt, o, &c)));
        },
        this,
        [this, t](const JobResult &r) {
            m_perHead->setEnabled(true);
            if (r.ok && context()->trace() == t)
                m_headTrace = r.value.value<TracePtr>();
            else if (!r.ok && !r.cancelled)
                m_effectsInfo->setText(tr("Per-head outputs failed: %1").arg(r.error));
            redrawEffects();
            Q_EMIT headEffectsReady();
        });
}

void ContributionsPanel::drawHeadEffects()
{
    m_headEffects->clearPlottables();
    m_headEffects->plotLayout()->clear();
    auto *rect = new QCPAxisRect(m_headEffects);
    m_headEffects->plotLayout()->addElement(0, 0, rect);
    if (m_headValues.empty()) {
        auto *hint = new QCPTextElement(m_headEffects, tr("Per head: press “Per head”"), QFont(font().family(), 9));
        m_headEffects->plotLayout()->addElement(1, 0, hint);
        m_headEffects->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int L = int(m_headValues.size()), H = int(m_headValues.front().size());
    auto *map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    map->data()->setSize(H, L);
    map->data()->setRange(QCPRange(0, H - 1), QCPRange(0, L - 1));
    double maxAbs = 1e-6;
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            map->data()->setCell(h, l, m_headValues[size_t(l)][size_t(h)]);
            maxAbs = std::max(maxAbs, std::abs(m_headValues[size_t(l)][size_t(h)]));
        }
    auto *scale = new QCPColorScale(m_headEffects);
    m_headEffects->plotLayout()->addElement(0, 1, scale);
    map->setColorScale(scale);
    scale->setGradient(PlotStyle::divergingGradient());
    scale->setDataRange(QCPRange(-maxAbs, maxAbs));
    scale->axis()->setLabel(tr("Direct effect"));
    map->setInterpolate(false);
    rect->axis(QCPAxis::atBottom)->setLabel(tr("Head"));
    rect->axis(QCPAxis::atLeft)->setLabel(tr("Layer"));
    rect->axis(QCPAxis::atBottom)->setRange(-0.5, H - 0.5);
    rect->axis(QCPAxis::atLeft)->setRange(-0.5, L - 0.5);
    rect->axis(QCPAxis::atLeft)->setRangeReversed(true);
    m_headEffects->replot(QCustomPlot::rpQueuedReplot);
}

FigureData ContributionsPanel::effectsData() const
{
    FigureData fd;
    const TracePtr t = context()->trace();
    const auto model = context()->model();
    if (!t || !model || model->info().fingerprint != t->model.fingerprint)
        return fd;
    const int pos = context()->token() < 0 ? t->tokenCount() - 1 : std::min(context()->token(), t->tokenCount() - 1);
    try {
        const int64_t token = targetToken(*model, *t, pos, m_target->text());
        const ResidualAnalysis::DirectEffects e = ResidualAnalysis::directEffects(*model, *t, pos, token);
        fd.title = QStringLiteral("direct effect on the logit of token %1 after position %2 (model logit %3)").arg(token).arg(pos).arg(e.logit);
        fd.columnLabels = {QStringLiteral("attn_out"), QStringLiteral("mlp_out")};
        fd.rowLabels << QStringLiteral("embeddings");
        fd.values.push_back({e.embed, std::nan("")});
        for (size_t i = 0; i < e.layers.size(); ++i) {
            fd.rowLabels << QStringLiteral("layer %1").arg(e.layers[i]);
            fd.values.push_back({e.attn[i], e.mlp[i]});
        }
    } catch (const Error &) {
    }
    return fd;
}

void ContributionsPanel::redraw()
{
    m_plot->clearPlottables();
    const TracePtr t = context()->trace();
    if (!t || t->layers.empty()) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const ResidualAnalysis::Contributions c = ResidualAnalysis::contributionNorms(*t);
    QVector<double> x;
    for (int l : c.layers)
        x << l;
    addLayerBars(m_plot, x, c.attnOut, -0.18, tr("attention output"), QColor(0, 114, 178));
    addLayerBars(m_plot, x, c.mlpOut, 0.18, tr("MLP output"), QColor(213, 94, 0));
    QCPGraph *g = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    g->setData(x, QVector<double>(c.residPost.begin(), c.residPost.end()));
    g->setName(tr("residual stream (right axis)"));
    g->setPen(QPen(QColor(60, 60, 60), 2));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    m_plot->yAxis2->setVisible(true);
    m_plot->rescaleAxes();
    m_plot->yAxis->setRange(0, m_plot->yAxis->range().upper * 1.1);
    m_plot->yAxis2->setRange(0, m_plot->yAxis2->range().upper * 1.1);
    m_plot->xAxis->setRange(-0.6, c.layers.size() - 0.4);
    m_plot->xAxis->setLabel(tr("Layer"));
    m_plot->yAxis->setLabel(tr("Mean norm written per token"));
    m_plot->yAxis2->setLabel(tr("Residual stream norm"));
    m_plot->legend->setVisible(true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

FigureData ContributionsPanel::figureData() const
{
    FigureData fd;
    const TracePtr t = context()->trace();
    if (!t)
        return fd;
    const ResidualAnalysis::Contributions c = ResidualAnalysis::contributionNorms(*t);
    fd.title = QStringLiteral("mean L2 norm per token");
    fd.columnLabels = {QStringLiteral("attn_out"), QStringLiteral("mlp_out"), QStringLiteral("resid_post")};
    for (size_t i = 0; i < c.layers.size(); ++i) {
        fd.rowLabels << QStringLiteral("layer %1").arg(c.layers[i]);
        fd.values.push_back({c.attnOut[i], c.mlpOut[i], c.residPost[i]});
    }
    return fd;
}

} // namespace strata
