#pragma once

// The parts of the layer report (LayerReportSections.cpp), private to core: LayerReport.cpp builds
// the report from them in order.
#include "LayerReport.h"

#include <QJsonArray>

#include <vector>

namespace strata {

class JobControl;
class LoadedModel;
struct Trace;

// NaN as JSON null.
QJsonArray reportJsonArray(const std::vector<double> &v);

ReportSection reportContextSection(const std::vector<HeadScores> &scores, int layers);                       // part 1
ReportSection reportHierarchySection(LoadedModel &model, const ReportOptions &o, const JobControl *control); // part 2
ReportSection reportConveyorSection(const Trace &trace);                                                     // part 3
ReportSection reportLensSection(LoadedModel &model, const Trace &trace, const JobControl *control);          // part 4
ReportSection reportCompressionSection(LoadedModel &model, const JobControl *control);                       // part 5
ReportSection reportRolesSection(const std::vector<HeadScores> &scores, int layers);
ReportSection reportHeadsSection(LoadedModel &model, const Trace &trace, const std::vector<HeadScores> &scores, int heatmapTokens);

} // namespace strata
