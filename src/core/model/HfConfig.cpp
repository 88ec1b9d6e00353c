#include "HfConfig.h"

#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace strata {

HfConfig HfConfig::load(const QString &path)
{
    QFile f(path);
    if (!f.exists())
        throw Error(QStringLiteral("%1: file not found.").arg(QDir::toNativeSeparators(path)));
    if (!f.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2.").arg(QDir::toNativeSeparators(path), f.errorString()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (err.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: invalid JSON at byte %2 (%3).").arg(QDir::toNativeSeparators(path)).arg(err.offset).arg(err.errorString()));
    if (!doc.isObject())
        throw Error(QStringLiteral("%1: expected a JSON object.").arg(QDir::toNativeSeparators(path)));
    return fromJson(doc.object(), path);
}

HfConfig HfConfig::fromJson(const QJsonObject &obj, const QString &path)
{
    HfConfig c;
    c.m_json = obj;
    c.m_path = path;
    return c;
}

QStringList HfConfig::architectures() const
{
    QStringList out;
    for (const QJsonValue &v : m_json.value(QLatin1String("architectures")).toArray())
        out << v.toString();
    return out;
}

int HfConfig::requireInt(const QStringList &keys, int minimum) const
{
    for (const QString &k : keys) {
        if (!has(k))
            continue;
        const QJsonValue v = m_json.value(k);
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || d != std::floor(d) || d < minimum || d > 1e9)
            throw Error(QStringLiteral("%1: field '%2' must be an integer >= %3.").arg(QDir::toNativeSeparators(m_path), k).arg(minimum));
        return int(d);
    }
    throw Error(QStringLiteral("%1: required field '%2' is missing.").arg(QDir::toNativeSeparators(m_path), keys.join(QStringLiteral("' or '"))));
}

int HfConfig::optionalInt(const QStringList &keys, int fallback) const
{
    for (const QString &k : keys)
        if (has(k))
            return requireInt({k}, 0);
    return fallback;
}

double HfConfig::optionalDouble(const QStringList &keys, double fallback) const
{
    for (const QString &k : keys) {
        if (!has(k))
            continue;
        if (!m_json.value(k).isDouble())
            throw Error(QStringLiteral("%1: field '%2' must be a number.").arg(QDir::toNativeSeparators(m_path), k));
        return m_json.value(k).toDouble();
    }
    return fallback;
}

bool HfConfig::optionalBool(const QString &key, bool fallback) const
{
    return has(key) ? m_json.value(key).toBool(fallback) : fallback;
}

QString HfConfig::optionalString(const QString &key, const QString &fallback) const
{
    return has(key) ? m_json.value(key).toString(fallback) : fallback;
}

} // namespace strata
