// e2e support: the reference figures of heaptrack (total allocation calls and peak heap) for the
// same workload, read from heaptrack_print's summary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "process.h"

namespace heapscope::e2e {

struct HeaptrackFigures {
    std::uint64_t allocations = 0;
    std::uint64_t peakBytes = 0;
};

// Where heaptrack and heaptrack_print are, if installed.
std::optional<std::string> findOnPath(std::string_view program);

// heaptrack_print writes sizes with decimal units: "812B", "72.70K", "67.11M", "1.20G" mean
// 812, 72700, 67110000 and 1200000000 bytes (checked against exactly 64 MiB = "67.11M").
std::optional<std::uint64_t> parseHeaptrackSize(std::string_view text);

// From heaptrack_print's text: "calls to allocation functions: N (…/s)" and
// "peak heap memory consumption: SIZE".
std::optional<HeaptrackFigures> parseHeaptrackPrint(std::string_view text);

// Runs `command` under heaptrack writing into `dir`, then heaptrack_print; throws with the
// tools' output when either fails.
HeaptrackFigures measureWithHeaptrack(const Command& command, const std::string& dir);

} // namespace heapscope::e2e
