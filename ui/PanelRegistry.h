#pragma once

#include <QList>
#include <QString>
#include <Qt>

#include <functional>

namespace strata {

class AppContext;
class Panel;

// The panels the main window offers. Each becomes a QDockWidget whose objectName is the panel id
// (so saved layouts survive renames of titles and translations).
struct PanelInfo
{
    QString id;                // stable objectName, e.g. "AttentionPanel"
    const char *title;         // untranslated; translated in the "Panels" context
    const char *whatItAnswers; // one line for the welcome text and tooltips
    Qt::DockWidgetArea area;
    std::function<Panel *(AppContext *)> create;
};

class PanelRegistry
{
public:
    static const QList<PanelInfo> &panels();
    static QString translatedTitle(const PanelInfo &info);
    static QString translatedPurpose(const PanelInfo &info);
};

} // namespace strata
