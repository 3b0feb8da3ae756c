// reports: `summary --json`, the whole-run figures in the stable shape of DESIGN.md.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/model.h"

namespace heapscope::reports {

// {"definitely_lost": {"bytes", "blocks"}, ..., "suppressed": {...}}; `leaks --json` reuses it.
nlohmann::ordered_json leakTotalsJson(const analysis::LeakTotals& leaks);

nlohmann::ordered_json summaryJson(const analysis::Summary& summary);
// The same, with a "window" object after them when the model covers a time window.
nlohmann::ordered_json summaryJson(const analysis::Model& model);

} // namespace heapscope::reports
