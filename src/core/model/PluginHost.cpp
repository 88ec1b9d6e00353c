#include "PluginHost.h"

#include "ComputeRuntime.h"

#include "util/Error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QPluginLoader>

namespace strata {

QString PluginRecord::stateName(State s)
{
    switch (s) {
    case State::Loaded:
        return QStringLiteral("loaded");
    case State::Refused:
        return QStringLiteral("refused");
    case State::Failed:
        return QStringLiteral("failed");
    }
    return QString();
}

PluginHost::PluginHost() = default;

PluginHost::~PluginHost()
{
    // Plugins stay mapped until exit: model objects created by them may still be alive in
    // static storage, and unloading code under live objects crashes.
    qDeleteAll(m_loaders);
}

PluginHost &PluginHost::instance()
{
    static PluginHost *host = [] {
        auto *h = new PluginHost; // deliberately leaked: see the destructor's note
        h->loadFrom(defaultSearchPaths());
        return h;
    }();
    return *host;
}

QStringList PluginHost::defaultSearchPaths()
{
    QStringList paths;
    for (const QString &p : qEnvironmentVariable("STRATA_PLUGIN_PATH").split(QLatin1Char(':'), Qt::SkipEmptyParts))
        paths << p;
    const QDir app(QCoreApplication::applicationDirPath());
    paths << app.filePath(QStringLiteral("../lib/strata/plugins"));
#ifdef STRATA_PLUGIN_INSTALL_RELDIR
    paths << app.filePath(QStringLiteral("../" STRATA_PLUGIN_INSTALL_RELDIR));
#endif
    QStringList unique;
    for (const QString &p : paths) {
        const QString c = QFileInfo(p).canonicalFilePath();
        if (!c.isEmpty() && !unique.contains(c))
            unique << c;
    }
    return unique;
}

void PluginHost::loadFrom(const QStringList &directories)
{
    for (const QString &d : directories) {
        const QDir dir(d);
        for (const QString &f : dir.entryList({QStringLiteral("*.so"), QStringLiteral("*.dll"), QStringLiteral("*.dylib")}, QDir::Files, QDir::Name))
            loadFile(dir.filePath(f));
    }
}

PluginRecord PluginHost::loadFile(const QString &file)
{
    PluginRecord rec;
    rec.file = file;
    auto refuse = [&](PluginRecord::State state, const QString &why) {
        rec.state = state;
        rec.message = why;
        m_records.append(rec);
        return rec;
    };
    if (!QFileInfo(file).isFile())
        return refuse(PluginRecord::State::Failed, QStringLiteral("The plugin file does not exist."));

    auto *loader = new QPluginLoader(file);
    const QJsonObject meta = loader->metaData();
    if (meta.isEmpty()) {
        const QString err = loader->errorString();
        delete loader;
        return refuse(PluginRecord::State::Failed, QStringLiteral("Not a valid Qt plugin (%1).").arg(err));
    }
    const QString iid = meta.value(QLatin1String("IID")).toString();
    const QString prefix = QStringLiteral("org.strata.ModelFamily/");
    if (iid != QLatin1String(StrataModelFamily_iid)) {
        delete loader;
        if (iid.startsWith(prefix))
            return refuse(PluginRecord::State::Refused, QStringLiteral("Built for model-family interface version %1; this Strata provides version %2.")
                                                            .arg(iid.mid(prefix.size()))
                                                            .arg(kModelFamilyApiVersion));
        return refuse(PluginRecord::State::Refused, QStringLiteral("Not a Strata model-family plugin (interface '%1').").arg(iid));
    }
    const QJsonValue mdValue = meta.value(QLatin1String("MetaData"));
    const QJsonObject md = mdValue.toObject();
    rec.family = md.value(QLatin1String("family")).toString();
    rec.version = md.value(QLatin1String("version")).toString();
    for (const QJsonValue &v : md.value(QLatin1String("formats")).toArray())
        rec.formats << v.toString();
    rec.compatVersion = md.value(QLatin1String("compatVersion")).toInt(0);
    QStringList problems;
    if (!mdValue.isObject() || md.isEmpty())
        problems << QStringLiteral("no metadata object (the plugin's JSON file is missing or not valid JSON)");
    else {
        if (rec.family.isEmpty())
            problems << QStringLiteral("'family' is missing");
        if (!md.value(QLatin1String("formats")).isArray() || rec.formats.isEmpty())
            problems << QStringLiteral("'formats' must be a non-empty array");
        if (!md.value(QLatin1String("compatVersion")).isDouble())
            problems << QStringLiteral("'compatVersion' is missing");
    }
    if (!problems.isEmpty()) {
        delete loader;
        return refuse(PluginRecord::State::Refused, QStringLiteral("Malformed metadata: %1.").arg(problems.join(QStringLiteral("; "))));
    }
    if (rec.compatVersion != kModelFamilyApiVersion) {
        delete loader;
        return refuse(PluginRecord::State::Refused,
                      QStringLiteral("Needs compatibility version %1; this Strata provides %2.").arg(rec.compatVersion).arg(kModelFamilyApiVersion));
    }
    if (family(rec.family)) {
        delete loader;
        return refuse(PluginRecord::State::Refused, QStringLiteral("Family '%1' is already provided by another plugin.").arg(rec.family));
    }
    QObject *obj = loader->instance();
    auto *fam = qobject_cast<ModelFamily *>(obj);
    if (!fam) {
        const QString err = loader->errorString();
        delete loader;
        return refuse(PluginRecord::State::Failed, QStringLiteral("Could not load: %1").arg(err));
    }
    m_loaders.append(loader);
    rec.state = PluginRecord::State::Loaded;
    rec.family_ = fam;
    m_records.append(rec);
    return rec;
}

QList<ModelFamily *> PluginHost::families() const
{
    QList<ModelFamily *> out;
    for (const auto &r : m_records)
        if (r.state == PluginRecord::State::Loaded && r.family_)
            out << r.family_;
    return out;
}

ModelFamily *PluginHost::family(const QString &id) const
{
    for (ModelFamily *f : families())
        if (f->familyId() == id)
            return f;
    return nullptr;
}

ModelFamily *PluginHost::familyFor(const ModelSource &source) const
{
    ModelFamily *best = nullptr;
    int bestScore = 0;
    for (ModelFamily *f : families()) {
        const int s = f->recognise(source);
        if (s > bestScore) {
            bestScore = s;
            best = f;
        }
    }
    if (!best) {
        QStringList ids;
        for (ModelFamily *f : families())
            ids << f->familyId();
        throw Error(ids.isEmpty() ? QStringLiteral("No model-family plugins are loaded, so %1 cannot be opened (looked in %2).")
                                        .arg(source.path, defaultSearchPaths().join(QStringLiteral(", ")))
                                  : QStringLiteral("%1: unknown model architecture; the loaded families (%2) do not recognise it.")
                                        .arg(source.path, ids.join(QStringLiteral(", "))));
    }
    return best;
}

std::unique_ptr<LoadedModel> PluginHost::load(const QString &location, const JobControl *control, const QString &compute) const
{
    ModelSource src = resolveModelLocation(location);
    src.compute = compute.isEmpty() ? ComputeRuntime::computeRequest() : compute;
    ComputeRuntime::resolveCompute(src.compute, 0); // an unknown request fails here, before loading
    return familyFor(src)->load(src, control);
}

} // namespace strata
