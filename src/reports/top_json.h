// reports: `top --json`, an array of sites with their figures and symbolized stacks.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// [{"allocations", "bytes_allocated", "peak_bytes", "leaked_bytes", "temporary_allocations",
//   "stack"}], in the order of `ranked`.
nlohmann::ordered_json topJson(const std::vector<analysis::SiteStats>& ranked,
                               const StackResolver& resolve);

} // namespace heapscope::reports
