// analysis: a time window of a trace. The live set when the window opens is its starting state
// (so its peak and what is live at its end are right); the allocations and frees counted are
// those made inside it. Opened through the trace index, from the nearest checkpoint.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "analysis/analyze.h"
#include "analysis/model.h"

namespace heapscope::analysis {

// [fromNs, toNs], in nanoseconds since the start of the recording. A record stamped before
// fromNs only shapes the starting live set; one stamped after toNs is left out.
struct TimeWindow {
    std::uint64_t fromNs = 0;
    std::uint64_t toNs = std::numeric_limits<std::uint64_t>::max();

    // The live set just after every record stamped at or before timeNs, and nothing more.
    static TimeWindow at(std::uint64_t timeNs) {
        const std::uint64_t after =
            timeNs == std::numeric_limits<std::uint64_t>::max() ? timeNs : timeNs + 1;
        return TimeWindow{after, after - 1};
    }
};

// The Model of the window, read through the trace's index (built or refreshed when needed).
// Summary::peakHeap* and SiteStats::peakBytes are the window's; leaked_* are the blocks live at
// its end; leak verdicts count only when the window reaches the program's exit.
Model analyzeWindow(const std::string& path, const TimeWindow& window,
                    const AnalyzeOptions& options = {});

// The same figures from a pass over the whole trace without the index (the reference the
// indexed path is tested against, and the fallback when no index can be had).
Model analyzeWindowSequential(const std::string& path, const TimeWindow& window,
                              const AnalyzeOptions& options = {});

// The time of the global heap peak, from the trace's index.
std::uint64_t peakTime(const std::string& path, const AnalyzeOptions& options = {});

} // namespace heapscope::analysis
