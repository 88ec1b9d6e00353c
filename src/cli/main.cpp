#include "CliCommands.h"
#include "model/ComputeRuntime.h"

#include "settings/Settings.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    strata::ComputeRuntime::configureAllocator();
    QCoreApplication app(argc, argv);
    strata::Settings::initApplicationIdentity();
    QCoreApplication::setApplicationName(QStringLiteral("strata-cli"));
    return strata::cli::run(QCoreApplication::arguments());
}
