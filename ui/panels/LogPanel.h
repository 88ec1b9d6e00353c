#pragma once

#include "Panel.h"

class QPlainTextEdit;

namespace strata {

// What Strata did and what went wrong, with times: loads, runs, errors.
class LogPanel : public Panel
{
    Q_OBJECT
public:
    explicit LogPanel(AppContext *context);
    void append(const QString &text);
    QString text() const;

private:
    QPlainTextEdit *m_log;
};

} // namespace strata
