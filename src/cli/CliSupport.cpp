#include "CliSupport.h"

#include "model/ComputeRuntime.h"
#include "model/ModelFamily.h"
#include "model/PluginHost.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace strata::cli {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

void printJson(const QJsonValue &v)
{
    const QByteArray bytes =
        v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented) : QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented);
    out() << QString::fromUtf8(bytes);
    out().flush();
}

QString requireValue(const QCommandLineParser &p, const QString &name)
{
    if (!p.isSet(name))
        throw Error(QStringLiteral("missing --%1.").arg(name));
    return p.value(name);
}

int intValue(const QCommandLineParser &p, const QString &name, int fallback, int minimum)
{
    if (!p.isSet(name))
        return fallback;
    bool ok = false;
    const int v = p.value(name).toInt(&ok);
    if (!ok || v < minimum)
        throw Error(QStringLiteral("--%1 must be an integer >= %2, not '%3'.").arg(name).arg(minimum).arg(p.value(name)));
    return v;
}

double doubleValue(const QCommandLineParser &p, const QString &name, double fallback, double minimum, double maximum, const QString &what)
{
    if (!p.isSet(name))
        return fallback;
    bool ok = false;
    const double v = p.value(name).toDouble(&ok);
    if (!ok || !(v >= minimum && v <= maximum))
        throw Error(QStringLiteral("--%1 must be %2.").arg(name, what));
    return v;
}

std::unique_ptr<LoadedModel> loadModel(const QCommandLineParser &p)
{
    ComputeRuntime::configureThreads();
    return PluginHost::instance().load(p.isSet(QStringLiteral("model")) ? p.value(QStringLiteral("model")) : QStringLiteral("demo"));
}

QCommandLineOption modelOption()
{
    return QCommandLineOption(QStringLiteral("model"), QStringLiteral("Model: a folder, a .gguf file, a Hub id in the local cache, or 'demo'."),
                              QStringLiteral("LOC"));
}

} // namespace strata::cli
