// reports: `timeline -o FILE.svg`, the heap and RSS over time as a static SVG chart with the
// peak and the program's marks.
#pragma once

#include <string>

#include "analysis/model.h"

namespace heapscope::reports {

std::string timelineSvg(const analysis::Model& model);

} // namespace heapscope::reports
