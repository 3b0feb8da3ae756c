// reports: DHAT's JSON (file version 2, heap mode), read by valgrind's dh_view.html: per program
// point (call site) totals, lifetimes and the bytes live at t-gmax and t-end, and the frame table.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// Times are in nanoseconds ("tu": "ns", and "Mtu", a million of them, "ms"). No access counts
// are recorded, so "bkacc" is false and the read/write fields are absent, as dh_view allows.
nlohmann::ordered_json dhatJson(const analysis::Model& model, const StackResolver& resolve);

} // namespace heapscope::reports
