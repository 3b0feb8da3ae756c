// e2e: victim `peak` — the peak site and the summary's peak agree (ground truth in
// tests/victims/peak.cpp).
#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

const Recording& peak() { return recordOnce({victimPath("victim_peak")}); }

TEST(PeakVictim, FirstPhaseSiteHoldsThePeak) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    // Ordered by bytes allocated: every site that allocated is listed, whatever its peak share.
    const auto top = topJson(peak().trace);
    const auto first = siteTotals(top, "peak_site_first");
    EXPECT_EQ(first.allocations, 64u);
    EXPECT_EQ(first.bytesAllocated, 64 * kMiB);
    EXPECT_EQ(first.peakBytes, 64 * kMiB);
    EXPECT_EQ(first.leakedBytes, 0u);
    const auto second = siteTotals(top, "peak_site_second");
    EXPECT_EQ(second.allocations, 32u);
    EXPECT_EQ(second.bytesAllocated, 32 * kMiB);
    EXPECT_EQ(second.peakBytes, 0u);
}

TEST(PeakVictim, TopByPeakStartsWithTheFirstPhase) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    const auto top = topJson(peak().trace, "peak");
    ASSERT_FALSE(top.empty());
    EXPECT_TRUE(stackContains(top.front().at("stack"), "peak_site_first")) << top.front().dump();
}

TEST(PeakVictim, SummaryPeakIsTheSumOfSitePeaks) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    const auto summary = summaryJson(peak().trace);
    const auto peakBytes = summary.at("peak_heap_bytes").get<std::uint64_t>();
    EXPECT_GE(peakBytes, 64 * kMiB);
    EXPECT_EQ(peakBytes, sumOf(topJson(peak().trace), "peak_bytes"));
}

} // namespace
} // namespace heapscope::e2e
