#pragma once

#include "model/ModelFamily.h"

#include <QObject>

namespace strata {

class NeoxFamily : public QObject, public ModelFamily
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID StrataModelFamily_iid FILE "neox.json")
    Q_INTERFACES(strata::ModelFamily)
public:
    QString familyId() const override { return QStringLiteral("neox"); }
    int recognise(const ModelSource &source) const override;
    std::unique_ptr<LoadedModel> load(const ModelSource &source, const JobControl *control) override;
};

} // namespace strata
