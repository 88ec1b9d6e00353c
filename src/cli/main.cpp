#include "CliCommands.h"
#include "model/ComputeRuntime.h"

#include "settings/Settings.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <cstring>
#include <string>

#include <sys/stat.h>
#include <unistd.h>
#include <memory>

int main(int argc, char **argv)
{
    strata::ComputeRuntime::configureAllocator();
    // `report` draws figures and text (fonts need QtGui); without a display it draws offscreen.
    std::unique_ptr<QCoreApplication> app;
    if (argc > 1 && std::strcmp(argv[1], "report") == 0) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
            // What Qt falls back to anyway (a private folder in /tmp), without its warning on stderr,
            // which carries only the one error line when something is refused.
            const std::string dir = "/tmp/runtime-" + std::to_string(getuid());
            mkdir(dir.c_str(), 0700);
            qputenv("XDG_RUNTIME_DIR", QByteArray::fromStdString(dir));
        }
        app = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    strata::Settings::initApplicationIdentity();
    QCoreApplication::setApplicationName(QStringLiteral("strata-cli"));
    return strata::cli::run(QCoreApplication::arguments());
}
