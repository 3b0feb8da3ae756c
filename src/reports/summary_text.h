// reports: `summary` as text, the whole-run figures with human sizes.
#pragma once

#include <string>

#include "analysis/model.h"

namespace heapscope::reports {

std::string summaryText(const analysis::Model& model);

} // namespace heapscope::reports
