#pragma once

#include <QString>
#include <QStringList>

namespace strata {

// A model location resolved to something on disk. What the user typed (a folder, a .gguf file, a Hub
// id found in the local Hugging Face cache, or "demo") becomes one of these before any family sees it.
struct ModelSource
{
    enum class Kind { Folder, File };
    Kind kind = Kind::Folder;
    QString location; // as given
    QString path;     // folder or file
    QString hubId;    // when it came from the Hub cache
    QString revision;
    QString compute; // "auto", "f32", "bf16"; empty: ComputeRuntime::computeRequest()

    bool isFolder() const { return kind == Kind::Folder; }
    QString filePath(const QString &name) const; // a file inside the folder
};

// Resolves LOC as documented for the CLI: "demo", an existing folder or file, or a Hub id
// ("org/name" or "org/name@revision") in the local cache. Throws Error naming what was tried.
ModelSource resolveModelLocation(const QString &location);

// Where the bundled demo model lives (installed tree, build tree, or $STRATA_DEMO_MODEL).
QStringList demoModelCandidates();

} // namespace strata
