// reports: `summary --json`, the whole-run figures in the stable shape of DESIGN.md.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/model.h"

namespace heapscope::reports {

// {"definitely_lost": {"bytes", "blocks"}, ..., "suppressed": {...}}; `leaks --json` reuses it.
nlohmann::ordered_json leakTotalsJson(const analysis::LeakTotals& leaks);

nlohmann::ordered_json summaryJson(const analysis::Summary& summary);

} // namespace heapscope::reports
