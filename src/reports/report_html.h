// reports: the self-contained HTML pages: `report` (summary, timeline, flame graph, tables) and
// `flamegraph -o FILE.html`. Scripts, styles and data are all inside the page; it fetches
// nothing when it is opened.
#pragma once

#include <string>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

std::string reportHtml(const analysis::Model& model, const StackResolver& resolve);

// The interactive flame graph alone; `metric` is the one shown first (a SiteOrder name).
std::string flamegraphHtml(const analysis::Model& model, const StackResolver& resolve,
                           std::string_view metric);

} // namespace heapscope::reports
