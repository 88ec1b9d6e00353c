#include "../TestFamilyBase.h"

class TestPlugin_wrongiid : public TestFamilyBase
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.strata.ModelFamily/1" FILE "plugin.json")
    Q_INTERFACES(strata::ModelFamily)
};

#include "Plugin.moc"
