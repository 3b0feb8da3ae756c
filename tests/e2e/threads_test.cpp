// e2e: victim `threads` — eight threads, blocks freed by other threads (ground truth in
// tests/victims/threads.cpp).
#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& threads() { return recordOnce({victimPath("victim_threads")}); }

TEST(ThreadsVictim, EveryThreadsBlocksAreCounted) {
    ASSERT_TRUE(exitedCleanly(threads().result));
    EXPECT_EQ(threads().result.out, "threads: done\n");
    const auto site = siteTotals(topJson(threads().trace), "thread_site");
    EXPECT_EQ(site.allocations, 8u * 3000u);
    EXPECT_EQ(site.bytesAllocated, 8u * 3000u * 64u);
    EXPECT_EQ(site.leakedBytes, 8u * 10u * 64u);
}

TEST(ThreadsVictim, SummaryIsConsistent) {
    ASSERT_TRUE(exitedCleanly(threads().result));
    const auto summary = summaryJson(threads().trace);
    const auto allocations = summary.at("allocations").get<std::uint64_t>();
    const auto frees = summary.at("frees").get<std::uint64_t>();
    EXPECT_GE(summary.at("threads").get<std::uint64_t>(), 9u);
    EXPECT_GE(allocations, 24000u);
    EXPECT_GE(frees, 24000u - 80u);
    // Every block handed out is either freed or still live at the end.
    EXPECT_EQ(allocations - frees, summary.at("leaked_blocks").get<std::uint64_t>());
    EXPECT_GE(summary.at("leaked_blocks").get<std::uint64_t>(), 80u);
}

} // namespace
} // namespace heapscope::e2e
