#include "../TestFamilyBase.h"

class TestPlugin_badmeta : public TestFamilyBase
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID StrataModelFamily_iid FILE "plugin.json")
    Q_INTERFACES(strata::ModelFamily)
};

#include "Plugin.moc"
