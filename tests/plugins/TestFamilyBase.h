#pragma once

#include "model/ModelFamily.h"
#include "util/Error.h"

#include <QFileInfo>
#include <QObject>

// Shared body of the test plugins: recognises folders holding a "testfamily.marker" file and
// refuses to load them (the host test only needs to see the plugin chosen).
class TestFamilyBase : public QObject, public strata::ModelFamily
{
public:
    QString familyId() const override { return QStringLiteral("testfamily"); }
    int recognise(const strata::ModelSource &s) const override { return QFileInfo::exists(s.filePath(QStringLiteral("testfamily.marker"))) ? 50 : 0; }
    std::unique_ptr<strata::LoadedModel> load(const strata::ModelSource &, const strata::JobControl *) override
    {
        throw strata::Error(QStringLiteral("The test family loads nothing."));
    }
};
