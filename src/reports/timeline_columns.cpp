// reports: resampling the timeline into columns.
#include "reports/timeline_columns.h"

#include <algorithm>

namespace heapscope::reports {

std::size_t TimelineColumns::columnOf(std::uint64_t timeNs) const {
    // long double holds timeNs * columns exactly (64-bit mantissa) for any realistic run.
    const long double scaled = static_cast<long double>(timeNs) *
                               static_cast<long double>(heap.size()) /
                               static_cast<long double>(endNs);
    return std::min(heap.size() - 1, static_cast<std::size_t>(scaled));
}

TimelineColumns timelineColumns(const analysis::Model& model, std::size_t columns) {
    const analysis::Summary& s = model.summary;
    TimelineColumns out;
    out.endNs = std::max<std::uint64_t>(s.runtimeNs, 1);
    for (const auto& point : model.timeline)
        out.endNs = std::max(out.endNs, point.timeNs + 1);
    out.yMax = std::max<std::uint64_t>({s.peakHeapBytes, s.peakRssBytes, 1});
    out.heap.assign(columns, 0);
    out.rss.assign(columns, 0);
    std::vector<bool> seen(columns, false);
    for (const auto& point : model.timeline) {
        const std::size_t c = out.columnOf(point.timeNs);
        out.heap[c] = std::max(out.heap[c], point.heapBytes);
        out.rss[c] = std::max(out.rss[c], point.rssBytes);
        seen[c] = true;
        out.yMax = std::max({out.yMax, point.heapBytes, point.rssBytes});
    }
    // A column without events keeps the level of the one before: the heap did not change.
    for (std::size_t c = 1; c < columns; ++c) {
        if (!seen[c]) out.heap[c] = out.heap[c - 1];
        if (out.rss[c] == 0) out.rss[c] = out.rss[c - 1];
    }
    out.peakColumn = out.columnOf(s.peakHeapTimeNs);
    out.heap[out.peakColumn] = std::max(out.heap[out.peakColumn], s.peakHeapBytes);
    return out;
}

} // namespace heapscope::reports
