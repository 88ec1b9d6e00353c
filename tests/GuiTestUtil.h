#pragma once

#include "AppContext.h"

#include <QSignalSpy>
#include <QString>

namespace testutil {

// Loads a model into the context and waits for it (false when it did not arrive in 30 s).
inline bool loadAndWait(strata::AppContext &ctx, const QString &location)
{
    QSignalSpy loaded(&ctx, &strata::AppContext::modelChanged);
    ctx.loadModel(location);
    return loaded.wait(30000);
}

} // namespace testutil
