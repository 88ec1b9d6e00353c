#include "LanguageManager.h"

#include "settings/Settings.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <memory>

namespace strata {

namespace {
const Setting<QString> kLanguage{"UI/language", QString()};
std::unique_ptr<QTranslator> s_app, s_qt;
QString s_current = QStringLiteral("en");
} // namespace

QStringList LanguageManager::available()
{
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString LanguageManager::nativeName(const QString &code)
{
    if (code == QLatin1String("zh_CN"))
        return QStringLiteral("简体中文");
    return QStringLiteral("English");
}

QString LanguageManager::current()
{
    return s_current;
}

bool LanguageManager::setLanguage(const QString &code)
{
    if (!available().contains(code))
        return false;
    if (s_app) {
        QCoreApplication::removeTranslator(s_app.get());
        s_app.reset();
    }
    if (s_qt) {
        QCoreApplication::removeTranslator(s_qt.get());
        s_qt.reset();
    }
    bool ok = true;
    if (code != QLatin1String("en")) {
        s_app = std::make_unique<QTranslator>();
        ok = s_app->load(QStringLiteral(":/i18n/strata_%1.qm").arg(code));
        if (ok)
            QCoreApplication::installTranslator(s_app.get());
        else
            s_app.reset();
        // Qt's own dialogs (file dialogs, standard buttons), when the system has them.
        auto qt = std::make_unique<QTranslator>();
        if (qt->load(QStringLiteral("qtbase_%1").arg(code), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QCoreApplication::installTranslator(qt.get());
            s_qt = std::move(qt);
        }
    } else {
        // English needs no translator, but open windows must still re-read their strings.
        QCoreApplication::postEvent(QCoreApplication::instance(), new QEvent(QEvent::LanguageChange));
    }
    if (!ok)
        return false;
    // Dates and numbers written with QLocale() (session list, report) follow the UI language.
    QLocale::setDefault(code == QLatin1String("en") ? QLocale(QLocale::English, QLocale::UnitedStates) : QLocale(code));
    s_current = code;
    kLanguage.setValue(code);
    return true;
}

void LanguageManager::applySaved()
{
    QString code = kLanguage.value();
    if (code.isEmpty())
        code = QLocale::system().name() == QLatin1String("zh_CN") ? QStringLiteral("zh_CN") : QStringLiteral("en");
    if (code != QLatin1String("en"))
        setLanguage(code);
}

} // namespace strata
