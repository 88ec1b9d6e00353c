#pragma once

#include <QString>
#include <QStringList>

namespace strata {

// Switches the UI language at run time. Installing a translator sends QEvent::LanguageChange to
// every widget; panels and the main window re-apply their strings in response.
class LanguageManager
{
public:
    static QStringList available(); // "en", "zh_CN"
    static QString nativeName(const QString &code);
    static QString current();
    static bool setLanguage(const QString &code); // also remembered for the next start
    static void applySaved();                     // the saved choice, else the system locale if we have it
};

} // namespace strata
