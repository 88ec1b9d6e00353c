// ComparePanel's figures and tables: the PCA of both runs, the logit lens A | B, the contributions, the
// heatmaps of attention and the difference, the per-layer plots and the head table, with their export
// data. The panel's controls, the comparison job and saving are in ComparePanel.cpp.
#include "ComparePanel.h"

#include "AppContext.h"
#include "PlotStyle.h"
#include "analysis/LogitLens.h"
#include "analysis/ResidualAnalysis.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QTableWidget>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace strata {

void ComparePanel::drawPca()
{
    m_pca->clearPlottables();
    m_pca->clearItems();
    if (!hasComparison() || !oneModel()) {
        if (hasComparison())
            m_pca->xAxis->setLabel(tr("Two models' vectors live in different spaces: no shared PCA (see CKA by layer)."));
        m_pca->legend->setVisible(m_pca->plottableCount() > 0); // an empty legend would squeeze the plot
        m_pca->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    // One basis for both runs at the cursor's layer: A's and B's token vectors stacked.
    const int layer = std::clamp(context()->layer(), 0, int(m_a->layers.size()) - 1);
    const HostTensor &ra = m_a->layers[size_t(layer)].residPost, &rb = m_b->layers[size_t(layer)].residPost;
    if (ra.isEmpty() || rb.isEmpty()) {
        m_pca->legend->setVisible(m_pca->plottableCount() > 0); // an empty legend would squeeze the plot
        m_pca->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int D = int(ra.dim(1)), Ta = int(ra.dim(0)), Tb = int(rb.dim(0));
    std::vector<float> X = ra.toFloatVector();
    const std::vector<float> xb = rb.toFloatVector();
    X.insert(X.end(), xb.begin(), xb.end());
    const ResidualAnalysis::Pca p = ResidualAnalysis::pca(X, Ta + Tb, D, 2);
    const std::vector<double> c = p.project(X, Ta + Tb);
    auto scatter = [&](int from, int count, const QString &name, const QColor &colour) {
        QCPGraph *g = m_pca->addGraph();
        g->setName(name);
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 7));
        for (int i = 0; i < count; ++i)
            g->addData(c[size_t(from + i) * 2], c[size_t(from + i) * 2 + 1]);
    };
    scatter(0, Ta, tr("A tokens"), QColor(0, 114, 178));
    scatter(Ta, Tb, tr("B tokens"), QColor(213, 94, 0));
    // Aligned pairs joined: how far each token moved between the runs; differing tokens labelled.
    for (size_t k = 0; k < m_alignment.pairs.size(); ++k) {
        const auto [i, j] = m_alignment.pairs[k];
        auto *line = new QCPItemLine(m_pca);
        line->start->setCoords(c[size_t(i) * 2], c[size_t(i) * 2 + 1]);
        line->end->setCoords(c[size_t(Ta + j) * 2], c[size_t(Ta + j) * 2 + 1]);
        line->setPen(QPen(QColor(120, 120, 120, m_alignment.sameToken[k] ? 70 : 220), m_alignment.sameToken[k] ? 1 : 2));
        if (!m_alignment.sameToken[k]) {
            auto *label = new QCPItemText(m_pca);
            label->position->setCoords(c[size_t(Ta + j) * 2], c[size_t(Ta + j) * 2 + 1]);
            label->setText(m_a->tokenStrings.value(i) + QStringLiteral("→") + m_b->tokenStrings.value(j));
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setFont(QFont(font().family(), 8));
        }
    }
    m_pca->rescaleAxes();
    m_pca->xAxis->scaleRange(1.1);
    m_pca->yAxis->scaleRange(1.1);
    m_pca->xAxis->setLabel(tr("PC1 (%1% of variance), layer %2; lines join aligned tokens").arg(100 * p.explained[0], 0, 'f', 1).arg(layer));
    m_pca->yAxis->setLabel(tr("PC2 (%1%)").arg(100 * p.explained[1], 0, 'f', 1));
    m_pca->legend->setVisible(m_pca->plottableCount() > 0); // an empty legend would squeeze the plot
    m_pca->replot(QCustomPlot::rpQueuedReplot);
}

void ComparePanel::fillLens()
{
    m_lens->clear();
    m_lens->setRowCount(0);
    auto topPerLayer = [](LoadedModel &model, const Trace &t) {
        // The last position read through the final norm and unembedding after every block.
        const HostTensor logits = Compare::lensLogits(model, t);
        const int64_t V = logits.dim(1);
        QStringList out;
        for (int l = 0; l < int(logits.dim(0)); ++l) {
            const std::vector<double> p = LogitLens::softmax(logits.slice0(l).toFloatVector().data(), V);
            const auto best = std::max_element(p.begin(), p.end()) - p.begin();
            out << QStringLiteral("%1  (%2)").arg(model.tokenizer().displayString(int64_t(best))).arg(p[size_t(best)], 0, 'f', 3);
        }
        return out;
    };
    if (!hasComparison())
        return;
    auto modelA = context()->model();
    std::shared_ptr<LoadedModel> modelB = m_modelBLoaded ? m_modelBLoaded : modelA;
    if (!modelA || modelA->info().fingerprint != m_a->model.fingerprint || !modelB || modelB->info().fingerprint != m_b->model.fingerprint) {
        m_lens->setColumnCount(1);
        m_lens->setHorizontalHeaderLabels({tr("Load the runs' models to read their layers through the unembedding.")});
        return;
    }
    try {
        const QStringList a = topPerLayer(*modelA, *m_a), b = topPerLayer(*modelB, *m_b);
        const int rows = int(std::max(a.size(), b.size()));
        m_lens->setColumnCount(3);
        m_lens->setHorizontalHeaderLabels(
            {tr("After block (relative depth)"), tr("A: top prediction at the last token"), tr("B: top prediction at the last token")});
        m_lens->setRowCount(rows);
        for (int r = 0; r < rows; ++r) {
            m_lens->setItem(r, 0, new QTableWidgetItem(QStringLiteral("%1 (%2)").arg(r).arg(rows > 1 ? double(r) / (rows - 1) : 0.0, 0, 'f', 2)));
            // Across models, rows are matched by relative depth.
            const int ra = int(std::lround(double(r) / std::max(1, rows - 1) * std::max(0, int(a.size()) - 1)));
            const int rb = int(std::lround(double(r) / std::max(1, rows - 1) * std::max(0, int(b.size()) - 1)));
            m_lens->setItem(r, 1, new QTableWidgetItem(a.value(ra)));
            m_lens->setItem(r, 2, new QTableWidgetItem(b.value(rb)));
        }
        m_lens->resizeColumnsToContents();
    } catch (const Error &e) {
        m_lens->setColumnCount(1);
        m_lens->setHorizontalHeaderLabels({e.message()});
    }
}

void ComparePanel::drawContributions()
{
    m_contrib->clearPlottables();
    if (!hasComparison()) {
        m_contrib->legend->setVisible(m_contrib->plottableCount() > 0); // an empty legend would squeeze the plot
        m_contrib->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const ResidualAnalysis::Contributions ca = ResidualAnalysis::contributionNorms(*m_a), cb = ResidualAnalysis::contributionNorms(*m_b);
    auto add = [&](const ResidualAnalysis::Contributions &c, const std::vector<double> &y, const QString &name, const QColor &colour, Qt::PenStyle style) {
        QCPGraph *g = m_contrib->addGraph();
        QVector<double> x;
        for (size_t l = 0; l < c.layers.size(); ++l)
            x << (c.layers.size() > 1 ? double(l) / double(c.layers.size() - 1) : 0.0);
        g->setData(x, QVector<double>(y.begin(), y.end()));
        g->setName(name);
        g->setPen(QPen(colour, 2, style));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    };
    add(ca, ca.attnOut, tr("A attention output"), QColor(0, 114, 178), Qt::SolidLine);
    add(ca, ca.mlpOut, tr("A MLP output"), QColor(213, 94, 0), Qt::SolidLine);
    add(cb, cb.attnOut, tr("B attention output"), QColor(0, 114, 178), Qt::DashLine);
    add(cb, cb.mlpOut, tr("B MLP output"), QColor(213, 94, 0), Qt::DashLine);
    m_contrib->xAxis->setLabel(tr("Relative depth (0 = first block, 1 = last)"));
    m_contrib->yAxis->setLabel(tr("Mean norm written per token"));
    m_contrib->rescaleAxes();
    m_contrib->xAxis->setRange(-0.05, 1.05);
    m_contrib->yAxis->setRange(0, m_contrib->yAxis->range().upper * 1.1);
    m_contrib->legend->setVisible(m_contrib->plottableCount() > 0); // an empty legend would squeeze the plot
    m_contrib->replot(QCustomPlot::rpQueuedReplot);
}

void ComparePanel::drawHeatmaps()
{
    m_heatmaps->clearPlottables();
    m_heatmaps->plotLayout()->clear();
    if (!hasComparison() || m_alignment.pairs.empty()) {
        m_heatmaps->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int layer = context()->layer(), head = context()->head();
    const int M = int(m_alignment.pairs.size());
    std::vector<double> A, B, D;
    try {
        A = Compare::alignedAttention(*m_a, m_alignment, false, layer, std::min(head, m_a->model.nHeads - 1));
        const int layerB = oneModel() ? layer : int(std::lround(double(layer) / std::max(1, m_a->model.nLayers - 1) * std::max(0, m_b->model.nLayers - 1)));
        B = Compare::alignedAttention(*m_b, m_alignment, true, layerB, std::min(head, m_b->model.nHeads - 1));
    } catch (const Error &) {
        m_heatmaps->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    D.resize(A.size());
    double maxAbs = 1e-6;
    for (size_t i = 0; i < A.size(); ++i) {
        D[i] = A[i] - B[i];
        if (!std::isnan(D[i]))
            maxAbs = std::max(maxAbs, std::abs(D[i]));
    }
    auto labels = QSharedPointer<QCPAxisTickerText>::create(), labelsY = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < M; ++i) {
        const auto [ia, ib] = m_alignment.pairs[size_t(i)];
        const QString la = m_a->tokenStrings.value(ia), lb = m_b->tokenStrings.value(ib);
        const QString text = m_alignment.sameToken[size_t(i)] ? la : la + QStringLiteral("→") + lb;
        labels->addTick(i, text);
        labelsY->addTick(M - 1 - i, text);
    }
    const QStringList titles{tr("A  (layer %1, head %2)").arg(layer).arg(head), tr("B"), tr("A − B")};
    const std::vector<double> *data[3] = {&A, &B, &D};
    auto *title = new QCPTextElement(m_heatmaps, tr("Attention over aligned tokens; → marks a token that differs"), QFont(font().family(), 9));
    m_heatmaps->plotLayout()->addElement(0, 0, title);
    auto *row = new QCPLayoutGrid;
    m_heatmaps->plotLayout()->addElement(1, 0, row);
    for (int p = 0; p < 3; ++p) {
        auto *rect = new QCPAxisRect(m_heatmaps);
        row->addElement(0, p, rect);
        auto *map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        map->data()->setSize(M, M);
        map->data()->setRange(QCPRange(0, M - 1), QCPRange(0, M - 1));
        for (int q = 0; q < M; ++q)
            for (int k = 0; k < M; ++k)
                map->data()->setCell(k, M - 1 - q, (*data[p])[size_t(q * M + k)]);
        map->setInterpolate(false);
        map->setName(titles[p]);
        QCPAxis *x = rect->axis(QCPAxis::atBottom), *y = rect->axis(QCPAxis::atLeft);
        x->setTicker(labels);
        y->setTicker(p == 0 ? labelsY : QSharedPointer<QCPAxisTickerText>::create());
        x->setTickLabelRotation(70);
        const QFont small(font().family(), M > 30 ? 6 : 7);
        x->setTickLabelFont(small);
        y->setTickLabelFont(small);
        x->setRange(-0.5, M - 0.5);
        y->setRange(-0.5, M - 0.5);
        x->setLabel(titles[p]);
        auto *scale = new QCPColorScale(m_heatmaps);
        scale->setType(QCPAxis::atBottom);
        scale->setBarWidth(6);
        row->addElement(1, p, scale);
        map->setColorScale(scale); // the scale decides gradient and range from here on
        if (p < 2) {
            scale->setGradient(PlotStyle::sequentialGradient());
            scale->setDataRange(QCPRange(0, 1));
        } else {
            scale->setGradient(PlotStyle::divergingGradient());
            scale->setDataRange(QCPRange(-maxAbs, maxAbs));
        }
        scale->axis()->setTickLabelFont(QFont(font().family(), 7));
    }
    m_heatmaps->replot(QCustomPlot::rpQueuedReplot);
}

void ComparePanel::drawLayerPlots()
{
    m_layers->clearPlottables();
    m_logits->clearPlottables();
    // Empty axes before a first comparison say what fills them.
    PlotStyle::setPlaceholder(m_layers, m_similarity ? QString() : tr("Type a B prompt and press Compare: how alike A and B are at each layer appears here."));
    PlotStyle::setPlaceholder(m_logits, !m_logitA.empty() ? QString()
                                                          : tr("Give two answers and press Compare: their logit difference through the layers appears here."));
    if (m_similarity) {
        const LayerSimilarity &s = *m_similarity;
        QVector<double> x;
        QVector<QString> ticks;
        for (size_t l = 0; l < s.depthA.size(); ++l) {
            x << double(l);
            ticks << (l == 0 ? tr("emb") : QString::number(l - 1));
        }
        auto t = QSharedPointer<QCPAxisTickerText>::create();
        t->addTicks(x, ticks);
        m_layers->xAxis->setTicker(t);
        auto add = [&](const std::vector<double> &y, const QString &name, const QColor &c, Qt::PenStyle style) {
            if (std::all_of(y.begin(), y.end(), [](double v) { return std::isnan(v); }))
                return;
            QCPGraph *g = m_layers->addGraph();
            g->setData(x, QVector<double>(y.begin(), y.end()));
            g->setName(name);
            g->setPen(QPen(c, 2, style));
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
        };
        add(s.positionMean, tr("mean cosine over aligned positions"), QColor(0, 114, 178), Qt::SolidLine);
        add(s.sentence, tr("cosine of sentence vectors (mean-pooled)"), QColor(213, 94, 0), Qt::SolidLine);
        add(s.cka, tr("linear CKA over aligned tokens"), QColor(0, 158, 115), Qt::DashLine);
        m_layers->xAxis->setLabel(oneModel() ? tr("Layer") : tr("Layer of A (B at the same relative depth)"));
        m_layers->yAxis->setLabel(tr("Similarity of A and B"));
        m_layers->rescaleAxes();
        m_layers->xAxis->setRange(-0.3, double(s.depthA.size()) - 0.7);
        // Fitted to the values (similarities of related prompts sit close to 1), never above 1.
        const QCPRange r = m_layers->yAxis->range();
        const double pad = std::max(0.01, 0.1 * r.size());
        m_layers->yAxis->setRange(r.lower - pad, std::min(1.0 + pad / 4, r.upper + pad));
    }
    m_layers->legend->setVisible(m_layers->plottableCount() > 0); // an empty legend would squeeze the plot
    m_layers->replot(QCustomPlot::rpQueuedReplot);
    if (!m_logitA.empty()) {
        QVector<double> x;
        for (size_t l = 0; l < m_logitA.size(); ++l)
            x << double(l);
        QCPGraph *ga = m_logits->addGraph();
        ga->setData(x, QVector<double>(m_logitA.begin(), m_logitA.end()));
        ga->setName(tr("A"));
        ga->setPen(QPen(QColor(0, 114, 178), 2));
        ga->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
        QCPGraph *gb = m_logits->addGraph();
        gb->setData(x, QVector<double>(m_logitB.begin(), m_logitB.end()));
        gb->setName(tr("B"));
        gb->setPen(QPen(QColor(213, 94, 0), 2));
        gb->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
        m_logits->xAxis->setLabel(tr("After block"));
        m_logits->yAxis->setLabel(tr("Logit difference (answer 1 − answer 2)"));
        m_logits->rescaleAxes();
        m_logits->xAxis->setRange(-0.3, double(m_logitA.size()) - 0.7);
    }
    m_logits->legend->setVisible(m_logits->plottableCount() > 0); // an empty legend would squeeze the plot
    m_logits->replot(QCustomPlot::rpQueuedReplot);
}

void ComparePanel::fillHeads()
{
    m_heads->clear();
    m_heads->setRowCount(0);
    m_headDiffs.clear();
    if (!hasComparison())
        return;
    if (!oneModel()) {
        // Role mix by relative depth, side by side.
        const QList<HeadRole> roles = HeadMetrics::allRoles();
        m_heads->setColumnCount(3);
        m_heads->setHorizontalHeaderLabels({tr("Relative depth"), tr("A: roles"), tr("B: roles")});
        const auto ma = Compare::roleMix(*m_a), mb = Compare::roleMix(*m_b);
        auto describe = [&roles](const std::vector<double> &mix) {
            QStringList parts;
            for (int r = 0; r < roles.size(); ++r)
                if (mix[size_t(r)] > 0)
                    parts << QStringLiteral("%1 %2%").arg(HeadMetrics::roleName(roles[r])).arg(std::lround(100 * mix[size_t(r)]));
            return parts.join(QStringLiteral(", "));
        };
        m_heads->setRowCount(int(ma.size()));
        for (size_t l = 0; l < ma.size(); ++l) {
            const double depth = ma.size() > 1 ? double(l) / double(ma.size() - 1) : 0;
            const size_t lb = size_t(std::lround(depth * double(std::max<size_t>(1, mb.size()) - 1)));
            m_heads->setItem(int(l), 0, new QTableWidgetItem(QString::number(depth, 'f', 2)));
            m_heads->setItem(int(l), 1, new QTableWidgetItem(describe(ma[l])));
            m_heads->setItem(int(l), 2, new QTableWidgetItem(lb < mb.size() ? describe(mb[lb]) : QString()));
        }
        m_heads->resizeColumnsToContents();
        return;
    }
    const auto diffs = Compare::headDifferences(*m_a, *m_b, m_metric->currentText());
    m_heads->setColumnCount(4);
    m_heads->setHorizontalHeaderLabels({tr("Head"), tr("A"), tr("B"), tr("A − B")});
    const int rows = int(std::min<size_t>(diffs.size(), 24));
    m_heads->setRowCount(rows);
    for (int i = 0; i < rows; ++i) {
        const HeadDifference &h = diffs[size_t(i)];
        m_heads->setItem(i, 0, new QTableWidgetItem(QStringLiteral("L%1H%2").arg(h.layer).arg(h.head)));
        m_heads->setItem(i, 1, new QTableWidgetItem(QString::number(h.a, 'f', 3)));
        m_heads->setItem(i, 2, new QTableWidgetItem(QString::number(h.b, 'f', 3)));
        m_heads->setItem(i, 3, new QTableWidgetItem(QString::number(h.delta(), 'f', 3)));
    }
    m_heads->resizeColumnsToContents();
    m_headDiffs = diffs;
}

FigureData ComparePanel::tabData() const
{
    FigureData d;
    if (!hasComparison())
        return d;
    auto layerLabels = [](size_t n, bool withEmbeddings) {
        QStringList l;
        for (size_t i = 0; i < n; ++i)
            l << (withEmbeddings ? (i == 0 ? QStringLiteral("emb") : QString::number(i - 1)) : QString::number(i));
        return l;
    };
    QWidget *w = m_tabs->currentWidget();
    if (w == m_layers && m_similarity) {
        d.title = QStringLiteral("similarity of A and B by layer");
        d.columnLabels = layerLabels(m_similarity->depthA.size(), true);
        d.rowLabels = {QStringLiteral("mean cosine over aligned positions"), QStringLiteral("cosine of sentence vectors"), QStringLiteral("linear CKA")};
        d.values = {m_similarity->positionMean, m_similarity->sentence, m_similarity->cka};
    } else if (w == m_logits && !m_logitA.empty()) {
        d.title = QStringLiteral("logit difference (answer 1 - answer 2) after each block");
        d.columnLabels = layerLabels(m_logitA.size(), false);
        d.rowLabels = {QStringLiteral("A"), QStringLiteral("B")};
        d.values = {m_logitA, m_logitB};
    } else if (w == m_heads) {
        d.title = QStringLiteral("heads that differ");
        for (int c = 0; c < m_heads->columnCount(); ++c)
            d.columnLabels << (m_heads->horizontalHeaderItem(c) ? m_heads->horizontalHeaderItem(c)->text() : QString());
        for (const HeadDifference &h : m_headDiffs) {
            d.rowLabels << QStringLiteral("L%1H%2").arg(h.layer).arg(h.head);
            d.values.push_back({double(h.layer), h.a, h.b, h.delta()});
        }
        if (!m_headDiffs.empty())
            d.columnLabels = {QStringLiteral("layer"), QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("A - B")};
    } else if (w == m_contrib) {
        const auto ca = ResidualAnalysis::contributionNorms(*m_a), cb = ResidualAnalysis::contributionNorms(*m_b);
        d.title = QStringLiteral("mean norm written per token, by layer");
        d.rowLabels = {QStringLiteral("A attn_out"), QStringLiteral("A mlp_out"), QStringLiteral("B attn_out"), QStringLiteral("B mlp_out")};
        d.columnLabels = layerLabels(std::max(ca.layers.size(), cb.layers.size()), false);
        d.values = {ca.attnOut, ca.mlpOut, cb.attnOut, cb.mlpOut};
    }
    return d;
}

FigureData ComparePanel::differenceData() const
{
    FigureData d;
    if (!hasComparison())
        return d;
    const int layer = context()->layer(), head = context()->head();
    d.title = tr("Attention A − B, layer %1, head %2 (rows: query, columns: key)").arg(layer).arg(head);
    try {
        const std::vector<double> diff = Compare::attentionDifference(*m_a, *m_b, m_alignment, layer, head);
        const int M = int(m_alignment.pairs.size());
        for (int i = 0; i < M; ++i) {
            const QString l = m_a->tokenStrings.value(m_alignment.pairs[size_t(i)].first);
            d.rowLabels << l;
            d.columnLabels << l;
            d.values.emplace_back(diff.begin() + i * M, diff.begin() + (i + 1) * M);
        }
    } catch (const Error &) {
    }
    return d;
}

} // namespace strata
