// reports: `heapscope diff` as text and as JSON: the whole-run figures of both runs, whether each
// grew past the threshold, and the sites that changed most.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/diff.h"
#include "analysis/model.h"

namespace heapscope::reports {

// Resolves a site's stack in its own run (the base or the new one).
using DiffFrames = std::function<std::vector<analysis::Frame>(const analysis::SiteChange&)>;

// At most `limit` sites, those whose figures changed, largest change of bytes allocated first.
std::string diffText(const analysis::DiffResult& diff, std::size_t limit, const DiffFrames& frames);

// {"threshold_percent", "regressed", "totals": {"allocations": {"base", "new", "change",
//  "regressed"}, ...}, "sites": [{"base": {figures}, "new": {figures}, "stack": [frames]}]}
nlohmann::ordered_json diffJson(const analysis::DiffResult& diff, std::size_t limit,
                                const DiffFrames& frames);

} // namespace heapscope::reports
