// reports: massif's output format (massif.out), read by ms_print and massif-visualizer: heap
// snapshots over time from the Model's timeline, detailed ones at the peak and at the end.
#pragma once

#include <string>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// At most this many snapshots, as massif keeps by default.
inline constexpr std::size_t kMassifMaxSnapshots = 100;

// The Model keeps per-site bytes only at the global peak and at the end, so those two snapshots
// are the detailed ones (the peak marked as massif marks it); the others carry the heap total.
std::string massifOutput(const analysis::Model& model, const StackResolver& resolve);

} // namespace heapscope::reports
