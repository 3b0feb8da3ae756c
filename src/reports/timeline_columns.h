// reports: heap and RSS of the Model's timeline resampled to a fixed number of equal time
// columns, shared by the ASCII and the SVG timeline.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/model.h"

namespace heapscope::reports {

struct TimelineColumns {
    std::uint64_t endNs = 0;         // the time axis runs from 0 to here (at least 1)
    std::uint64_t yMax = 0;          // max(peak heap, peak RSS), at least 1
    std::vector<std::uint64_t> heap; // highest heap in each column
    std::vector<std::uint64_t> rss;  // highest RSS in each column (last known when no sample)
    std::size_t peakColumn = 0;      // the column of the summary's peak heap time

    std::size_t columnOf(std::uint64_t timeNs) const;
};

TimelineColumns timelineColumns(const analysis::Model& model, std::size_t columns);

} // namespace heapscope::reports
