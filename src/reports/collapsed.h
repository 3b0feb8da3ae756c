// reports: folded stacks ("main;parse;make_order 4096"), one line per stack, for flamegraph.pl,
// inferno and speedscope. The figure is the chosen site metric.
#pragma once

#include <string>

#include "analysis/model.h"
#include "reports/reporter.h"
#include "reports/sites.h"

namespace heapscope::reports {

// Outermost frame first, inline frames included, each stack once with the sum of its sites;
// stacks whose figure is 0 are left out. Sorted by stack text so the output is stable.
std::string collapsedStacks(const analysis::Model& model, SiteOrder metric,
                            const StackResolver& resolve);

} // namespace heapscope::reports
