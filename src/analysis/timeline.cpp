// analysis: timeline downsampling (bucket merging and output).
#include "analysis/timeline.h"

#include <algorithm>

namespace heapscope::analysis {

std::vector<TimelinePoint> TimelineBuilder::points() const {
    std::vector<TimelinePoint> out;
    for (const Bucket& b : m_buckets)
        if (b.used) out.push_back(b.point);
    return out;
}

void TimelineBuilder::halve() {
    for (std::size_t i = 0; i < kMaxPoints / 2; ++i) {
        const Bucket& left = m_buckets[2 * i];
        const Bucket& right = m_buckets[2 * i + 1];
        Bucket merged;
        if (left.used || right.used) {
            // On a tie the earlier point wins, as in observe().
            const bool takeRight =
                right.used && (!left.used || right.point.heapBytes > left.point.heapBytes);
            merged = takeRight ? right : left;
            merged.point.rssBytes = std::max(left.point.rssBytes, right.point.rssBytes);
        }
        m_buckets[i] = merged;
    }
    for (std::size_t i = kMaxPoints / 2; i < kMaxPoints; ++i) m_buckets[i] = Bucket{};
    ++m_shift;
}

} // namespace heapscope::analysis
