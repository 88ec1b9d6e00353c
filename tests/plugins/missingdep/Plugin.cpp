#include "../TestFamilyBase.h"

int strataTestDependency();
static int s_dep = strataTestDependency();
class TestPlugin_missingdep : public TestFamilyBase
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID StrataModelFamily_iid FILE "plugin.json")
    Q_INTERFACES(strata::ModelFamily)
};

#include "Plugin.moc"
