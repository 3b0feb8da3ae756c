// e2e: victim `temporary` — temporary allocations counted per site (ground truth in
// tests/victims/temporary.cpp).
#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& temporary() { return recordOnce({victimPath("victim_temporary")}); }

TEST(TemporaryVictim, FreedRightAwayIsTemporary) {
    ASSERT_TRUE(exitedCleanly(temporary().result));
    const auto site = siteTotals(topJson(temporary().trace), "temp_site_yes");
    EXPECT_EQ(site.allocations, 1000u);
    EXPECT_EQ(site.bytesAllocated, 32000u);
    EXPECT_EQ(site.temporaryAllocations, 1000u);
    EXPECT_EQ(site.leakedBytes, 0u);
}

TEST(TemporaryVictim, AnAllocationInBetweenIsNotTemporary) {
    ASSERT_TRUE(exitedCleanly(temporary().result));
    const auto top = topJson(temporary().trace);
    const auto freedLater = siteTotals(top, "temp_site_no");
    EXPECT_EQ(freedLater.allocations, 1000u);
    EXPECT_EQ(freedLater.temporaryAllocations, 0u);
    EXPECT_EQ(freedLater.leakedBytes, 0u);
    const auto between = siteTotals(top, "temp_site_between");
    EXPECT_EQ(between.allocations, 1000u);
    EXPECT_EQ(between.temporaryAllocations, 0u);
    EXPECT_EQ(between.leakedBytes, 16000u);
}

TEST(TemporaryVictim, SummaryCountsThem) {
    ASSERT_TRUE(exitedCleanly(temporary().result));
    const auto summary = summaryJson(temporary().trace);
    EXPECT_GE(summary.at("temporary_allocations").get<std::uint64_t>(), 1000u);
    EXPECT_EQ(summary.at("temporary_allocations").get<std::uint64_t>(),
              sumOf(topJson(temporary().trace), "temporary_allocations"));
}

} // namespace
} // namespace heapscope::e2e
