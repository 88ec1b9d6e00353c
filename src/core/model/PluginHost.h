#pragma once

#include "ModelFamily.h"

#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <memory>

class QPluginLoader;

namespace strata {

// One plugin file the host looked at, and what became of it. Kept for Help > Plugins.
struct PluginRecord
{
    enum class State { Loaded, Refused, Failed };
    QString file;
    QString family;
    QString version;
    QStringList formats;
    int compatVersion = 0;
    State state = State::Failed;
    QString message; // why it was refused or failed to load; empty when loaded
    ModelFamily *family_ = nullptr;

    static QString stateName(State s);
};

// Finds model-family plugins, reads each one's metadata before loading its code, refuses those
// built for another interface version or with malformed metadata, and keeps every outcome.
class PluginHost
{
public:
    PluginHost();
    ~PluginHost();
    PluginHost(const PluginHost &) = delete;
    PluginHost &operator=(const PluginHost &) = delete;

    // The process-wide host, loaded from defaultSearchPaths() on first use.
    static PluginHost &instance();
    static QStringList defaultSearchPaths();

    void loadFrom(const QStringList &directories);
    PluginRecord loadFile(const QString &file); // also appended to records()

    const QList<PluginRecord> &records() const { return m_records; }
    QList<ModelFamily *> families() const;
    ModelFamily *family(const QString &id) const;

    // Picks the family that recognises the source best; throws Error listing what is available.
    ModelFamily *familyFor(const ModelSource &source) const;
    // Resolves the location and loads it with the right family.
    // compute: "auto", "f32" or "bf16"; empty: the process-wide request (ComputeRuntime).
    std::unique_ptr<LoadedModel> load(const QString &location, const JobControl *control = nullptr, const QString &compute = QString()) const;

private:
    QList<PluginRecord> m_records;
    QList<QPluginLoader *> m_loaders;
};

} // namespace strata
