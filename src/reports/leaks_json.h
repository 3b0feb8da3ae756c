// reports: `leaks --json`: {"summary": {...}, "records": [...], "growth": [...]} (DESIGN.md).
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/model.h"
#include "analysis/suppressions.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// records: the loss records of `kinds`, largest first; growth: every growing call site.
nlohmann::ordered_json leaksJson(const analysis::Model& model, const StackResolver& resolve,
                                 analysis::LeakKindSet kinds);

} // namespace heapscope::reports
