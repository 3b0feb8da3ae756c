// analysis: per-site block lifetimes and block counts for DHAT-style reports (total lifetime, the
// site's own maximum, its blocks at the global peak), fed by the Replay next to its own figures.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/model.h"
#include "analysis/sample_weight.h"

namespace heapscope::analysis {

class SiteLifetimes {
public:
    // `peakEpoch` is the Replay's count of global peaks before this event (see SiteAccum).
    // `bytes` and `weight` are what the block stands for (analysis/sample_weight.h): its size and
    // 1 in a trace that recorded every block.
    // Inline: the replay calls them on every allocation and free.
    void onAlloc(StackId stack, std::uint64_t timeNs, std::uint64_t bytes, double weight,
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
    void onFree(StackId stack, std::uint64_t timeNs, std::uint64_t bytes, double weight,
                std::uint64_t peakEpoch) {
        Accum& a = touch(stack, peakEpoch);
        a.lifetimeNs += timeNs;
        --a.recordedLive;
        a.liveBytes -= bytes;
        a.liveBlocks -= weight;
    }

    // Blocks still live at the end live until endNs. Indexed by StackId value.
    std::vector<SiteLifetime> finish(std::uint64_t endNs, std::uint64_t peakEpoch) const;

private:
    struct Accum {
        // Sum of (free time - alloc time), kept as free times minus alloc times: no per-block
        // timestamp is needed. Unsigned wrap-around cancels out once every block has ended.
        // It sums the recorded blocks only; a sampled trace scales it by the site's estimated
        // blocks per recorded block at the end (its recorded blocks' mean lifetime, times them).
        std::uint64_t lifetimeNs = 0;
        std::uint64_t recorded = 0;     // blocks recorded
        std::uint64_t recordedLive = 0; // of them, live now
        double estimated = 0;           // the blocks they stand for
        std::uint64_t liveBytes = 0;
        double liveBlocks = 0;
        ByteCount max;
        double peakBlocks = 0;
        std::uint64_t epoch = 0;
    };
    // The same lazy save as the Replay's peak bytes: a site's blocks at the latest global peak
    // are recorded on its first change after that peak.
    Accum& touch(StackId stack, std::uint64_t peakEpoch) {
        Accum& a = stack.value < m_sites.size() ? m_sites[stack.value] : grow(stack);
        if (a.epoch != peakEpoch) {
            a.peakBlocks = a.liveBlocks;
            a.epoch = peakEpoch;
        }
        return a;
    }
    Accum& grow(StackId stack);

    std::vector<Accum> m_sites;
};

} // namespace heapscope::analysis
