// analysis: leak growth — per-site live-byte maxima in coarse time buckets, then a trend test.
#include "analysis/growth.h"

#include <algorithm>

namespace heapscope::analysis {
namespace {

// Fewer buckets than this say nothing about a trend (a run of a few microseconds).
constexpr std::size_t kMinBuckets = 8;
// A site must rise at least this often: one or two steps are an initialisation, not growth.
constexpr std::size_t kMinRises = 3;
// What the second half of the run must add to the high-water mark, at least: this many bytes
// and this fraction of the mark at half-time. A sawtooth or a ring buffer whose peaks jitter
// sets a new high now and then, but by little.
constexpr std::uint64_t kMinRiseBytes = 4096;
constexpr std::uint64_t kMinRiseDivisor = 5; // 20%

} // namespace

double trendPerBucket(const std::vector<std::uint64_t>& maxima) {
    const double n = static_cast<double>(maxima.size());
    if (maxima.size() < 2) return 0;
    double sumX = 0, sumY = 0, sumXY = 0, sumXX = 0;
    for (std::size_t i = 0; i < maxima.size(); ++i) {
        const double x = static_cast<double>(i);
        const double y = static_cast<double>(maxima[i]);
        sumX += x;
        sumY += y;
        sumXY += x * y;
        sumXX += x * x;
    }
    return (n * sumXY - sumX * sumY) / (n * sumXX - sumX * sumX);
}

// A site kept growing when its high-water mark rose steadily to the end of the run:
//  - it set a new high at least kMinRises times, the last one in the second half of the run;
//  - the pause since that last rise is at most about twice the interval before it. A buffer
//    that doubles its capacity (std::vector) rises at geometrically spaced times, so a pause of
//    twice the previous interval is still its normal rhythm; a warm-up cache that filled and
//    levelled off pauses far longer than the one-bucket steps of its filling;
//  - the second half raised the mark by a real amount (kMinRiseBytes and 20% of it), which
//    rules out the occasional slightly higher peak of a sawtooth;
//  - and the least-squares trend is positive.
// Bucket maxima, not samples, are tested, so memory freed at exit does not hide the growth and
// a sawtooth faster than a bucket shows as flat.
bool keptGrowing(const std::vector<std::uint64_t>& maxima) {
    const std::size_t n = maxima.size();
    if (n < kMinBuckets) return false;
    std::vector<std::size_t> rises;
    std::uint64_t high = 0;
    std::uint64_t highAtHalf = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (maxima[i] > high) {
            high = maxima[i];
            rises.push_back(i);
        }
        if (i + 1 == n / 2) highAtHalf = high;
    }
    if (rises.size() < kMinRises || rises.back() < n / 2) return false;
    const std::size_t lastInterval = rises.back() - rises[rises.size() - 2];
    const std::size_t pause = n - 1 - rises.back();
    if (pause > 2 * lastInterval + 1) return false;
    const std::uint64_t rise = high - highAtHalf;
    if (rise < kMinRiseBytes || rise < highAtHalf / kMinRiseDivisor) return false;
    return trendPerBucket(maxima) > 0;
}

void GrowthTracker::rescale(Series& s) const {
    const std::uint32_t by = m_shift - s.shift;
    if (by == 0) return;
    for (std::size_t j = 0; j < kBuckets; ++j) {
        std::uint64_t merged = 0;
        for (std::size_t i = j << by; i < std::min(kBuckets, (j + 1) << by); ++i)
            merged = std::max(merged, s.maxLive[i]);
        s.maxLive[j] = merged;
    }
    s.last >>= by;
    s.shift = m_shift;
}

// The buckets after the latest change held the live bytes of that change all along.
void GrowthTracker::fillTo(Series& s, std::uint32_t bucket) {
    for (std::uint32_t i = s.last + 1; i <= bucket; ++i)
        s.maxLive[i] = s.live;
    s.last = std::max(s.last, bucket);
}

GrowthTracker::Series& GrowthTracker::advanceSlow(StackId stack, std::uint64_t timeNs) {
    while ((timeNs >> m_shift) >= kBuckets)
        ++m_shift;
    if (stack.value >= m_sites.size()) m_sites.resize(stack.value + 1);
    Series& s = m_sites[stack.value];
    if (!s.used) {
        s.used = true;
        s.shift = m_shift;
    }
    rescale(s);
    // Records of different threads may be a little out of time order: never step back.
    fillTo(s, static_cast<std::uint32_t>(timeNs >> m_shift));
    return s;
}

std::vector<GrowthSite> GrowthTracker::finish(std::uint64_t endNs) {
    while ((endNs >> m_shift) >= kBuckets)
        ++m_shift;
    const auto lastBucket = static_cast<std::uint32_t>(endNs >> m_shift);
    const double nsPerBucket = static_cast<double>(std::uint64_t{1} << m_shift);
    std::vector<GrowthSite> out;
    for (std::size_t i = 0; i < m_sites.size(); ++i) {
        Series& s = m_sites[i];
        if (!s.used) continue;
        rescale(s);
        fillTo(s, lastBucket);
        const std::vector<std::uint64_t> maxima(s.maxLive.begin(), s.maxLive.begin() + s.last + 1);
        if (!keptGrowing(maxima)) continue;
        const double perSecond = trendPerBucket(maxima) * 1e9 / nsPerBucket;
        out.push_back(GrowthSite{StackId{static_cast<std::uint32_t>(i)},
                                 static_cast<std::uint64_t>(perSecond), s.live, s.peak});
    }
    std::sort(out.begin(), out.end(), [](const GrowthSite& a, const GrowthSite& b) {
        if (a.bytesPerSecond != b.bytesPerSecond) return a.bytesPerSecond > b.bytesPerSecond;
        return a.stack < b.stack;
    });
    return out;
}

} // namespace heapscope::analysis
