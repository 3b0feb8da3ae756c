// analysis: per-site block lifetimes and block counts for DHAT-style reports.
#include "analysis/site_lifetimes.h"

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

void SiteLifetimes::onAlloc(StackId stack, std::uint64_t timeNs, std::uint64_t size,
                            std::uint64_t peakEpoch) {
    Accum& a = touch(stack, peakEpoch);
    a.lifetimeNs -= timeNs;
    a.liveBytes += size;
    ++a.liveBlocks;
    if (a.liveBytes > a.max.bytes) a.max = ByteCount{a.liveBytes, a.liveBlocks};
}

void SiteLifetimes::onFree(StackId stack, std::uint64_t timeNs, std::uint64_t size,
                           std::uint64_t peakEpoch) {
    Accum& a = touch(stack, peakEpoch);
    a.lifetimeNs += timeNs;
    a.liveBytes -= size;
    --a.liveBlocks;
}

std::vector<SiteLifetime> SiteLifetimes::finish(std::uint64_t endNs,
                                                std::uint64_t peakEpoch) const {
    std::vector<SiteLifetime> out(m_sites.size());
    for (std::size_t i = 0; i < m_sites.size(); ++i) {
        const Accum& a = m_sites[i];
        out[i].totalLifetimeNs = a.lifetimeNs + endNs * a.liveBlocks;
        out[i].max = a.max;
        out[i].peakBlocks = a.epoch != peakEpoch ? a.liveBlocks : a.peakBlocks;
    }
    return out;
}

} // namespace heapscope::analysis
