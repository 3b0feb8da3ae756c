// reports: the few lines `heapscope run` prints on stderr when the program has ended.
#pragma once

#include <string>

#include "analysis/model.h"

namespace heapscope::reports {

// Every line starts "heapscope: ", the prefix of everything heapscope says on stderr.
std::string runSummaryText(const analysis::Model& model, const std::string& tracePath);

} // namespace heapscope::reports
