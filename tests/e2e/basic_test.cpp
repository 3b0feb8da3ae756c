// e2e: victim `basic` — exact per-site allocations, bytes and leaks (ground truth in
// tests/victims/basic.cpp).
#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& basic() { return recordOnce({victimPath("victim_basic")}); }

TEST(BasicVictim, ProgramOutputIsUntouched) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    EXPECT_EQ(basic().result.out, "basic: done\n");
}

TEST(BasicVictim, MallocSiteAllFreed) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    const auto site = siteTotals(topJson(basic().trace), "victim_site_a");
    EXPECT_EQ(site.allocations, 1000u);
    EXPECT_EQ(site.bytesAllocated, 100000u);
    EXPECT_EQ(site.leakedBytes, 0u);
}

TEST(BasicVictim, NewArraySiteLeaksOneFifth) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    const auto site = siteTotals(topJson(basic().trace), "victim_site_b");
    EXPECT_EQ(site.allocations, 500u);
    EXPECT_EQ(site.bytesAllocated, 100000u);
    EXPECT_EQ(site.leakedBytes, 100u * 200u);
}

TEST(BasicVictim, CallocSiteAllLeaked) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    const auto site = siteTotals(topJson(basic().trace), "victim_site_c");
    EXPECT_EQ(site.allocations, 10u);
    EXPECT_EQ(site.bytesAllocated, 30000u);
    EXPECT_EQ(site.leakedBytes, 30000u);
}

TEST(BasicVictim, ReallocChainCountsEveryReturnedBlock) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    const auto site = siteTotals(topJson(basic().trace), "victim_site_d");
    EXPECT_EQ(site.allocations, 20u);
    EXPECT_EQ(site.bytesAllocated, 64u * (20u * 21u / 2u));
    EXPECT_EQ(site.leakedBytes, 0u);
}

TEST(BasicVictim, SummaryAgreesWithSites) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    const auto summary = summaryJson(basic().trace);
    const auto top = topJson(basic().trace);
    EXPECT_EQ(summary.at("exit_status"), 0);
    EXPECT_EQ(summary.at("truncated"), false);
    EXPECT_EQ(summary.at("allocations").get<std::uint64_t>(), sumOf(top, "allocations"));
    EXPECT_EQ(summary.at("bytes_allocated").get<std::uint64_t>(), sumOf(top, "bytes_allocated"));
    EXPECT_EQ(summary.at("leaked_bytes").get<std::uint64_t>(), sumOf(top, "leaked_bytes"));
    // The victim's own sites alone: 1530 allocations and 50000 leaked bytes in 110 blocks.
    EXPECT_GE(summary.at("allocations").get<std::uint64_t>(), 1530u);
    EXPECT_GE(summary.at("leaked_bytes").get<std::uint64_t>(), 50000u);
    EXPECT_GE(summary.at("leaked_blocks").get<std::uint64_t>(), 110u);
}

} // namespace
} // namespace heapscope::e2e
