#pragma once

#include "model/ModelFamily.h"

#include <QObject>

namespace strata {

class Gpt2Family : public QObject, public ModelFamily
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID StrataModelFamily_iid FILE "gpt2.json")
    Q_INTERFACES(strata::ModelFamily)
public:
    QString familyId() const override { return QStringLiteral("gpt2"); }
    int recognise(const ModelSource &source) const override;
    std::unique_ptr<LoadedModel> load(const ModelSource &source, const JobControl *control) override;
};

} // namespace strata
