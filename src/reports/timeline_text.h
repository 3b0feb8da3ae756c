// reports: `timeline` in a terminal, as ms_print draws massif's output: heap and RSS over time
// as an ASCII graph with the peak and the program's marks, then the tree of what was live at
// the peak.
#pragma once

#include <string>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// The graph's size in characters.
inline constexpr int kTimelineColumns = 72;
inline constexpr int kTimelineRows = 20;

// Geometry (tests rely on it): column c covers the times [c*T/72, (c+1)*T/72) where T is the
// runtime; the y axis runs from 0 to Y = max(peak heap, peak RSS); a column with heap h is a bar
// of ceil(h * 20 / Y) rows of ':' — '#' in the column of the peak — and RSS is a '.' at its
// own height above the bar. Graph rows are the lines that start with a '|'-terminated label.
std::string timelineText(const analysis::Model& model, const StackResolver& resolve);

} // namespace heapscope::reports
