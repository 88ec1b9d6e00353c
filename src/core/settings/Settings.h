#pragma once

#include <QSettings>
#include <QString>
#include <QVariant>

namespace strata {

// A typed settings key declared next to the code that uses it:
//   static const Setting<int> kThreads{"Runtime/threads", 0};
// so keys are never string literals scattered over files.
template <typename T> class Setting
{
public:
    Setting(const char *key, T defaultValue) : m_key(QString::fromLatin1(key)), m_default(std::move(defaultValue)) {}

    T value() const
    {
        QSettings s;
        const QVariant v = s.value(m_key);
        return v.isValid() && v.canConvert<T>() ? v.value<T>() : m_default;
    }
    void setValue(const T &v) const
    {
        QSettings s;
        s.setValue(m_key, QVariant::fromValue(v));
    }
    void reset() const
    {
        QSettings s;
        s.remove(m_key);
    }
    const QString &key() const { return m_key; }
    const T &defaultValue() const { return m_default; }

private:
    QString m_key;
    T m_default;
};

namespace Settings {
// Organisation/application names for QSettings; call once from each executable's main().
void initApplicationIdentity();
} // namespace Settings

} // namespace strata
