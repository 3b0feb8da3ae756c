// analysis: per-site block lifetimes and block counts for DHAT-style reports.
#include "analysis/site_lifetimes.h"

#include <cmath>

#include "analysis/sample_weight.h"

namespace heapscope::analysis {

// The same lazy save as the Replay's peak bytes: a site's blocks at the latest global peak are
// recorded on its first change after that peak.
SiteLifetimes::Accum& SiteLifetimes::touch(StackId stack, std::uint64_t peakEpoch) {
    if (stack.value >= m_sites.size()) m_sites.resize(stack.value + std::size_t{1});
    Accum& a = m_sites[stack.value];
    if (a.epoch != peakEpoch) {
        a.peakBlocks = a.liveBlocks;
        a.epoch = peakEpoch;
    }
    return a;
}

void SiteLifetimes::onAlloc(StackId stack, std::uint64_t timeNs, std::uint64_t bytes, double weight,
                            std::uint64_t peakEpoch) {
    Accum& a = touch(stack, peakEpoch);
    a.lifetimeNs -= timeNs;
    ++a.recorded;
    ++a.recordedLive;
    a.estimated += weight;
    a.liveBytes += bytes;
    a.liveBlocks += weight;
    if (a.liveBytes > a.max.bytes) a.max = ByteCount{a.liveBytes, roundedCount(a.liveBlocks)};
}

void SiteLifetimes::onFree(StackId stack, std::uint64_t timeNs, std::uint64_t bytes, double weight,
                           std::uint64_t peakEpoch) {
    Accum& a = touch(stack, peakEpoch);
    a.lifetimeNs += timeNs;
    --a.recordedLive;
    a.liveBytes -= bytes;
    a.liveBlocks -= weight;
}

std::vector<SiteLifetime> SiteLifetimes::finish(std::uint64_t endNs,
                                                std::uint64_t peakEpoch) const {
    std::vector<SiteLifetime> out(m_sites.size());
    for (std::size_t i = 0; i < m_sites.size(); ++i) {
        const Accum& a = m_sites[i];
        out[i].totalLifetimeNs = a.lifetimeNs + endNs * a.recordedLive;
        // Unsampled, estimated == recorded exactly and the integer sum is kept as it is.
        if (a.estimated != static_cast<double>(a.recorded)) {
            out[i].totalLifetimeNs = static_cast<std::uint64_t>(
                std::llround(static_cast<double>(out[i].totalLifetimeNs) * a.estimated /
                             static_cast<double>(a.recorded)));
        }
        out[i].max = a.max;
        out[i].peakBlocks = roundedCount(a.epoch != peakEpoch ? a.liveBlocks : a.peakBlocks);
    }
    return out;
}

} // namespace heapscope::analysis
