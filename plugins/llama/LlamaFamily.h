#pragma once

#include "model/ModelFamily.h"

#include <QObject>

namespace strata {

class LlamaFamily : public QObject, public ModelFamily
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID StrataModelFamily_iid FILE "llama.json")
    Q_INTERFACES(strata::ModelFamily)
public:
    QString familyId() const override { return QStringLiteral("llama"); }
    int recognise(const ModelSource &source) const override;
    std::unique_ptr<LoadedModel> load(const ModelSource &source, const JobControl *control) override;
};

} // namespace strata
