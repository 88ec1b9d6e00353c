#include "PatchingPanel.h"

#include "AnswerTokens.h"
#include "AppContext.h"
#include "PlotStyle.h"
#include "analysis/Compare.h"
#include "jobs/JobRunner.h"
#include "model/ModelFamily.h"
#include "store/Workspace.h"
#include "tokenize/Tokenizer.h"
#include "util/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

Q_DECLARE_METATYPE(std::shared_ptr<strata::PatchingResult>)

namespace strata {

namespace {

using K = PatchingRequest::SiteKind;
const K kSites[] = {K::ResidPre, K::AttnOut, K::MlpOut, K::Head, K::HeadPosition};
using M = PatchingRequest::Metric;
const M kMetrics[] = {M::LogitDiff, M::Probability, M::KL};

std::vector<int64_t> ids(LoadedModel &model, const QString &text)
{
    std::vector<int64_t> out;
    for (const TokenPiece &p : model.tokenizePrompt(text))
        out.push_back(p.id);
    return out;
}

} // namespace

PatchingPanel::PatchingPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *grid = new QGridLayout;
    m_cleanLabel = new QLabel;
    m_clean = new QLineEdit;
    m_clean->setObjectName(QStringLiteral("patchClean"));
    m_useCurrent = new QPushButton;
    grid->addWidget(m_cleanLabel, 0, 0);
    grid->addWidget(m_clean, 0, 1, 1, 3);
    grid->addWidget(m_useCurrent, 0, 4);
    m_corruptLabel = new QLabel;
    m_corrupt = new QLineEdit;
    m_corrupt->setObjectName(QStringLiteral("patchCorrupt"));
    grid->addWidget(m_corruptLabel, 1, 0);
    grid->addWidget(m_corrupt, 1, 1, 1, 4);
    m_answerLabel = new QLabel;
    m_answer = new QLineEdit;
    m_wrong = new QLineEdit;
    grid->addWidget(m_answerLabel, 2, 0);
    grid->addWidget(m_answer, 2, 1);
    grid->addWidget(m_wrong, 2, 2);
    m_tokens = new QLabel;
    m_tokens->setWordWrap(true);
    m_tokens->setMinimumWidth(160);
    grid->addWidget(m_tokens, 2, 3, 1, 2);
    m_siteLabel = new QLabel;
    m_site = new QComboBox;
    m_layer = new QSpinBox;
    m_direction = new QComboBox;
    auto *siteRow = new QHBoxLayout;
    siteRow->addWidget(m_site);
    siteRow->addWidget(m_layer);
    siteRow->addWidget(m_direction);
    m_metricLabel = new QLabel;
    m_metric = new QComboBox;
    siteRow->addWidget(m_metricLabel);
    siteRow->addWidget(m_metric);
    m_attribution = new QCheckBox;
    siteRow->addWidget(m_attribution);
    siteRow->addStretch(1);
    m_run = new QPushButton;
    m_run->setObjectName(QStringLiteral("patchRun"));
    siteRow->addWidget(m_run);
    grid->addWidget(m_siteLabel, 3, 0);
    grid->addLayout(siteRow, 3, 1, 1, 4);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
    v->addLayout(grid);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_status);
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("patchingPlot"));
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);
    m_plot->setMinimumHeight(180);
    v->addWidget(m_plot, 1);
    m_notes = new QPlainTextEdit;
    m_notes->setMaximumHeight(54);
    v->addWidget(m_notes);
    auto *bottom = new QHBoxLayout;
    m_save = new QPushButton;
    m_export = new QPushButton;
    m_savedLabel = new QLabel;
    m_saved = new QComboBox;
    m_saved->setMinimumContentsLength(24);
    m_saved->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    bottom->addWidget(m_save);
    bottom->addWidget(m_export);
    bottom->addStretch(1);
    bottom->addWidget(m_savedLabel);
    bottom->addWidget(m_saved, 1);
    v->addLayout(bottom);

    for (int i = 0; i < int(std::size(kSites)); ++i)
        m_site->addItem(QString(), i);
    m_direction->addItems({QString(), QString()});
    for (int i = 0; i < int(std::size(kMetrics)); ++i)
        m_metric->addItem(QString(), i);
    m_layer->setRange(0, 0);
    m_layer->setVisible(false);

    connect(m_site, &QComboBox::currentIndexChanged, this, [this](int i) { m_layer->setVisible(i >= 0 && kSites[i] == K::HeadPosition); });
    connect(m_run, &QPushButton::clicked, this, &PatchingPanel::runSweep);
    connect(m_useCurrent, &QPushButton::clicked, this, [this] {
        if (const TracePtr t = this->context()->trace())
            m_clean->setText(t->prompt);
    });
    connect(m_answer, &QLineEdit::textChanged, this, &PatchingPanel::updateAnswerTokens);
    connect(m_wrong, &QLineEdit::textChanged, this, &PatchingPanel::updateAnswerTokens);
    connect(m_save, &QPushButton::clicked, this, &PatchingPanel::saveSweep);
    connect(m_saved, &QComboBox::activated, this, &PatchingPanel::openSaved);
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (m_result)
            FigureExport::exportInteractively(this, m_plot, figureData(), QStringLiteral("patching-%1").arg(m_result->site));
    });
    connect(context, &AppContext::modelChanged, this, [this] {
        m_result.reset();
        const auto model = this->context()->model();
        m_layer->setRange(0, model ? std::max(0, model->info().nLayers - 1) : 0);
        updateAnswerTokens();
        draw();
    });
    connect(context, &AppContext::currentRunChanged, this, &PatchingPanel::reloadSaved);
    connect(context, &AppContext::workspaceChanged, this, &PatchingPanel::reloadSaved);
    connect(context, &AppContext::patchingRequested, this, [this](const QString &clean, const QString &corrupt, const QString &a, const QString &b) {
        setPrompts(clean, corrupt);
        setAnswers(a, b);
        runSweep();
    });
    retranslate();
    reloadSaved();
}

void PatchingPanel::retranslate()
{
    m_cleanLabel->setText(tr("Clean"));
    m_clean->setPlaceholderText(tr("e.g. When Mary and John went to the store, John gave a drink to"));
    m_useCurrent->setText(tr("Use current run"));
    m_corruptLabel->setText(tr("Corrupted"));
    m_corrupt->setPlaceholderText(tr("the same number of tokens, e.g. …, Mary gave a drink to"));
    m_answerLabel->setText(tr("Answer / wrong"));
    m_answer->setPlaceholderText(tr("right answer (its first token counts)"));
    m_wrong->setPlaceholderText(tr("wrong answer"));
    m_siteLabel->setText(tr("Patch"));
    const QStringList sites{tr("Residual stream (layer × position)"), tr("Attention output (layer × position)"), tr("MLP output (layer × position)"),
                            tr("Heads (layer × head)"), tr("Heads of one layer (head × position)")};
    for (int i = 0; i < sites.size(); ++i)
        m_site->setItemText(i, sites[i]);
    m_layer->setPrefix(tr("layer "));
    m_direction->setItemText(0, tr("Denoise: clean into corrupted"));
    m_direction->setItemText(1, tr("Noise: corrupted into clean"));
    m_metricLabel->setText(tr("Metric"));
    const QStringList metrics{tr("Logit difference"), tr("Answer probability"), tr("KL to the clean run")};
    for (int i = 0; i < metrics.size(); ++i)
        m_metric->setItemText(i, metrics[i]);
    m_attribution->setText(tr("Attribution preview"));
    m_attribution->setToolTip(tr("Also estimate every cell from one backward pass (attribution patching) and show how well it agrees"));
    m_run->setText(tr("Patch"));
    m_notes->setPlaceholderText(tr("Notes on this sweep…"));
    m_save->setText(tr("Save sweep"));
    m_export->setText(tr("Export…"));
    m_savedLabel->setText(tr("Saved sweeps"));
    updateAnswerTokens();
    draw();
}

void PatchingPanel::setPrompts(const QString &clean, const QString &corrupt)
{
    m_clean->setText(clean);
    m_corrupt->setText(corrupt);
}

void PatchingPanel::setAnswers(const QString &answer, const QString &wrong)
{
    m_answer->setText(answer);
    m_wrong->setText(wrong);
}

void PatchingPanel::setSite(PatchingRequest::SiteKind site, int layer)
{
    for (int i = 0; i < int(std::size(kSites)); ++i)
        if (kSites[i] == site)
            m_site->setCurrentIndex(i);
    m_layer->setValue(layer);
}

void PatchingPanel::setDirection(PatchingRequest::Direction direction)
{
    m_direction->setCurrentIndex(direction == PatchingRequest::Direction::Noise ? 1 : 0);
}

void PatchingPanel::setMetric(PatchingRequest::Metric metric)
{
    for (int i = 0; i < int(std::size(kMetrics)); ++i)
        if (kMetrics[i] == metric)
            m_metric->setCurrentIndex(i);
}

void PatchingPanel::setAttribution(bool on)
{
    m_attribution->setChecked(on);
}

QString PatchingPanel::answerTokensText() const
{
    return m_tokens->text();
}

QString PatchingPanel::status() const
{
    return m_status->text();
}

void PatchingPanel::updateAnswerTokens()
{
    const auto model = context()->model();
    if (!model) {
        m_tokens->clear();
        return;
    }
    const QString a = strata::answerTokensText(*model, m_answer->text()), b = strata::answerTokensText(*model, m_wrong->text());
    m_tokens->setText(a.isEmpty() && b.isEmpty() ? QString() : tr("→ %1 | %2").arg(a.isEmpty() ? tr("?") : a, b.isEmpty() ? tr("?") : b));
}

bool PatchingPanel::buildRequest(PatchingRequest *req, QString *why) const
{
    const auto model = context()->model();
    if (!model) {
        *why = tr("Load a model first.");
        return false;
    }
    if (m_clean->text().trimmed().isEmpty() || m_corrupt->text().trimmed().isEmpty()) {
        *why = tr("Type a clean and a corrupted prompt.");
        return false;
    }
    req->clean = ids(*model, m_clean->text());
    req->corrupt = ids(*model, m_corrupt->text());
    if (req->clean.size() != req->corrupt.size()) {
        *why = tr("The clean prompt has %1 tokens and the corrupted one %2: patching needs the same count (swap words that are one token each).")
                   .arg(req->clean.size())
                   .arg(req->corrupt.size());
        return false;
    }
    req->answer = Compare::firstToken(*model, m_answer->text());
    req->wrong = Compare::firstToken(*model, m_wrong->text());
    if (req->answer < 0 || req->wrong < 0) {
        *why = tr("Type the right and the wrong answer.");
        return false;
    }
    req->site = kSites[std::max(0, m_site->currentIndex())];
    req->layer = m_layer->value();
    req->direction = m_direction->currentIndex() == 1 ? PatchingRequest::Direction::Noise : PatchingRequest::Direction::Denoise;
    req->metric = kMetrics[std::max(0, m_metric->currentIndex())];
    req->attribution = m_attribution->isChecked();
    return true;
}

void PatchingPanel::runSweep()
{
    PatchingRequest req;
    QString why;
    if (!buildRequest(&req, &why)) {
        m_status->setText(why);
        Q_EMIT finished(false);
        return;
    }
    const std::shared_ptr<LoadedModel> model = context()->model();
    const QString base = req.direction == PatchingRequest::Direction::Denoise ? m_corrupt->text() : m_clean->text();
    m_run->setEnabled(false);
    m_status->setText(tr("Patching… (progress and Cancel in the status bar)"));
    context()->jobs()->submit(
        QStringLiteral("patching"), tr("Activation patching"),
        [model, req](JobControl &c) { return QVariant::fromValue(std::make_shared<PatchingResult>(Patching::sweep(*model, req, &c))); }, this,
        [this, req, base](const JobResult &r) {
            m_run->setEnabled(true);
            if (!r.ok) {
                m_status->setText(r.cancelled ? tr("Patching cancelled.") : tr("Patching failed: %1").arg(r.error));
                Q_EMIT finished(false);
                return;
            }
            m_result = *r.value.value<std::shared_ptr<PatchingResult>>();
            m_request = req;
            m_baseText = base;
            Q_EMIT context()->message(tr("Patched %1 cells (%2).").arg(m_result->rows * m_result->cols).arg(m_result->site));
            draw();
            Q_EMIT finished(true);
        });
}

void PatchingPanel::openCell(int row, int col)
{
    const std::shared_ptr<LoadedModel> model = context()->model();
    if (!m_result || !model || m_request.clean.empty()) {
        Q_EMIT cellOpened(false);
        return;
    }
    const PatchingRequest req = m_request;
    const QString base = m_baseText;
    context()->jobs()->submit(
        QStringLiteral("patched-run"), tr("Running the patched cell"),
        [model, req, base, row, col](JobControl &c) {
            const std::vector<Intervention> ivs = Patching::cellInterventions(*model, req, row, col);
            return QVariant::fromValue(TracePtr(model->trace(base, TraceOptions{}, &c, ivs)));
        },
        this,
        [this, row, col](const JobResult &r) {
            if (!r.ok) {
                m_status->setText(tr("Running the patched cell failed: %1").arg(r.error));
                Q_EMIT cellOpened(false);
                return;
            }
            const TracePtr t = r.value.value<TracePtr>();
            context()->showNewRun(t);
            m_status->setText(tr("Every panel now shows the patched run (%1): %2.")
                                  .arg(m_result->rowLabels.value(row) + QStringLiteral(" / ") + m_result->colLabels.value(col),
                                       t->interventions.empty() ? QString() : t->interventions.front().describe()));
            Q_EMIT cellOpened(true);
        });
}

FigureData PatchingPanel::figureData() const
{
    FigureData fd;
    if (!m_result)
        return fd;
    const PatchingResult &r = *m_result;
    const auto model = context()->model();
    fd.title = tr("Activation patching: %1, %2, %3 (0 = corrupted, 1 = clean) · %4 · %5")
                   .arg(r.site, r.direction, r.metric, model ? model->info().name : QString(), m_baseText.left(60));
    fd.rowLabels = r.rowLabels;
    fd.columnLabels = r.colLabels;
    for (int row = 0; row < r.rows; ++row) {
        std::vector<double> values;
        for (int c = 0; c < r.cols; ++c)
            values.push_back(r.value(row, c));
        fd.values.push_back(values);
    }
    return fd;
}

void PatchingPanel::draw()
{
    m_plot->clearPlottables();
    m_plot->plotLayout()->clear();
    if (!m_result) {
        auto *hint = new QCPTextElement(m_plot,
                                        tr("Type a clean and a corrupted prompt of the same token count and two answers, then press Patch.\n"
                                           "Each cell shows how much of the clean behaviour patching that activation restores."),
                                        QFont(font().family(), 9));
        m_plot->plotLayout()->addElement(0, 0, hint);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        if (!context()->model())
            m_status->setText(tr("Load a model first."));
        return;
    }
    const PatchingResult &r = *m_result;
    const bool atp = !r.attribution.empty();
    auto *group = new QCPMarginGroup(m_plot);
    auto addMap = [&](int row, const std::vector<double> &values, const QString &title) {
        auto *rect = new QCPAxisRect(m_plot);
        m_plot->plotLayout()->addElement(row * 2, 0, new QCPTextElement(m_plot, title, QFont(font().family(), 9, QFont::Bold)));
        m_plot->plotLayout()->addElement(row * 2 + 1, 0, rect);
        auto *map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        map->setName(title);
        map->data()->setSize(r.cols, r.rows);
        map->data()->setRange(QCPRange(0, r.cols - 1), QCPRange(0, r.rows - 1));
        double maxAbs = 1.0;
        for (int y = 0; y < r.rows; ++y)
            for (int x = 0; x < r.cols; ++x) {
                const double value = values[size_t(y * r.cols + x)];
                map->data()->setCell(x, y, value);
                if (std::isfinite(value))
                    maxAbs = std::max(maxAbs, std::abs(value));
            }
        map->setInterpolate(false);
        auto *scale = new QCPColorScale(m_plot);
        m_plot->plotLayout()->addElement(row * 2 + 1, 1, scale);
        map->setColorScale(scale); // the scale's gradient and range rule the map: set them on the scale
        scale->setGradient(PlotStyle::divergingGradient());
        scale->setDataRange(QCPRange(-maxAbs, maxAbs));
        scale->axis()->setLabel(tr("restored (1 = clean)"));
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
        auto xt = QSharedPointer<QCPAxisTickerText>::create();
        const int step = std::max(1, r.cols / 40);
        for (int x = 0; x < r.cols; x += step)
            xt->addTick(x, r.colLabels.value(x));
        auto yt = QSharedPointer<QCPAxisTickerText>::create();
        for (int y = 0; y < r.rows; ++y)
            yt->addTick(y, r.rowLabels.value(y));
        rect->axis(QCPAxis::atBottom)->setTicker(xt);
        rect->axis(QCPAxis::atBottom)->setTickLabelRotation(60);
        rect->axis(QCPAxis::atLeft)->setTicker(yt);
        rect->axis(QCPAxis::atLeft)->setRangeReversed(true);
        rect->axis(QCPAxis::atBottom)->setRange(-0.5, r.cols - 0.5);
        rect->axis(QCPAxis::atLeft)->setRange(-0.5, r.rows - 0.5);
        rect->axis(QCPAxis::atLeft)->setLabel(r.site == QLatin1String("head_position") ? tr("head") : tr("layer"));
    };
    addMap(0, r.values, tr("Patching (%1, %2)").arg(r.metric, r.direction));
    if (atp)
        addMap(1, r.attribution, tr("Attribution patching estimate (one backward pass)"));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    QString text = tr("%1 × %2 cells. %3: clean %4, corrupted %5 (logit difference %6 → %7). Hover a cell for its value; click it to show that patched run in "
                      "every panel.")
                       .arg(r.rows)
                       .arg(r.cols)
                       .arg(r.metric)
                       .arg(r.cleanValue, 0, 'g', 4)
                       .arg(r.corruptValue, 0, 'g', 4)
                       .arg(r.cleanLogitDiff, 0, 'f', 3)
                       .arg(r.corruptLogitDiff, 0, 'f', 3);
    if (atp)
        text += tr(" Attribution against patching (logit difference): r = %1, largest error %2.")
                    .arg(r.attributionCorrelation, 0, 'f', 3)
                    .arg(r.attributionMaxError, 0, 'f', 3);
    m_status->setText(text);
}

bool PatchingPanel::cellAt(const QPoint &pos, int *row, int *col) const
{
    if (!m_result || m_plot->plottableCount() == 0)
        return false;
    for (int i = 0; i < m_plot->plottableCount(); ++i) {
        auto *map = qobject_cast<QCPColorMap *>(m_plot->plottable(i));
        if (!map || !map->keyAxis()->axisRect()->rect().contains(pos))
            continue;
        const double x = map->keyAxis()->pixelToCoord(pos.x()), y = map->valueAxis()->pixelToCoord(pos.y());
        const int c = int(std::lround(x)), r = int(std::lround(y));
        if (c < 0 || c >= m_result->cols || r < 0 || r >= m_result->rows)
            return false;
        *row = r;
        *col = c;
        return true;
    }
    return false;
}

bool PatchingPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_plot && m_result) {
        int row = 0, col = 0;
        if (event->type() == QEvent::MouseMove) {
            auto *me = static_cast<QMouseEvent *>(event);
            if (cellAt(me->pos(), &row, &col)) {
                const size_t k = size_t(row * m_result->cols + col);
                QString tip = tr("%1 · %2\nrestored %3 (%4 %5)")
                                  .arg(m_result->rowLabels.value(row), m_result->colLabels.value(col))
                                  .arg(m_result->values[k], 0, 'f', 3)
                                  .arg(m_result->metric)
                                  .arg(m_result->raw[k], 0, 'g', 4);
                if (!m_result->attribution.empty())
                    tip += tr("\nattribution estimate %1").arg(m_result->attribution[k], 0, 'f', 3);
                QToolTip::showText(me->globalPosition().toPoint(), tip, m_plot);
            } else {
                QToolTip::hideText();
            }
        } else if (event->type() == QEvent::ToolTip) {
            return true; // the cell's value, not a general tooltip
        } else if (event->type() == QEvent::MouseButtonRelease) {
            auto *me = static_cast<QMouseEvent *>(event);
            if (me->button() == Qt::LeftButton && cellAt(me->pos(), &row, &col))
                openCell(row, col);
        }
    }
    return Panel::eventFilter(watched, event);
}

bool PatchingPanel::saveSweep()
{
    Workspace *ws = context()->workspace();
    const auto model = context()->model();
    if (!m_result || !ws || ws->isReadOnly()) {
        m_status->setText(tr("Nothing to save (run a sweep in a writable workspace)."));
        return false;
    }
    const qint64 session = context()->ensureSession();
    if (!session)
        return false;
    ResultRecord rec;
    rec.sessionId = session;
    rec.kind = QStringLiteral("patching");
    rec.name = tr("%1, %2: %3").arg(m_result->site, m_result->direction, m_clean->text().left(50));
    rec.modelFingerprint = model ? model->info().fingerprint : QString();
    rec.data = QJsonObject{{QStringLiteral("clean"), m_clean->text()},        {QStringLiteral("corrupt"), m_corrupt->text()},
                           {QStringLiteral("answer"), m_answer->text()},      {QStringLiteral("wrong"), m_wrong->text()},
                           {QStringLiteral("notes"), m_notes->toPlainText()}, {QStringLiteral("site_index"), m_site->currentIndex()},
                           {QStringLiteral("result"), m_result->toJson()}};
    const bool ok = context()->guardStore([&] { ws->addResult(rec); }, tr("Saving the sweep"));
    reloadSaved();
    if (ok)
        m_status->setText(tr("Sweep saved in the session."));
    return ok;
}

void PatchingPanel::reloadSaved()
{
    m_saved->clear();
    Workspace *ws = context()->workspace();
    const qint64 session = context()->currentSession();
    if (ws && session) {
        try {
            for (const ResultRecord &r : ws->results(session, QStringLiteral("patching")))
                m_saved->addItem(QStringLiteral("%1 — %2").arg(QLocale().toString(r.created.toLocalTime(), QLocale::ShortFormat), r.name), r.data);
        } catch (const StoreError &) {
        }
    }
    m_saved->setEnabled(m_saved->count() > 0);
}

QStringList PatchingPanel::savedNames() const
{
    QStringList names;
    for (int i = 0; i < m_saved->count(); ++i)
        names << m_saved->itemText(i);
    return names;
}

void PatchingPanel::openSaved(int index)
{
    const QJsonObject d = m_saved->itemData(index).toJsonObject();
    if (d.isEmpty())
        return;
    try {
        m_result = PatchingResult::fromJson(d.value(QStringLiteral("result")).toObject());
    } catch (const Error &e) {
        m_status->setText(e.message());
        return;
    }
    m_clean->setText(d.value(QStringLiteral("clean")).toString());
    m_corrupt->setText(d.value(QStringLiteral("corrupt")).toString());
    m_answer->setText(d.value(QStringLiteral("answer")).toString());
    m_wrong->setText(d.value(QStringLiteral("wrong")).toString());
    m_notes->setPlainText(d.value(QStringLiteral("notes")).toString());
    m_site->setCurrentIndex(d.value(QStringLiteral("site_index")).toInt());
    m_direction->setCurrentIndex(m_result->direction == QLatin1String("noise") ? 1 : 0);
    try {
        setMetric(Patching::parseMetric(m_result->metric));
    } catch (const Error &) {
    }
    m_attribution->setChecked(!m_result->attribution.empty());
    if (m_result->layer >= 0)
        m_layer->setValue(m_result->layer);
    QString why;
    PatchingRequest req;
    if (buildRequest(&req, &why)) { // with the model loaded, cells can be opened again
        m_request = req;
        m_baseText = req.direction == PatchingRequest::Direction::Denoise ? m_corrupt->text() : m_clean->text();
    }
    draw();
}

} // namespace strata
