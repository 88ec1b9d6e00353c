#include "Gpt2Family.h"

#include "Gpt2Model.h"
#include "model/HfConfig.h"
#include "util/Error.h"

#include <QFileInfo>

namespace strata {

int Gpt2Family::recognise(const ModelSource &source) const
{
    if (!source.isFolder())
        return 0;
    const QString cfgPath = source.filePath(QStringLiteral("config.json"));
    if (!QFileInfo(cfgPath).isFile())
        return 0;
    try {
        const HfConfig cfg = HfConfig::load(cfgPath);
        if (cfg.modelType() == QLatin1String("gpt2"))
            return 100;
        for (const QString &a : cfg.architectures())
            if (a.startsWith(QLatin1String("GPT2")))
                return 90;
    } catch (const Error &) {
        // A folder whose config.json cannot be read is not recognised; load() would report why.
    }
    return 0;
}

std::unique_ptr<LoadedModel> Gpt2Family::load(const ModelSource &source, const JobControl *control)
{
    return Gpt2Model::load(source, control);
}

} // namespace strata
