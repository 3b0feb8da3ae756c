// reports: the JSON shape of a frame and of a stack, shared by every --json report. Reports use
// ordered_json so keys come out in the order DESIGN.md documents them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/symbolizer.h"

namespace heapscope::reports {

// "0x4011d6": addresses are strings in JSON, since many readers lose precision above 2^53.
std::string hexAddress(std::uint64_t address);

// {"address", "function", "file", "line", "module", "inlined"}; unknown fields are null.
nlohmann::ordered_json frameJson(const analysis::Frame& frame);

// An array of frames, innermost first.
nlohmann::ordered_json stackJson(const std::vector<analysis::Frame>& frames);

} // namespace heapscope::reports
