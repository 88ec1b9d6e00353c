#include "NeoxFamily.h"

#include "NeoxModel.h"
#include "model/HfConfig.h"
#include "util/Error.h"

#include <QFileInfo>

namespace strata {

int NeoxFamily::recognise(const ModelSource &source) const
{
    if (!source.isFolder() || !QFileInfo(source.filePath(QStringLiteral("config.json"))).isFile())
        return 0;
    try {
        return HfConfig::load(source.filePath(QStringLiteral("config.json"))).modelType() == QLatin1String("gpt_neox") ? 100 : 0;
    } catch (const Error &) {
        return 0;
    }
}

std::unique_ptr<LoadedModel> NeoxFamily::load(const ModelSource &source, const JobControl *control)
{
    return NeoxModel::load(source, control);
}

} // namespace strata
