// tests (analysis): the global peak, its time, and each site's bytes live at the peak, computed
// in one pass with peak epochs; checked by construction and against a full-snapshot replay.
#include <gtest/gtest.h>

#include <random>

#include "analysis/analyze.h"
#include "analysis/replay.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

TEST(Peak, SitesThatGrowShrinkOrStayAfterThePeak) {
    TraceFile trace("peak");
    trace.stacks(4);
    trace << alloc(0, 0xd1, 40, 4)  // D: untouched afterwards          heap  40
          << alloc(1, 0xa1, 100, 1) //                                  heap 140
          << alloc(2, 0xb1, 200, 2) //                                  heap 340
          << alloc(3, 0xc1, 50, 3)  // a first peak                     heap 390
          << release(4, 0xb1)       //                                  heap 190
          << alloc(5, 0xa2, 100, 1) //                                  heap 290
          << alloc(6, 0xa3, 100, 1) // equal to the peak: not a new one heap 390
          << alloc(7, 0xa4, 10, 1)  // the peak                         heap 400
          << release(8, 0xa1)       // A shrinks after the peak         heap 300
          << alloc(9, 0xb2, 50, 2)  // B grows after the peak           heap 350
          << release(10, 0xc1)      // C goes to zero                   heap 300
          << end(11);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.peakHeapBytes, 400u);
    EXPECT_EQ(model.summary.peakHeapTimeNs, 7u);
    EXPECT_EQ(siteOf(model, 1).peakBytes, 310u);
    EXPECT_EQ(siteOf(model, 2).peakBytes, 0u);
    EXPECT_EQ(siteOf(model, 3).peakBytes, 50u);
    EXPECT_EQ(siteOf(model, 4).peakBytes, 40u);
    EXPECT_EQ(siteOf(model, 1).leakedBytes, 210u);
    EXPECT_EQ(siteOf(model, 2).leakedBytes, 50u);
    EXPECT_EQ(siteOf(model, 3).leakedBytes, 0u);
    EXPECT_EQ(siteOf(model, 4).leakedBytes, 40u);
}

TEST(Peak, PeakAtTheEndAndRepeatedNewMaximaOnOneSite) {
    TraceFile trace("peak-end");
    trace.stacks(2);
    trace << alloc(1, 0x10, 5, 1) << alloc(2, 0x20, 7, 2) << alloc(3, 0x30, 11, 1)
          << alloc(4, 0x40, 13, 1) << end(5);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.peakHeapBytes, 36u);
    EXPECT_EQ(model.summary.peakHeapTimeNs, 4u);
    EXPECT_EQ(siteOf(model, 1).peakBytes, 29u);
    EXPECT_EQ(siteOf(model, 2).peakBytes, 7u);
}

TEST(Peak, TimelineHoldsThePeakPoint) {
    TraceFile trace("peak-timeline");
    trace.stacks(1);
    // 20000 alloc/free pairs spread over 20 s, one larger block in the middle.
    std::uint64_t t = 0;
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t size = i == 12345 ? 5000 : 10 + static_cast<std::uint64_t>(i % 7);
        trace << alloc(t, 0x100, size, 1) << release(t + 500'000, 0x100);
        t += 1'000'000;
    }
    trace << end(t);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.peakHeapBytes, 5000u);
    EXPECT_EQ(model.summary.peakHeapTimeNs, 12345ull * 1'000'000ull);
    EXPECT_LE(model.timeline.size(), 4096u);
    EXPECT_GT(model.timeline.size(), 1000u);
    bool found = false;
    for (const TimelinePoint& p : model.timeline) {
        if (p.timeNs == model.summary.peakHeapTimeNs && p.heapBytes == 5000u) found = true;
        EXPECT_LE(p.heapBytes, 5000u);
    }
    EXPECT_TRUE(found);
}

// The epoch method against the obvious one: copy every site's live bytes at each new maximum.
TEST(Peak, MatchesFullSnapshotsOnRandomTraffic) {
    std::mt19937_64 rng(20240611);
    Replay replay(format::TraceHeader{});
    constexpr std::uint32_t kSites = 12;
    for (std::uint32_t i = 1; i <= kSites; ++i)
        replay.on(format::StackNodeRecord{StackId{i}, StackId{0}, i});

    struct Block {
        std::uint64_t address, size;
        std::uint32_t site;
    };
    std::vector<Block> live;
    std::vector<std::uint64_t> siteLive(kSites + 1), siteAtPeak(kSites + 1);
    std::uint64_t heap = 0, peak = 0, peakTime = 0, nextAddress = 0x1000;
    for (std::uint64_t t = 1; t <= 100000; ++t) {
        if (live.empty() || rng() % 100 < 52) {
            const Block b{nextAddress, 1 + rng() % 4096,
                          static_cast<std::uint32_t>(1 + rng() % kSites)};
            nextAddress += 16;
            live.push_back(b);
            replay.on(alloc(t, b.address, b.size, b.site));
            siteLive[b.site] += b.size;
            heap += b.size;
        } else {
            const std::size_t i = rng() % live.size();
            const Block b = live[i];
            live[i] = live.back();
            live.pop_back();
            replay.on(release(t, b.address));
            siteLive[b.site] -= b.size;
            heap -= b.size;
        }
        if (heap > peak) {
            peak = heap;
            peakTime = t;
            siteAtPeak = siteLive;
        }
    }
    const Model model = replay.finish({});
    EXPECT_EQ(model.summary.peakHeapBytes, peak);
    EXPECT_EQ(model.summary.peakHeapTimeNs, peakTime);
    std::uint64_t sum = 0;
    for (std::uint32_t site = 1; site <= kSites; ++site) {
        EXPECT_EQ(siteOf(model, site).peakBytes, siteAtPeak[site]) << "site " << site;
        sum += siteOf(model, site).peakBytes;
    }
    EXPECT_EQ(sum, peak);
}

} // namespace
} // namespace heapscope::analysis::test
