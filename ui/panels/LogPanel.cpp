#include "LogPanel.h"

#include "AppContext.h"

#include <QDateTime>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace strata {

LogPanel::LogPanel(AppContext *context) : Panel(context)
{
    auto *v = new QVBoxLayout(this);
    m_log = new QPlainTextEdit;
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    v->addWidget(m_log);
    connect(context, &AppContext::message, this, &LogPanel::append);
}

void LogPanel::append(const QString &text)
{
    m_log->appendPlainText(QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), text));
}

QString LogPanel::text() const
{
    return m_log->toPlainText();
}

} // namespace strata
