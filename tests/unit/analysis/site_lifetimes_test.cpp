// tests (analysis): per-site lifetimes, maxima and blocks at the global peak (the DHAT figures),
// on synthetic traces whose times and sizes give every figure by hand.
#include <gtest/gtest.h>

#include "analysis/analyze.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

TEST(SiteLifetimes, LifetimesMaximaAndPeakBlocks) {
    TraceFile trace("lifetimes");
    trace.stacks(2);
    // Site 1: blocks live 10..40 and 20..end(100); site 2: 30..50 and 60..70.
    // Heap: 100 @10, 200 @20, 250 @30 (the peak: site 1 two blocks, site 2 one), 150 @40,
    // 100 @50, 150 @60, 100 @70.
    trace << alloc(10, 0x1000, 100, 1) << alloc(20, 0x2000, 100, 1) << alloc(30, 0x3000, 50, 2)
          << release(40, 0x1000) << release(50, 0x3000) << alloc(60, 0x4000, 50, 2)
          << release(70, 0x4000) << end(100);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    ASSERT_EQ(model.summary.peakHeapBytes, 250u);
    ASSERT_GE(model.siteLifetimes.size(), 3u);
    const SiteLifetime& a = model.siteLifetimes[1];
    EXPECT_EQ(a.totalLifetimeNs, 30u + 80u);
    EXPECT_EQ(a.max.bytes, 200u);
    EXPECT_EQ(a.max.blocks, 2u);
    EXPECT_EQ(a.peakBlocks, 2u);
    const SiteLifetime& b = model.siteLifetimes[2];
    EXPECT_EQ(b.totalLifetimeNs, 20u + 10u);
    EXPECT_EQ(b.max.bytes, 50u);
    EXPECT_EQ(b.max.blocks, 1u);
    EXPECT_EQ(b.peakBlocks, 1u);
}

TEST(SiteLifetimes, PeakBlocksFollowALaterPeak) {
    TraceFile trace("later-peak");
    trace.stacks(2);
    // A first peak of 100 (site 1), then site 2 alone reaches 300: site 1 holds none then.
    trace << alloc(1, 0x1000, 100, 1) << release(2, 0x1000) << alloc(3, 0x2000, 150, 2)
          << alloc(4, 0x3000, 150, 2) << end(5);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    ASSERT_EQ(model.summary.peakHeapBytes, 300u);
    EXPECT_EQ(model.siteLifetimes.at(1).peakBlocks, 0u);
    EXPECT_EQ(model.siteLifetimes.at(1).max.blocks, 1u);
    EXPECT_EQ(model.siteLifetimes.at(2).peakBlocks, 2u);
    EXPECT_EQ(model.siteLifetimes.at(2).totalLifetimeNs, 2u + 1u);
}

} // namespace
} // namespace heapscope::analysis::test
