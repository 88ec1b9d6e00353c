#include "ComparePanel.h"

#include "AnswerTokens.h"
#include "AppContext.h"
#include "PlotStyle.h"
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

#include <algorithm>

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
