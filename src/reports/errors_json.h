// reports: `errors --json`, the heap misuse the recorder caught, each with its three stacks.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// [{"kind", "address", "size", "offset", "stack", "alloc_stack", "free_stack"}] in time order:
// size is the block's (0 when the address is in no block), offset how far into the block the
// address lies; a stack that was not recorded is an empty array.
nlohmann::ordered_json errorsJson(const analysis::Model& model, const StackResolver& resolve);

} // namespace heapscope::reports
