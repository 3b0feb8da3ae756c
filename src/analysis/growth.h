// analysis: leak growth, the call sites whose live bytes kept growing through the run (the
// unbounded cache freed at exit that a leak scan cannot see). Fed by the Replay, streaming.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "analysis/model.h"

namespace heapscope::analysis {

// Each site keeps the most bytes it held live in each of at most kBuckets equal time buckets
// from the start of the run. When a bucket index would pass the end, every bucket width doubles
// (lazily per site, by merging neighbours), so memory stays fixed per site however long the run.
class GrowthTracker {
public:
    static constexpr std::size_t kBuckets = 32;

    // Inline: the replay calls them on every allocation and free.
    void onAlloc(StackId stack, std::uint64_t timeNs, std::uint64_t size) {
        Series& s = advance(stack, timeNs);
        s.live += size;
        s.peak = std::max(s.peak, s.live);
        s.maxLive[s.last] = std::max(s.maxLive[s.last], s.live);
    }
    void onFree(StackId stack, std::uint64_t timeNs, std::uint64_t size) {
        Series& s = advance(stack, timeNs);
        s.live -= std::min(s.live, size);
    }

    // The growing sites at the end of a run of endNs, fastest first.
    std::vector<GrowthSite> finish(std::uint64_t endNs);

private:
    // The fields every event reads come first, on the cache line of the series' start.
    struct Series {
        std::uint32_t shift = 0; // bucket width is 2^shift ns
        std::uint32_t last = 0;  // the bucket of the latest change
        bool used = false;
        std::uint64_t live = 0;
        std::uint64_t peak = 0;
        std::array<std::uint64_t, kBuckets> maxLive{}; // per bucket, at the site's own shift
    };
    // The site's series, brought to timeNs. Nearly every event falls in its site's latest
    // bucket at the current width: that case is tested inline, the rest is out of line.
    Series& advance(StackId stack, std::uint64_t timeNs) {
        if ((timeNs >> m_shift) < kBuckets && stack.value < m_sites.size()) {
            Series& s = m_sites[stack.value];
            if (s.used && s.shift == m_shift && (timeNs >> m_shift) <= s.last) return s;
        }
        return advanceSlow(stack, timeNs);
    }
    Series& advanceSlow(StackId stack, std::uint64_t timeNs);
    void rescale(Series& s) const;
    static void fillTo(Series& s, std::uint32_t bucket);

    std::vector<Series> m_sites;
    std::uint32_t m_shift = kFirstShift;
    static constexpr std::uint32_t kFirstShift = 10; // 1 us buckets to begin with
};

// The trend test on one site's per-bucket maxima (oldest first, equal widths), exposed for
// tests. Returns whether the series kept growing; see growth.cpp for the rule and its reasons.
bool keptGrowing(const std::vector<std::uint64_t>& maxima);

// Least-squares slope of the maxima, in bytes per bucket.
double trendPerBucket(const std::vector<std::uint64_t>& maxima);

} // namespace heapscope::analysis
