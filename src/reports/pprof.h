// reports: the pprof profile (profile.proto, gzipped) for `go tool pprof` and continuous-profiling
// servers: alloc_objects, alloc_space, inuse_objects and inuse_space per stack, with functions,
// locations and mappings (with build-ids).
#pragma once

#include <string>

#include "analysis/model.h"
#include "reports/reporter.h"

namespace heapscope::reports {

// The gzipped profile bytes. "inuse" is what was live at the end of the run, as in a heap
// profile taken then. When the trace was sampled (header.sampleRate > 0) the values are the
// Model's estimates of the real figures (weighted per block) and the period is the rate.
std::string pprofProfile(const analysis::Model& model, const StackResolver& resolve);

} // namespace heapscope::reports
