#include "LlamaFamily.h"

#include "LlamaModel.h"
#include "model/HfConfig.h"
#include "tensor/GgufReader.h"
#include "util/Error.h"

#include <QFileInfo>

namespace strata {

int LlamaFamily::recognise(const ModelSource &source) const
{
    try {
        if (!source.isFolder()) {
            if (!source.path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
                return 0;
            GgufReader g;
            g.open(source.path);
            // Strata's only GGUF reader: an architecture it does not know is still claimed (weakly) so
            // that load() can name it.
            return LlamaModel::supportedGgufArchitectures().contains(g.metadata(QStringLiteral("general.architecture")).toString()) ? 100 : 10;
        }
        const QString cfg = source.filePath(QStringLiteral("config.json"));
        if (!QFileInfo(cfg).isFile())
            return 0;
        return LlamaModel::supportedHfModelTypes().contains(HfConfig::load(cfg).modelType()) ? 100 : 0;
    } catch (const Error &) {
        // A corrupt .gguf is still ours to report: claim it so that load() gives the precise error.
        return source.path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive) ? 10 : 0;
    }
}

std::unique_ptr<LoadedModel> LlamaFamily::load(const ModelSource &source, const JobControl *control)
{
    return LlamaModel::load(source, control);
}

} // namespace strata
