// reports: the end-of-run lines of `heapscope run`.
#include "reports/run_summary.h"

#include <fmt/format.h>

#include "common/sizes.h"

namespace heapscope::reports {

std::string runSummaryText(const analysis::Model& model, const std::string& tracePath) {
    const analysis::Summary& s = model.summary;
    std::string out;
    auto sink = std::back_inserter(out);
    fmt::format_to(sink, "heapscope: {} allocations, {} frees, {} allocated\n",
                   formatCount(s.allocations), formatCount(s.frees), formatSize(s.bytesAllocated));
    fmt::format_to(sink, "heapscope: peak heap {} at {}, peak RSS {}\n",
                   formatSize(s.peakHeapBytes), formatDuration(s.peakHeapTimeNs),
                   formatSize(s.peakRssBytes));
    fmt::format_to(sink, "heapscope: {} in {} blocks not freed at exit\n",
                   formatSize(s.leakedBytes), formatCount(s.leakedBlocks));
    if (s.truncated) {
        fmt::format_to(sink, "heapscope: trace truncated: {}\n",
                       model.readProblem.empty() ? "no end record" : model.readProblem);
    }
    fmt::format_to(sink, "heapscope: trace written to {}\n", tracePath);
    return out;
}

} // namespace heapscope::reports
