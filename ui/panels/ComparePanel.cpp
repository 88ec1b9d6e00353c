#include "ComparePanel.h"

#include "AnswerTokens.h"
#include "AppContext.h"
#include "PlotStyle.h"
#include "analysis/LogitLens.h"
#include "analysis/ResidualAnalysis.h"
#include "jobs/JobRunner.h"
#include "model/PluginHost.h"
#include "store/TraceCodec.h"
#include "store/Workspace.h"
#include "tokenize/Tokenizer.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

namespace strata {

namespace {
struct TracePair
{
    TracePtr b;
    std::shared_ptr<LoadedModel> model;
    QJsonObject precision;
};

} // namespace

ComparePanel::ComparePanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *grid = new QGridLayout;
    m_aLabel = new QLabel;
    m_aLabel->setWordWrap(true);
    grid->addWidget(m_aLabel, 0, 0, 1, 4);
    m_bLabel = new QLabel;
    m_promptB = new QLineEdit;
    m_promptB->setObjectName(QStringLiteral("comparePromptB"));
    m_compare = new QPushButton;
    m_compare->setObjectName(QStringLiteral("compareButton"));
    grid->addWidget(m_bLabel, 1, 0);
    grid->addWidget(m_promptB, 1, 1, 1, 2);
    grid->addWidget(m_compare, 1, 3);
    m_modelBLabel = new QLabel;
    m_modelB = new QLineEdit;
    m_modelB->setClearButtonEnabled(true);
    m_computeBLabel = new QLabel;
    m_computeB = new QComboBox;
    m_computeB->setObjectName(QStringLiteral("compareComputeB"));
    for (const char *c : {"", "f32", "bf16"})
        m_computeB->addItem(QString(), QString::fromLatin1(c));
    m_computeBLabel->setBuddy(m_computeB);
    auto *modelRow = new QHBoxLayout;
    modelRow->addWidget(m_modelB, 1);
    modelRow->addWidget(m_computeBLabel);
    modelRow->addWidget(m_computeB);
    grid->addWidget(m_modelBLabel, 2, 0);
    grid->addLayout(modelRow, 2, 1, 1, 3);
    m_answersLabel = new QLabel;
    m_answerA = new QLineEdit;
    m_answerB = new QLineEdit;
    auto *answers = new QHBoxLayout;
    answers->addWidget(m_answerA);
    answers->addWidget(m_answerB);
    m_metricLabel = new QLabel;
    m_metric = new QComboBox;
    m_metric->addItems(Compare::headMetricNames());
    answers->addWidget(m_metricLabel);
    answers->addWidget(m_metric);
    grid->addWidget(m_answersLabel, 3, 0);
    grid->addLayout(answers, 3, 1, 1, 3);
    m_answerTokens = new QLabel;
    m_answerTokens->setObjectName(QStringLiteral("compareAnswerTokens"));
    m_answerTokens->setWordWrap(true);
    grid->addWidget(m_answerTokens, 4, 1, 1, 3);
    m_answerTokens->setVisible(false);
    grid->setColumnStretch(1, 1);
    v->addLayout(grid);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_status);

    auto *split = new QSplitter(Qt::Vertical);
    m_heatmaps = new QCustomPlot;
    m_heatmaps->setObjectName(QStringLiteral("compareHeatmaps"));
    m_heatmaps->setMinimumHeight(200);
    split->addWidget(m_heatmaps);
    m_tabs = new QTabWidget;
    m_layers = new QCustomPlot;
    m_logits = new QCustomPlot;
    m_heads = new QTableWidget;
    m_heads->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_heads->verticalHeader()->hide();
    m_pca = new QCustomPlot;
    m_pca->setObjectName(QStringLiteral("comparePca"));
    m_contrib = new QCustomPlot;
    m_lens = new QTableWidget;
    m_lens->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_lens->verticalHeader()->hide();
    for (QCustomPlot *plot : {m_layers, m_logits, m_pca, m_contrib}) {
        PlotStyle::putLegendBelow(plot);
        plot->legend->setFont(QFont(font().family(), 8));
    }
    m_tabs->addTab(m_layers, QString());
    m_tabs->addTab(m_logits, QString());
    m_tabs->addTab(m_heads, QString());
    m_tabs->addTab(m_pca, QString());
    m_tabs->addTab(m_lens, QString());
    m_tabs->addTab(m_contrib, QString());
    // The views by layer need their height too (they were squeezed to ~100 px under the heatmaps).
    m_tabs->setMinimumHeight(215);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    v->addWidget(split, 1);

    auto *bottom = new QHBoxLayout;
    m_notes = new QPlainTextEdit;
    m_notes->setMaximumHeight(48);
    m_save = new QPushButton;
    m_savedLabel = new QLabel;
    m_saved = new QComboBox;
    m_saved->setMinimumContentsLength(20);
    m_export = new QPushButton;
    m_patch = new QPushButton;
    m_patch->setObjectName(QStringLiteral("comparePatch"));
    bottom->addWidget(m_notes, 2);
    bottom->addWidget(m_patch);
    bottom->addWidget(m_save);
    bottom->addWidget(m_savedLabel);
    bottom->addWidget(m_saved, 1);
    bottom->addWidget(m_export);
    v->addLayout(bottom);

    connect(m_compare, &QPushButton::clicked, this, &ComparePanel::compare);
    auto showTokens = [this] {
        const auto model = this->context()->model();
        const QString a = model ? strata::answerTokensText(*model, m_answerA->text()) : QString(),
                      b = model ? strata::answerTokensText(*model, m_answerB->text()) : QString();
        m_answerTokens->setText(a.isEmpty() && b.isEmpty() ? QString() : QStringLiteral("%1 | %2").arg(a, b));
        m_answerTokens->setVisible(!m_answerTokens->text().isEmpty()); // no empty row taking height
    };
    connect(m_answerA, &QLineEdit::textChanged, this, showTokens);
    connect(m_answerB, &QLineEdit::textChanged, this, showTokens);
    connect(context, &AppContext::modelChanged, this, showTokens);
    connect(m_promptB, &QLineEdit::returnPressed, this, &ComparePanel::compare);
    connect(m_save, &QPushButton::clicked, this, &ComparePanel::saveComparison);
    connect(m_patch, &QPushButton::clicked, this, &ComparePanel::patchAIntoB);
    connect(m_export, &QPushButton::clicked, this, [this] {
        QMenu menu(this);
        menu.addAction(tr("Attention heatmaps (A, B, A − B)…"), this,
                       [this] { FigureExport::exportInteractively(this, m_heatmaps, differenceData(), QStringLiteral("compare-attention")); });
        menu.addAction(tr("The open tab: %1…").arg(m_tabs->tabText(m_tabs->currentIndex())), this, [this] {
            FigureExport::exportInteractively(this, m_tabs->currentWidget(), tabData(), QStringLiteral("compare-") + QString::number(m_tabs->currentIndex()));
        });
        menu.exec(m_export->mapToGlobal(QPoint(0, m_export->height())));
    });
    connect(m_metric, &QComboBox::currentIndexChanged, this, &ComparePanel::fillHeads);
    connect(m_heads, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        if (row >= 0 && size_t(row) < m_headDiffs.size())
            this->context()->setLayerHead(m_headDiffs[size_t(row)].layer, m_headDiffs[size_t(row)].head);
    });
    connect(m_saved, &QComboBox::activated, this, [this](int i) { openComparison(m_saved->itemData(i).toLongLong()); });
    connect(context, &AppContext::selectionChanged, this, &ComparePanel::drawHeatmaps);
    connect(context, &AppContext::selectionChanged, this, &ComparePanel::drawPca);
    connect(context, &AppContext::traceChanged, this, [this] { retranslate(); });
    connect(context, &AppContext::workspaceContentChanged, this, &ComparePanel::reloadSaved);
    connect(context, &AppContext::workspaceChanged, this, &ComparePanel::reloadSaved);
    retranslate();
    reloadSaved();
    drawLayerPlots();
}

void ComparePanel::retranslate()
{
    const TracePtr cur = context()->trace();
    m_aLabel->setText(cur ? tr("<b>A</b> (the current run): %1").arg(cur->prompt.left(160).toHtmlEscaped()) : tr("<b>A</b>: run a prompt first; it is run A."));
    m_bLabel->setText(tr("B prompt"));
    m_promptB->setPlaceholderText(tr("e.g. the same sentence with the names swapped"));
    m_compare->setText(tr("Compare"));
    m_modelBLabel->setText(tr("B model"));
    m_modelB->setPlaceholderText(tr("optional: another model (folder, .gguf, Hub id); empty = the loaded one"));
    m_computeBLabel->setText(tr("Compute"));
    m_computeB->setItemText(0, tr("as loaded"));
    m_computeB->setItemText(1, tr("f32 (exact)"));
    m_computeB->setItemText(2, tr("bf16"));
    m_computeB->setToolTip(tr("The compute precision of run B. With no B model, B runs on the loaded model again at this precision: "
                              "the same prompt at f32 and bf16 shows how much heads, residuals and the logit lens move in bf16."));
    m_answersLabel->setText(tr("Answers"));
    m_answerA->setPlaceholderText(tr("answer 1, e.g. ' Mary'"));
    m_answerB->setPlaceholderText(tr("answer 2, e.g. ' John'"));
    m_metricLabel->setText(tr("Head score"));
    m_tabs->setTabText(0, tr("Similarity by layer"));
    m_tabs->setTabText(1, tr("Logit difference"));
    m_tabs->setTabText(2, tr("Heads that differ"));
    m_tabs->setTabText(3, tr("PCA of A and B"));
    m_tabs->setTabText(4, tr("Logit lens A | B"));
    m_tabs->setTabText(5, tr("Contributions A | B"));
    m_notes->setPlaceholderText(tr("Notes on this comparison…"));
    m_save->setText(tr("Save comparison"));
    m_patch->setText(tr("Patch A → B…"));
    m_patch->setToolTip(tr("Activation patching with A as the clean and B as the corrupted prompt, and the two answers"));
    m_savedLabel->setText(tr("Saved"));
    m_export->setText(tr("Export…"));
    if (!hasComparison())
        m_status->setText(tr("Compare the current run with a second prompt (clean vs corrupted) or with another model."));
    else
        showComparison();
}

QString ComparePanel::answerTokensShown() const
{
    return m_answerTokens->text();
}

void ComparePanel::patchAIntoB()
{
    const TracePtr a = context()->trace();
    if (!a || m_promptB->text().trimmed().isEmpty()) {
        m_status->setText(tr("Patching needs run A (the current run) and a B prompt."));
        return;
    }
    Q_EMIT context()->patchingRequested(a->prompt, m_promptB->text(), m_answerA->text(), m_answerB->text());
}

void ComparePanel::setPromptB(const QString &prompt)
{
    m_promptB->setText(prompt);
}
void ComparePanel::setModelB(const QString &location)
{
    m_modelB->setText(location);
}
void ComparePanel::setComputeB(const QString &compute)
{
    const int i = m_computeB->findData(compute);
    m_computeB->setCurrentIndex(std::max(0, i));
}
QString ComparePanel::statusText() const
{
    return m_status->text();
}
void ComparePanel::setAnswers(const QString &a, const QString &b)
{
    m_answerA->setText(a);
    m_answerB->setText(b);
}

bool ComparePanel::oneModel() const
{
    return m_a && m_b && m_a->model.fingerprint == m_b->model.fingerprint;
}

void ComparePanel::compare()
{
    const TracePtr a = context()->trace();
    auto model = context()->model();
    const QString prompt = m_promptB->text();
    const QString locB = m_modelB->text().trimmed();
    if (!a || prompt.trimmed().isEmpty() || (!model && locB.isEmpty())) {
        m_status->setText(tr("Run a prompt first (it becomes A), then give prompt B."));
        Q_EMIT finished(false);
        return;
    }
    // Model B: the loaded model (no other model or precision asked for), the one loaded for the last
    // comparison when the same is asked again, or a fresh load (A's location at another precision).
    const QString computeB = m_computeB->currentData().toString();
    const bool loadedOne = locB.isEmpty() && (computeB.isEmpty() || model->info().compute == computeB);
    const QString location = locB.isEmpty() ? model->info().location : locB;
    const QString request = loadedOne ? QString() : location + QLatin1Char('\n') + computeB;
    std::shared_ptr<LoadedModel> reuse = loadedOne ? model : (m_modelBLoaded && request == m_modelBRequest ? m_modelBLoaded : nullptr);
    m_compare->setEnabled(false);
    m_status->setText(tr("Tracing B…"));
    context()->jobs()->submit(
        QStringLiteral("compare"), tr("Tracing prompt B"),
        [a, reuse, prompt, location, computeB](JobControl &c) {
            std::shared_ptr<LoadedModel> m = reuse;
            if (!m)
                m = std::shared_ptr<LoadedModel>(PluginHost::instance().load(location, &c, computeB));
            auto pair = std::make_shared<TracePair>();
            pair->b = m->trace(prompt, TraceOptions{}, &c);
            pair->model = m;
            pair->precision = Compare::precisionDifference(*a, *pair->b); // on the worker: it reads every attention pattern
            return QVariant::fromValue(std::static_pointer_cast<void>(pair));
        },
        this,
        [this, a, request](const JobResult &r) {
            m_compare->setEnabled(true);
            if (!r.ok) {
                m_status->setText(r.cancelled ? tr("Cancelled.") : tr("Could not run B: %1").arg(r.error));
                Q_EMIT finished(false);
                return;
            }
            auto pair = std::static_pointer_cast<TracePair>(r.value.value<std::shared_ptr<void>>());
            m_a = a;
            m_b = pair->b;
            m_modelBLoaded = pair->model;
            m_modelBRequest = request;
            m_precision = pair->precision;
            m_savedRunA = context()->currentRun();
            m_savedRunB = 0;
            showComparison();
            Q_EMIT context()->message(
                tr("Compared A (%1 tokens) with B (%2 tokens) on %3.").arg(m_a->tokenCount()).arg(m_b->tokenCount()).arg(m_b->model.runLabel()));
            Q_EMIT finished(true);
        });
}

void ComparePanel::showComparison()
{
    if (!hasComparison())
        return;
    const bool one = oneModel();
    m_alignment = Compare::align(*m_a, *m_b, one);
    QStringList lines;
    lines << tr("A: %1 tokens on %2 · B: %3 tokens on %4").arg(m_a->tokenCount()).arg(m_a->model.runLabel()).arg(m_b->tokenCount()).arg(m_b->model.runLabel());
    switch (m_alignment.kind) {
    case TokenAlignment::Kind::Identical:
        lines.last() = tr("%1; same tokens in both runs.").arg(lines.last()); // one line: the precision line below needs the room
        break;
    case TokenAlignment::Kind::Positional: {
        QStringList changed;
        for (size_t i = 0; i < m_alignment.pairs.size(); ++i)
            if (!m_alignment.sameToken[i])
                changed << QStringLiteral("#%1 %2 → %3")
                               .arg(m_alignment.pairs[i].first)
                               .arg(m_a->tokenStrings.value(m_alignment.pairs[i].first), m_b->tokenStrings.value(m_alignment.pairs[i].second));
        lines << tr("Same length, aligned by position; differing tokens: %1").arg(changed.join(QStringLiteral(", ")));
        break;
    }
    case TokenAlignment::Kind::Sequence: {
        QStringList onlyA, onlyB;
        for (int i : m_alignment.onlyA)
            onlyA << m_a->tokenStrings.value(i);
        for (int j : m_alignment.onlyB)
            onlyB << m_b->tokenStrings.value(j);
        lines << tr("Different lengths: %1 tokens aligned by their longest common subsequence; only in A: %2; only in B: %3")
                     .arg(m_alignment.pairs.size())
                     .arg(onlyA.isEmpty() ? tr("none") : onlyA.join(QLatin1Char(' ')), onlyB.isEmpty() ? tr("none") : onlyB.join(QLatin1Char(' ')));
        break;
    }
    }
    // A bf16 run where the CPU lacks native bf16 is said so (ModelInfo::computeNote), in full in the tooltip.
    QString emulated;
    for (const Trace *t : {m_a.get(), m_b.get()})
        if (!t->model.computeNote.isEmpty())
            emulated = t->model.computeNote;
    m_status->setToolTip(emulated);
    if (!m_precision.isEmpty()) {
        const QJsonObject &p = m_precision;
        const QString approx = p.value(QStringLiteral("approx_compute")).toString();
        lines << tr("Only the precision differs, %1 against f32%2: attention up to %3 apart; next-token top-1 agreement %4 % (%5 positions); "
                    "relative error of the residual stream up to %6, of the logits %7.")
                     .arg(approx, emulated.isEmpty() ? QString() : tr(" (emulated on this CPU)"))
                     .arg(p.value(QStringLiteral("max_attention_diff")).toDouble(), 0, 'g', 3)
                     .arg(100 * p.value(QStringLiteral("top1_agreement")).toDouble(), 0, 'f', 1)
                     .arg(p.value(QStringLiteral("positions")).toInteger())
                     .arg(p.value(QStringLiteral("max_resid_relative_error")).toDouble(), 0, 'g', 3)
                     .arg(p.value(QStringLiteral("logits_relative_error")).toDouble(), 0, 'g', 3);
    } else if (!emulated.isEmpty()) {
        lines << emulated;
    }
    if (!one)
        lines << tr(
            "Two models: layers are matched by relative depth; vectors are compared by CKA over aligned tokens, heads by their role mix, not one by one.");
    try {
        m_similarity = Compare::layerSimilarity(*m_a, *m_b, m_alignment);
    } catch (const Error &e) {
        m_similarity.reset();
        lines << e.message();
    }
    m_logitA.clear();
    m_logitB.clear();
    auto model = m_modelBLoaded ? m_modelBLoaded : context()->model();
    if (one && model && model->info().fingerprint == m_a->model.fingerprint) {
        try {
            // An answer typed, else A's own first (or second) prediction.
            auto answer = [&](const QString &text, int fallbackRank) {
                const int64_t id = Compare::firstToken(*model, text);
                return id >= 0 ? id : Compare::predictedToken(*m_a, -1, fallbackRank);
            };
            const int64_t t1 = answer(m_answerA->text(), 0), t2 = answer(m_answerB->text(), 1);
            m_logitA = Compare::logitDifference(*model, *m_a, t1, t2);
            m_logitB = Compare::logitDifference(*model, *m_b, t1, t2);
            lines << tr("Logit difference: logit(%1) − logit(%2) at the last position.")
                         .arg(model->tokenizer().displayString(t1), model->tokenizer().displayString(t2));
        } catch (const Error &e) {
            lines << e.message();
        }
    } else if (one) {
        lines << tr("Load the runs' model to see the logit difference through the layers.");
    }
    m_status->setText(lines.join(QLatin1Char('\n')));
    drawHeatmaps();
    drawLayerPlots();
    fillHeads();
    drawPca();
    fillLens();
    drawContributions();
}

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

bool ComparePanel::saveComparison()
{
    Workspace *ws = context()->workspace();
    if (!hasComparison() || !ws || ws->isReadOnly()) {
        m_status->setText(tr("Nothing to save, or the workspace is read-only."));
        return false;
    }
    const qint64 session = context()->ensureSession();
    auto runFor = [session](const Trace &t) {
        RunRecord r;
        r.sessionId = session;
        r.modelLocation = t.model.location;
        r.modelName = t.model.name;
        r.modelFamily = t.model.family;
        r.fingerprint = t.model.fingerprint;
        r.prompt = t.prompt;
        r.tokenCount = t.tokenCount();
        r.durationMs = t.milliseconds;
        r.tags = QStringList{QStringLiteral("compare")};
        return r;
    };
    bool ok = context()->guardStore(
        [&] {
            ws->transaction([&] {
                if (!m_savedRunA)
                    m_savedRunA = ws->addRun(runFor(*m_a), TraceCodec::encode(*m_a));
                if (!m_savedRunB)
                    m_savedRunB = ws->addRun(runFor(*m_b), TraceCodec::encode(*m_b));
                ComparisonRecord c;
                c.sessionId = session;
                c.runA = m_savedRunA;
                c.runB = m_savedRunB;
                c.name = QStringLiteral("%1 | %2").arg(m_a->prompt.left(40), m_b->prompt.left(40));
                c.notes = m_notes->toPlainText();
                c.settings = QJsonObject{{QStringLiteral("answer_a"), m_answerA->text()},
                                         {QStringLiteral("answer_b"), m_answerB->text()},
                                         {QStringLiteral("metric"), m_metric->currentText()},
                                         {QStringLiteral("model_b"), m_modelB->text()},
                                         {QStringLiteral("compute_b"), m_computeB->currentData().toString()},
                                         {QStringLiteral("layer"), context()->layer()},
                                         {QStringLiteral("head"), context()->head()}};
                if (!m_precision.isEmpty())
                    c.settings.insert(QStringLiteral("precision"), m_precision);
                ws->addComparison(c);
            });
        },
        tr("Saving the comparison"));
    if (ok)
        m_status->setText(m_status->text() + QLatin1Char('\n') + tr("Saved in the session."));
    return ok;
}

void ComparePanel::openComparison(qint64 id)
{
    Workspace *ws = context()->workspace();
    if (!ws)
        return;
    ComparisonRecord rec;
    TracePtr a, b;
    const bool ok = context()->guardStore(
        [&] {
            for (const ComparisonRecord &c : ws->comparisons(context()->currentSession()))
                if (c.id == id)
                    rec = c;
            if (!rec.id)
                throw Error(tr("That comparison is no longer in this session."));
            a = ws->loadTrace(rec.runA);
            b = ws->loadTrace(rec.runB);
            if (!a || !b)
                throw Error(tr("A trace of this comparison was not kept (size budget); open its runs from the session browser to recompute them."));
        },
        tr("Opening the comparison"));
    if (!ok)
        return;
    m_a = a;
    m_b = b;
    m_savedRunA = rec.runA;
    m_savedRunB = rec.runB;
    m_modelBLoaded.reset();
    m_modelBRequest.clear();
    // Measured on the runs' float32 traces when compared (the stored ones are float16).
    m_precision = rec.settings.value(QStringLiteral("precision")).toObject();
    m_notes->setPlainText(rec.notes);
    m_promptB->setText(b->prompt);
    m_answerA->setText(rec.settings.value(QStringLiteral("answer_a")).toString());
    m_answerB->setText(rec.settings.value(QStringLiteral("answer_b")).toString());
    m_modelB->setText(rec.settings.value(QStringLiteral("model_b")).toString());
    setComputeB(rec.settings.value(QStringLiteral("compute_b")).toString());
    const int mi = m_metric->findText(rec.settings.value(QStringLiteral("metric")).toString());
    if (mi >= 0)
        m_metric->setCurrentIndex(mi);
    context()->setTrace(a); // A is shown in every other panel, as when it was saved
    context()->setLayerHead(rec.settings.value(QStringLiteral("layer")).toInt(), rec.settings.value(QStringLiteral("head")).toInt());
    showComparison();
}

void ComparePanel::reloadSaved()
{
    m_saved->clear();
    Workspace *ws = context()->workspace();
    if (!ws || !context()->currentSession()) {
        m_saved->setEnabled(false);
        return;
    }
    try {
        for (const ComparisonRecord &c : ws->comparisons(context()->currentSession()))
            m_saved->addItem(c.name, c.id);
    } catch (const StoreError &) {
    }
    m_saved->setEnabled(m_saved->count() > 0);
    m_saved->setCurrentIndex(-1);
}

} // namespace strata
