// reports: `errors` as text, in the manner of memcheck: what went wrong and the stack of the
// bad call, then where the block was freed and where it was allocated.
#pragma once

#include <string>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

std::string errorsText(const analysis::Model& model, const StackResolver& resolve);

} // namespace heapscope::reports
