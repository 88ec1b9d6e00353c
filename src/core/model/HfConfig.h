#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace strata {

// A Hugging Face config.json with typed, validated access. Every getter names the file and the
// field in its error, and accepts the aliases families use (n_embd / hidden_size ...).
class HfConfig
{
public:
    static HfConfig load(const QString &path); // throws Error
    static HfConfig fromJson(const QJsonObject &obj, const QString &path = QString());

    const QJsonObject &json() const { return m_json; }
    const QString &path() const { return m_path; }
    QString modelType() const { return m_json.value(QLatin1String("model_type")).toString(); }
    QStringList architectures() const;

    bool has(const QString &key) const { return m_json.contains(key) && !m_json.value(key).isNull(); }
    // The first of keys present; throws when none is, or when it is not a positive integer.
    int requireInt(const QStringList &keys, int minimum = 1) const;
    int optionalInt(const QStringList &keys, int fallback) const;
    double optionalDouble(const QStringList &keys, double fallback) const;
    bool optionalBool(const QString &key, bool fallback) const;
    QString optionalString(const QString &key, const QString &fallback = QString()) const;

private:
    QJsonObject m_json;
    QString m_path;
};

} // namespace strata
