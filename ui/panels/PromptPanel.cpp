#include "PromptPanel.h"

#include "AppContext.h"
#include "TokenStrip.h"
#include "settings/Settings.h"
#include "tokenize/Tokenizer.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace strata {

namespace {
const Setting<QStringList> kHistory{"Prompt/history", {}};
constexpr int kMaxHistory = 50;

QString tokenTooltip(const Tokenizer &tok, const TokenPiece &p, int index)
{
    QString hex;
    for (char c : tok.tokenBytes(p.id))
        hex += QStringLiteral("%1 ").arg(uchar(c), 2, 16, QLatin1Char('0'));
    return PromptPanel::tr("#%1  id %2\nbytes %3\n\"%4\"").arg(index).arg(p.id).arg(hex.trimmed(), tok.displayString(p.id));
}
} // namespace

PromptPanel::PromptPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_historyLabel = new QLabel;
    m_history = new QComboBox;
    m_history->setObjectName(QStringLiteral("promptHistory"));
    m_history->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_history->setMinimumContentsLength(20);
    top->addWidget(m_historyLabel);
    top->addWidget(m_history, 1);
    v->addLayout(top);

    m_editor = new QPlainTextEdit;
    m_editor->setObjectName(QStringLiteral("promptEditor"));
    m_editor->installEventFilter(this);
    m_editor->setTabChangesFocus(true);
    v->addWidget(m_editor, 2);

    auto *row = new QHBoxLayout;
    m_count = new QLabel;
    m_count->setObjectName(QStringLiteral("tokenCount"));
    m_run = new QPushButton;
    m_run->setObjectName(QStringLiteral("runButton"));
    m_cancel = new QPushButton;
    m_cancel->setEnabled(false);
    row->addWidget(m_count, 1);
    row->addWidget(m_cancel);
    row->addWidget(m_run);
    v->addLayout(row);

    auto *gen = new QHBoxLayout;
    m_tokensLabel = new QLabel;
    m_newTokens = new QSpinBox;
    m_newTokens->setRange(1, 256);
    m_newTokens->setValue(10);
    m_tempLabel = new QLabel;
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0.0, 5.0);
    m_temperature->setSingleStep(0.1);
    m_topKLabel = new QLabel;
    m_topK = new QSpinBox;
    m_topK->setRange(0, 1000);
    m_topK->setValue(40);
    m_continue = new QPushButton;
    for (QWidget *w : std::initializer_list<QWidget *>{m_tokensLabel, m_newTokens, m_tempLabel, m_temperature, m_topKLabel, m_topK})
        gen->addWidget(w);
    gen->addStretch(1);
    gen->addWidget(m_continue);
    v->addLayout(gen);

    m_strip = new TokenStrip;
    m_strip->setObjectName(QStringLiteral("tokenStrip"));
    auto *scroll = new QScrollArea;
    scroll->setWidget(m_strip);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    v->addWidget(scroll, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(150);
    connect(m_debounce, &QTimer::timeout, this, &PromptPanel::retokenize);
    connect(m_editor, &QPlainTextEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_run, &QPushButton::clicked, this, &PromptPanel::run);
    connect(m_cancel, &QPushButton::clicked, context, &AppContext::cancelRun);
    connect(m_continue, &QPushButton::clicked, this,
            [this] { this->context()->continuePrompt(prompt(), m_newTokens->value(), m_temperature->value(), m_topK->value()); });
    connect(context, &AppContext::continuationReady, this, [this](const QString &text) {
        m_editor->moveCursor(QTextCursor::End);
        m_editor->insertPlainText(text);
        // The views must show the text as it now reads, not the run before the continuation.
        run();
    });
    connect(m_history, &QComboBox::activated, this, [this](int i) {
        if (i > 0)
            setPrompt(m_history->itemText(i));
    });
    connect(m_strip, &TokenStrip::tokenClicked, this, [this](int i) {
        if (this->context()->trace())
            this->context()->setToken(i);
    });
    connect(context, &AppContext::runStarted, this, [this] { m_cancel->setEnabled(true); });
    connect(context, &AppContext::runFailed, this, [this] { m_cancel->setEnabled(false); });
    connect(context, &AppContext::runCancelled, this, [this] { m_cancel->setEnabled(false); });
    connect(context, &AppContext::traceChanged, this, [this] {
        m_cancel->setEnabled(this->context()->isRunning());
        showTraceTokens();
    });
    connect(context, &AppContext::selectionChanged, this, [this] { m_strip->setSelected(this->context()->token()); });
    connect(context, &AppContext::modelChanged, this, &PromptPanel::retokenize);

    const QStringList hist = kHistory.value();
    m_history->addItem(QString());
    m_history->addItems(hist);
    retranslate();
    retokenize();
}

void PromptPanel::retranslate()
{
    m_historyLabel->setText(tr("History:"));
    m_editor->setPlaceholderText(tr("Type a prompt and press Ctrl+Enter to trace it."));
    m_run->setText(tr("Run"));
    m_run->setToolTip(tr("Trace the prompt (Ctrl+Enter)"));
    m_cancel->setText(tr("Cancel"));
    m_continue->setText(tr("Continue"));
    m_continue->setToolTip(tr("Generate tokens and append them to the prompt (temperature 0 is greedy)"));
    m_tokensLabel->setText(tr("New tokens:"));
    m_tempLabel->setText(tr("Temperature:"));
    m_topKLabel->setText(tr("Top-k:"));
    retokenize();
}

QString PromptPanel::prompt() const
{
    return m_editor->toPlainText();
}

void PromptPanel::setPrompt(const QString &text)
{
    m_editor->setPlainText(text);
    retokenize();
}

bool PromptPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_editor && event->type() == QEvent::KeyPress) {
        auto *k = static_cast<QKeyEvent *>(event);
        if ((k->key() == Qt::Key_Return || k->key() == Qt::Key_Enter) && (k->modifiers() & Qt::ControlModifier)) {
            run();
            return true;
        }
    }
    return Panel::eventFilter(watched, event);
}

void PromptPanel::run()
{
    const QString p = prompt();
    addToHistory(p);
    context()->runPrompt(p);
}

void PromptPanel::addToHistory(const QString &p)
{
    if (p.trimmed().isEmpty())
        return;
    QStringList hist = kHistory.value();
    hist.removeAll(p);
    hist.prepend(p);
    while (hist.size() > kMaxHistory)
        hist.removeLast();
    kHistory.setValue(hist);
    m_history->clear();
    m_history->addItem(QString());
    m_history->addItems(hist);
}

void PromptPanel::retokenize()
{
    const auto model = context()->model();
    if (!model) {
        m_count->setText(tr("No model loaded"));
        m_run->setEnabled(false);
        m_continue->setEnabled(false);
        return;
    }
    m_run->setEnabled(true);
    m_continue->setEnabled(true);
    const std::vector<TokenPiece> pieces = model->tokenizePrompt(prompt());
    const int ctx = model->info().contextLength;
    const int n = int(pieces.size());
    m_count->setText(n > ctx ? tr("<b>%1 / %2 tokens — too long for this model</b>").arg(n).arg(ctx) : tr("%1 / %2 tokens").arg(n).arg(ctx));
    // While the text differs from the traced prompt, the strip previews the new tokenisation.
    const TracePtr t = context()->trace();
    if (t && t->prompt == prompt())
        return showTraceTokens();
    QStringList display, tips;
    for (int i = 0; i < n; ++i) {
        display << model->tokenizer().displayString(pieces[size_t(i)].id);
        tips << tokenTooltip(model->tokenizer(), pieces[size_t(i)], i);
    }
    m_strip->setTokens(display, pieces, tips);
}

void PromptPanel::showTraceTokens()
{
    const TracePtr t = context()->trace();
    const auto model = context()->model();
    if (!t || !model)
        return;
    QStringList tips;
    for (int i = 0; i < t->tokenCount(); ++i)
        tips << tokenTooltip(model->tokenizer(), t->tokens[size_t(i)], i);
    m_strip->setTokens(t->tokenStrings, t->tokens, tips);
    m_strip->setSelected(context()->token());
}

} // namespace strata
