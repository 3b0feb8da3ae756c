// analysis: per-site block lifetimes and block counts for DHAT-style reports.
#include "analysis/site_lifetimes.h"

#include <cmath>

namespace heapscope::analysis {

SiteLifetimes::Accum& SiteLifetimes::grow(StackId stack) {
    m_sites.resize(stack.value + std::size_t{1});
    return m_sites[stack.value];
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
