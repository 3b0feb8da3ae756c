// analysis: downsamples heap and RSS over time to a bounded number of points during the replay,
// keeping the highest heap of each time bucket so the global peak is always one of the points.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "analysis/model.h"

namespace heapscope::analysis {

class TimelineBuilder {
public:
    static constexpr std::size_t kMaxPoints = 4096;

    // Called on every heap change and RSS sample, with the values after the change.
    void observe(std::uint64_t timeNs, std::uint64_t heapBytes, std::uint64_t rssBytes) {
        std::uint64_t index = timeNs >> m_shift;
        while (index >= kMaxPoints) {
            halve();
            index = timeNs >> m_shift;
        }
        Bucket& b = m_buckets[index];
        // Strictly greater: the first time a level is reached is the one shown.
        if (!b.used || heapBytes > b.point.heapBytes) {
            b.point.timeNs = timeNs;
            b.point.heapBytes = heapBytes;
        }
        if (rssBytes > b.point.rssBytes) b.point.rssBytes = rssBytes;
        b.used = true;
    }

    // The non-empty buckets in time order.
    std::vector<TimelinePoint> points() const;

    // Width of a bucket in nanoseconds (a power of two).
    std::uint64_t bucketWidthNs() const { return std::uint64_t{1} << m_shift; }

private:
    struct Bucket {
        TimelinePoint point;
        bool used = false;
    };
    // Doubles the bucket width, merging neighbours pairwise.
    void halve();

    std::array<Bucket, kMaxPoints> m_buckets{};
    unsigned m_shift = 0;
};

} // namespace heapscope::analysis
