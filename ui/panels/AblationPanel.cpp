#include "AblationPanel.h"

#include "AppContext.h"
#include "PlotStyle.h"
#include "analysis/HeadMetrics.h"
#include "analysis/InductionProbe.h"
#include "jobs/JobRunner.h"
#include "model/ModelFamily.h"
#include "store/Workspace.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTextEdit>
#include <QVBoxLayout>

#include <qcustomplot.h>

Q_DECLARE_METATYPE(std::shared_ptr<strata::AblationResult>)
Q_DECLARE_METATYPE(std::shared_ptr<strata::SteeringResult>)

namespace strata {

namespace {

QString headList(const std::vector<std::pair<int, int>> &heads)
{
    QStringList parts;
    for (auto [l, h] : heads)
        parts << QStringLiteral("%1.%2").arg(l).arg(h);
    return parts.join(QLatin1Char(','));
}

double meanOf(const std::vector<double> &v, size_t from, size_t to)
{
    double s = 0;
    for (size_t i = from; i < to && i < v.size(); ++i)
        s += v[i];
    return to > from ? s / double(to - from) : 0.0;
}

} // namespace

AblationPanel::AblationPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    m_tabs = new QTabWidget;
    v->addWidget(m_tabs);

    // --- ablation
    auto *abl = new QWidget;
    auto *av = new QVBoxLayout(abl);
    auto *row = new QHBoxLayout;
    m_headsLabel = new QLabel;
    m_heads = new QLineEdit;
    m_heads->setObjectName(QStringLiteral("ablateHeads"));
    m_role = new QComboBox;
    m_modeLabel = new QLabel;
    m_mode = new QComboBox;
    m_mode->addItems({QString(), QString()});
    m_onLabel = new QLabel;
    m_on = new QComboBox;
    m_on->addItems({QString(), QString()});
    m_ablate = new QPushButton;
    m_ablate->setObjectName(QStringLiteral("ablateButton"));
    m_exportLoss = new QPushButton;
    for (QWidget *w : std::initializer_list<QWidget *>{m_headsLabel, m_heads, m_role, m_modeLabel, m_mode, m_onLabel, m_on, m_ablate, m_exportLoss})
        row->addWidget(w);
    row->setStretchFactor(m_heads, 1);
    av->addLayout(row);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    av->addWidget(m_status);
    m_lossPlot = new QCustomPlot;
    m_lossPlot->setObjectName(QStringLiteral("ablationPlot"));
    m_lossPlot->setMinimumHeight(160);
    PlotStyle::putLegendBelow(m_lossPlot);
    av->addWidget(m_lossPlot, 1);
    m_tabs->addTab(abl, QString());

    // --- steering
    auto *st = new QWidget;
    auto *sv = new QVBoxLayout(st);
    auto *sets = new QGridLayout;
    m_posLabel = new QLabel;
    m_negLabel = new QLabel;
    m_positive = new QPlainTextEdit;
    m_negative = new QPlainTextEdit;
    for (QPlainTextEdit *e : {m_positive, m_negative})
        e->setMaximumHeight(90);
    m_setsLabel = new QLabel;
    m_sets = new QComboBox;
    sets->addWidget(m_posLabel, 0, 0);
    sets->addWidget(m_negLabel, 0, 1);
    sets->addWidget(m_positive, 1, 0);
    sets->addWidget(m_negative, 1, 1);
    auto *setRow = new QHBoxLayout;
    setRow->addWidget(m_setsLabel);
    setRow->addWidget(m_sets, 1);
    sets->addLayout(setRow, 2, 0, 1, 2);
    sv->addLayout(sets);
    auto *controls = new QHBoxLayout;
    m_steerPromptLabel = new QLabel;
    m_steerPrompt = new QLineEdit;
    m_layerLabel = new QLabel;
    m_layer = new QSpinBox;
    m_strengthLabel = new QLabel;
    m_strength = new QDoubleSpinBox;
    m_strength->setRange(-100, 100);
    m_strength->setValue(4);
    m_strength->setSingleStep(0.5);
    m_tokensLabel = new QLabel;
    m_tokens = new QSpinBox;
    m_tokens->setRange(1, 200);
    m_tokens->setValue(20);
    m_steer = new QPushButton;
    m_steer->setObjectName(QStringLiteral("steerButton"));
    for (QWidget *w : std::initializer_list<QWidget *>{m_steerPromptLabel, m_steerPrompt, m_layerLabel, m_layer, m_strengthLabel, m_strength, m_tokensLabel,
                                                       m_tokens, m_steer})
        controls->addWidget(w);
    controls->setStretchFactor(m_steerPrompt, 1);
    sv->addLayout(controls);
    m_steerStatus = new QLabel;
    m_steerStatus->setWordWrap(true);
    sv->addWidget(m_steerStatus);
    auto *outputs = new QHBoxLayout;
    m_without = new QTextEdit;
    m_with = new QTextEdit;
    for (QTextEdit *e : {m_without, m_with}) {
        e->setReadOnly(true);
        outputs->addWidget(e);
    }
    sv->addLayout(outputs, 1);
    m_tabs->addTab(st, QString());

    connect(m_ablate, &QPushButton::clicked, this, &AblationPanel::ablate);
    connect(m_role, &QComboBox::activated, this, [this](int i) {
        const TracePtr t = this->context()->trace();
        if (i <= 0 || !t)
            return;
        // Scoring every head of a long trace takes seconds: on the worker, never on the GUI thread.
        const HeadRole role = HeadRole(m_role->itemData(i).toInt());
        m_status->setText(tr("Finding the heads of that role…"));
        this->context()->jobs()->submit(
            QStringLiteral("ablate-role"), tr("Scoring heads"),
            [t, role](JobControl &) {
                QStringList heads;
                for (const HeadScores &s : HeadMetrics::scoreTrace(*t))
                    if (HeadMetrics::dominantRole(s) == role)
                        heads << QStringLiteral("%1.%2").arg(s.layer).arg(s.head);
                return QVariant(heads.join(QLatin1Char(',')));
            },
            this,
            [this](const JobResult &r) {
                if (!r.ok)
                    return;
                m_heads->setText(r.value.toString());
                m_status->setText(r.value.toString().isEmpty() ? tr("No head of the current run has that role.") : QString());
                Q_EMIT roleHeadsReady();
            });
    });
    connect(m_exportLoss, &QPushButton::clicked, this, [this] {
        if (m_ablation)
            FigureExport::exportInteractively(this, m_lossPlot, ablationData(), QStringLiteral("ablation"));
    });
    connect(m_steer, &QPushButton::clicked, this, &AblationPanel::steer);
    connect(m_sets, &QComboBox::activated, this, [this](int i) {
        const QJsonObject d = m_sets->itemData(i).toJsonObject();
        QStringList sentences;
        for (const QJsonValue &s : d.value(QStringLiteral("sentences")).toArray())
            sentences << s.toString();
        if (sentences.isEmpty())
            return;
        // The first kept set fills the positive side, the next one the negative side.
        (m_positive->toPlainText().trimmed().isEmpty() ? m_positive : m_negative)->setPlainText(sentences.join(QLatin1Char('\n')));
    });
    connect(context, &AppContext::ablationRequested, this, [this](const QList<QPair<int, int>> &heads) {
        QStringList parts;
        for (const auto &h : heads)
            parts << QStringLiteral("%1.%2").arg(h.first).arg(h.second);
        m_heads->setText(parts.join(QLatin1Char(',')));
        m_tabs->setCurrentIndex(0);
        ablate();
    });
    connect(context, &AppContext::modelChanged, this, [this] {
        m_ablation.reset();
        m_steering.reset();
        const auto model = this->context()->model();
        m_layer->setRange(0, model ? std::max(0, model->info().nLayers - 1) : 0);
        m_layer->setValue(model ? model->info().nLayers / 2 : 0);
        m_without->clear();
        m_with->clear();
        drawAblation();
    });
    connect(context, &AppContext::traceChanged, this, [this] {
        if (const TracePtr t = this->context()->trace(); t && m_steerPrompt->text().isEmpty())
            m_steerPrompt->setText(t->prompt);
    });
    connect(context, &AppContext::currentRunChanged, this, &AblationPanel::reloadSets);
    retranslate();
}

void AblationPanel::retranslate()
{
    m_tabs->setTabText(0, tr("Ablate heads"));
    m_tabs->setTabText(1, tr("Steer"));
    m_headsLabel->setText(tr("Heads"));
    m_heads->setPlaceholderText(tr("LAYER.HEAD, e.g. 1.3,2.0"));
    m_role->clear();
    m_role->addItem(tr("or all heads of a role…"), -1);
    for (HeadRole r : HeadMetrics::allRoles())
        m_role->addItem(HeadMetrics::roleName(r), int(r));
    m_modeLabel->setText(tr("Mode"));
    m_mode->setItemText(0, tr("zero"));
    m_mode->setItemText(1, tr("mean"));
    m_onLabel->setText(tr("On"));
    m_on->setItemText(0, tr("the current prompt"));
    m_on->setItemText(1, tr("repeated random tokens"));
    m_ablate->setText(tr("Ablate"));
    m_exportLoss->setText(tr("Export…"));
    m_posLabel->setText(tr("Steer towards (one sentence per line)"));
    m_negLabel->setText(tr("Steer away from"));
    m_setsLabel->setText(tr("Sentence sets kept in the session"));
    m_steerPromptLabel->setText(tr("Prompt"));
    m_layerLabel->setText(tr("Layer"));
    m_strengthLabel->setText(tr("Strength"));
    m_tokensLabel->setText(tr("Tokens"));
    m_steer->setText(tr("Generate"));
    m_without->setPlaceholderText(tr("Without steering"));
    m_with->setPlaceholderText(tr("With steering"));
    reloadSets();
    drawAblation();
    if (m_steering)
        showSteering();
}

void AblationPanel::setHeads(const QString &heads)
{
    m_heads->setText(heads);
}
void AblationPanel::chooseRole(HeadRole role)
{
    const int i = m_role->findData(int(role));
    if (i <= 0)
        return;
    m_role->setCurrentIndex(i);
    Q_EMIT m_role->activated(i);
}
QString AblationPanel::heads() const
{
    return m_heads->text();
}
void AblationPanel::setMean(bool mean)
{
    m_mode->setCurrentIndex(mean ? 1 : 0);
}
void AblationPanel::setRepeatedSequence(bool on)
{
    m_on->setCurrentIndex(on ? 1 : 0);
}
void AblationPanel::setSteeringSets(const QStringList &positive, const QStringList &negative)
{
    m_positive->setPlainText(positive.join(QLatin1Char('\n')));
    m_negative->setPlainText(negative.join(QLatin1Char('\n')));
}
void AblationPanel::setSteering(int layer, double strength, int tokens)
{
    m_layer->setValue(layer);
    m_strength->setValue(strength);
    m_tokens->setValue(tokens);
}
void AblationPanel::setSteeringPrompt(const QString &prompt)
{
    m_steerPrompt->setText(prompt);
}
QString AblationPanel::status() const
{
    return m_tabs->currentIndex() == 0 ? m_status->text() : m_steerStatus->text();
}

void AblationPanel::ablate()
{
    const std::shared_ptr<LoadedModel> model = context()->model();
    const TracePtr t = context()->trace();
    if (!model) {
        m_status->setText(tr("Load a model first."));
        Q_EMIT ablated(false);
        return;
    }
    std::vector<std::pair<int, int>> heads;
    try {
        heads = Ablation::parseHeads(m_heads->text(), model->info().nLayers, model->info().nHeads);
    } catch (const Error &e) {
        m_status->setText(e.message());
        Q_EMIT ablated(false);
        return;
    }
    std::vector<int64_t> ids;
    const bool repeated = m_on->currentIndex() == 1;
    int start = 0, n = 0;
    if (repeated) {
        n = std::min(50, (model->info().contextLength - 1) / 2);
        ids = InductionProbe::sequence(*model, n, 1234, &start);
    } else if (t && t->model.fingerprint == model->info().fingerprint) {
        ids = t->tokenIds();
    } else {
        m_status->setText(tr("Run a prompt with this model first, or ablate on repeated random tokens."));
        Q_EMIT ablated(false);
        return;
    }
    const bool mean = m_mode->currentIndex() == 1;
    m_ablate->setEnabled(false);
    m_status->setText(tr("Ablating %1…").arg(headList(heads)));
    context()->jobs()->submit(
        QStringLiteral("ablate"), tr("Ablating heads"),
        [model, ids, heads, mean](JobControl &c) {
            return QVariant::fromValue(std::make_shared<AblationResult>(Ablation::ablateHeads(*model, ids, heads, mean, {}, &c)));
        },
        this,
        [this, repeated, start, n](const JobResult &r) {
            m_ablate->setEnabled(true);
            if (!r.ok) {
                m_status->setText(r.cancelled ? tr("Ablation cancelled.") : tr("Ablation failed: %1").arg(r.error));
                Q_EMIT ablated(false);
                return;
            }
            m_ablation = *r.value.value<std::shared_ptr<AblationResult>>();
            m_copyStart = repeated ? start : -1;
            m_copyLength = n;
            if (repeated) { // loss at position p predicts token p + 1: first copy start..start+n-2, second start+n..start+2n-2
                const size_t a = size_t(start), b = size_t(start + n);
                m_dropBefore = meanOf(m_ablation->lossBefore, a, a + size_t(n) - 1) - meanOf(m_ablation->lossBefore, b, b + size_t(n) - 1);
                m_dropAfter = meanOf(m_ablation->lossAfter, a, a + size_t(n) - 1) - meanOf(m_ablation->lossAfter, b, b + size_t(n) - 1);
            }
            Q_EMIT context()->message(tr("Ablated %1 (%2): mean loss %3 → %4 nats.")
                                          .arg(headList(m_ablation->heads), m_ablation->mode)
                                          .arg(m_ablation->meanBefore, 0, 'f', 3)
                                          .arg(m_ablation->meanAfter, 0, 'f', 3));
            drawAblation();
            Q_EMIT ablated(true);
        });
}

FigureData AblationPanel::ablationData() const
{
    FigureData fd;
    if (!m_ablation)
        return fd;
    const auto model = context()->model();
    fd.title = tr("Next-token loss before and after %1-ablating heads %2 · %3")
                   .arg(m_ablation->mode, headList(m_ablation->heads), model ? model->info().name : QString());
    fd.columnLabels = QStringList{tr("loss before"), tr("loss after")};
    for (size_t p = 0; p < m_ablation->lossBefore.size(); ++p) {
        fd.rowLabels << QStringLiteral("%1 %2").arg(p).arg(m_ablation->tokens.value(int(p) + 1));
        fd.values.push_back({m_ablation->lossBefore[p], m_ablation->lossAfter[p]});
    }
    return fd;
}

void AblationPanel::drawAblation()
{
    m_lossPlot->clearPlottables();
    m_lossPlot->clearItems();
    for (QCPAxis *a : {m_lossPlot->xAxis, m_lossPlot->yAxis})
        a->setVisible(bool(m_ablation));
    if (!m_ablation) {
        m_lossPlot->legend->setVisible(false);
        auto *hint = new QCPItemText(m_lossPlot);
        hint->position->setType(QCPItemPosition::ptAxisRectRatio);
        hint->position->setCoords(0.5, 0.5);
        hint->setText(tr("Each token's loss before and after the ablation will be drawn here."));
        hint->setColor(QColor(110, 110, 110));
        if (!context()->model())
            m_status->setText(tr("Load a model, then name heads (or pick a role) and press Ablate; the head atlas can send heads here too."));
        else if (m_status->text().isEmpty())
            m_status->setText(tr("Name heads (or pick a role) and press Ablate: each token's loss before and after shows what they did."));
        m_lossPlot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const AblationResult &r = *m_ablation;
    QVector<double> x, before, after;
    for (size_t p = 0; p < r.lossBefore.size(); ++p) {
        x << double(p);
        before << r.lossBefore[p];
        after << r.lossAfter[p];
    }
    auto *gb = m_lossPlot->addGraph();
    gb->setName(tr("before (mean %1)").arg(r.meanBefore, 0, 'f', 3));
    gb->setPen(QPen(QColor(40, 90, 200), 1.5));
    gb->setData(x, before, true);
    auto *ga = m_lossPlot->addGraph();
    ga->setName(tr("after %1-ablating %2 (mean %3)").arg(r.mode, headList(r.heads)).arg(r.meanAfter, 0, 'f', 3));
    ga->setPen(QPen(QColor(220, 70, 40), 1.5));
    ga->setData(x, after, true);
    double top = 1;
    for (double v : r.lossBefore)
        top = std::max(top, v);
    for (double v : r.lossAfter)
        top = std::max(top, v);
    if (m_copyStart >= 0) { // shade the second copy: that is where copying lowers the loss
        auto *box = new QCPItemRect(m_lossPlot);
        box->topLeft->setCoords(m_copyStart + m_copyLength - 0.5, top * 1.05);
        box->bottomRight->setCoords(m_copyStart + 2 * m_copyLength - 1.5, 0);
        box->setPen(Qt::NoPen);
        box->setBrush(QColor(120, 120, 120, 40));
        auto *label = new QCPItemText(m_lossPlot);
        label->position->setCoords(m_copyStart + 1.5 * m_copyLength, top * 1.02);
        label->setText(tr("second copy"));
    }
    m_lossPlot->xAxis->setLabel(tr("position (predicting the next token)"));
    m_lossPlot->yAxis->setLabel(tr("loss (nats)"));
    m_lossPlot->xAxis->setRange(-0.5, double(r.lossBefore.size()) - 0.5);
    m_lossPlot->yAxis->setRange(0, top * 1.1);
    m_lossPlot->legend->setVisible(true);
    m_lossPlot->replot(QCustomPlot::rpQueuedReplot);
    int changed = 0;
    for (size_t p = 0; p < r.predictedBefore.size(); ++p)
        changed += r.predictedBefore[p] != r.predictedAfter[p];
    QString text = tr("Mean next-token loss %1 → %2 nats; the prediction changed at %3 of %4 positions.")
                       .arg(r.meanBefore, 0, 'f', 3)
                       .arg(r.meanAfter, 0, 'f', 3)
                       .arg(changed)
                       .arg(r.predictedBefore.size());
    if (m_copyStart >= 0)
        text += tr(" In-context copying (first copy − second copy loss): %1 → %2 nats.").arg(m_dropBefore, 0, 'f', 2).arg(m_dropAfter, 0, 'f', 2);
    m_status->setText(text);
}

void AblationPanel::steer()
{
    const std::shared_ptr<LoadedModel> model = context()->model();
    if (!model) {
        m_steerStatus->setText(tr("Load a model first."));
        Q_EMIT steered(false);
        return;
    }
    auto lines = [](const QPlainTextEdit *e) {
        QStringList out;
        for (const QString &l : e->toPlainText().split(QLatin1Char('\n')))
            if (!l.trimmed().isEmpty())
                out << l.trimmed();
        return out;
    };
    const QStringList pos = lines(m_positive), neg = lines(m_negative);
    const QString prompt = m_steerPrompt->text();
    if (pos.isEmpty() || neg.isEmpty() || prompt.trimmed().isEmpty()) {
        m_steerStatus->setText(tr("Type sentences on both sides and a prompt to continue."));
        Q_EMIT steered(false);
        return;
    }
    const int layer = m_layer->value(), tokens = m_tokens->value();
    const double strength = m_strength->value();
    m_steer->setEnabled(false);
    m_steerStatus->setText(tr("Generating with and without steering…"));
    context()->jobs()->submit(
        QStringLiteral("steer"), tr("Steering"),
        [model, prompt, pos, neg, layer, strength, tokens](JobControl &c) {
            return QVariant::fromValue(std::make_shared<SteeringResult>(Steering::steer(*model, prompt, pos, neg, layer, strength, tokens, &c)));
        },
        this,
        [this](const JobResult &r) {
            m_steer->setEnabled(true);
            if (!r.ok) {
                m_steerStatus->setText(r.cancelled ? tr("Steering cancelled.") : tr("Steering failed: %1").arg(r.error));
                Q_EMIT steered(false);
                return;
            }
            m_steering = *r.value.value<std::shared_ptr<SteeringResult>>();
            showSteering();
            Q_EMIT steered(true);
        });
}

void AblationPanel::showSteering()
{
    const SteeringResult &s = *m_steering;
    auto html = [&](const QString &continuation) {
        return QStringLiteral("<span style='color:gray'>%1</span><b>%2</b>").arg(s.prompt.toHtmlEscaped(), continuation.toHtmlEscaped());
    };
    m_without->setHtml(tr("<p><i>Without steering</i></p>") + html(s.plain));
    m_with->setHtml(tr("<p><i>With steering (layer %1, strength %2)</i></p>").arg(s.layer).arg(s.strength) + html(s.steered));
    m_steerStatus->setText(tr("Direction: mean of resid_pre.%1 over %2 tokens towards minus %3 tokens away; its norm %4 against a mean residual norm of %5.")
                               .arg(s.layer)
                               .arg(s.positiveTokens)
                               .arg(s.negativeTokens)
                               .arg(s.directionNorm, 0, 'f', 3)
                               .arg(s.residualNorm, 0, 'f', 3));
}

void AblationPanel::reloadSets()
{
    m_sets->clear();
    m_sets->addItem(tr("—"));
    Workspace *ws = context()->workspace();
    if (!ws || !context()->currentSession())
        return;
    try {
        for (const ResultRecord &r : ws->results(context()->currentSession(), QStringLiteral("sentence-set")))
            m_sets->addItem(r.name, r.data);
    } catch (const StoreError &) {
    }
}

} // namespace strata
