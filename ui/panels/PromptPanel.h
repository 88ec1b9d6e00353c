#pragma once

#include "Panel.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace strata {

class TokenStrip;

// The prompt editor: multi-line text, live token count against the context length (tokenised as
// you type, debounced), Run (Ctrl+Enter), history, a token strip, and "Continue" generation.
class PromptPanel : public Panel
{
    Q_OBJECT
public:
    explicit PromptPanel(AppContext *context);
    void retranslate() override;

    QString prompt() const;
    void setPrompt(const QString &text);
    void run();
    QPlainTextEdit *editor() const { return m_editor; }
    TokenStrip *tokenStrip() const { return m_strip; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void retokenize();
    void showTraceTokens();
    void addToHistory(const QString &prompt);
    QPlainTextEdit *m_editor;
    QLabel *m_count;
    QComboBox *m_history;
    QPushButton *m_run, *m_cancel, *m_continue;
    QSpinBox *m_newTokens, *m_topK;
    QDoubleSpinBox *m_temperature;
    QLabel *m_tokensLabel, *m_tempLabel, *m_topKLabel, *m_historyLabel;
    TokenStrip *m_strip;
    QTimer *m_debounce;
};

} // namespace strata
