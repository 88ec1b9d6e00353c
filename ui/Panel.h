#pragma once

#include <QEvent>
#include <QWidget>

namespace strata {

class AppContext;

// Base of every dock panel: it observes the AppContext and retranslates itself on language change.
class Panel : public QWidget
{
    Q_OBJECT
public:
    Panel(AppContext *context, QWidget *parent = nullptr) : QWidget(parent), m_context(context) {}
    AppContext *context() const { return m_context; }
    // Re-applies every user-visible string (called on QEvent::LanguageChange).
    virtual void retranslate() {}

protected:
    void changeEvent(QEvent *e) override
    {
        if (e->type() == QEvent::LanguageChange)
            retranslate();
        QWidget::changeEvent(e);
    }

private:
    AppContext *m_context;
};

} // namespace strata
