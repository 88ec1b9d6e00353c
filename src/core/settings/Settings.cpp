#include "Settings.h"

#include <QCoreApplication>

namespace strata::Settings {

void initApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Strata"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("strata.invalid"));
    QCoreApplication::setApplicationName(QStringLiteral("Strata"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STRATA_VERSION));
}

} // namespace strata::Settings
