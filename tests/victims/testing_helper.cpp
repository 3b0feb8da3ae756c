// victim `testing_helper`: GoogleTest cases written with include/heapscope/testing.h, run
// under `heapscope run` by tests/e2e/leak_scan_test.cpp.
// Ground truth: all 5 tests pass under heapscope, none skipped: a scope that frees what it
// allocates has no new leaks; one that drops 3 x 4096 bytes has 12288 bytes in 3 blocks;
// a scope that holds 1 MiB at once peaks at least 1 MiB and under 1 MiB + 64 KiB; a scope
// allocating 64 x 16 KiB one at a time (each freed) peaks under 64 KiB. Without heapscope
// every test skips. The disabled case (run with --gtest_also_run_disabled_tests) is the way a
// user writes the check, on a leaky scope: it fails, naming 8192 bytes in 2 blocks.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "heapscope/testing.h"

namespace {

void* volatile g_sink = nullptr;

__attribute__((noinline)) void scrubStack() {
    volatile char scratch[16384];
    for (auto& c : scratch)
        c = 0;
}

__attribute__((noinline)) void dropBlocks(int count, std::size_t size) {
    for (int i = 0; i < count; ++i) {
        g_sink = std::malloc(size);
        g_sink = nullptr;
    }
}

__attribute__((noinline)) void allocateAndFree(int count, std::size_t size) {
    for (int i = 0; i < count; ++i) {
        void* p = std::malloc(size);
        std::memset(p, 1, size);
        std::free(p);
    }
}

class TestingHelper : public ::testing::Test {
protected:
    void SetUp() override {
        if (!heapscope::testing::active()) GTEST_SKIP() << "not recorded by heapscope";
    }
};

TEST_F(TestingHelper, NoLeakWhenEverythingIsFreed) {
    heapscope::testing::LeakScope leaks;
    allocateAndFree(100, 256);
    scrubStack();
    EXPECT_TRUE(leaks.noNewLeaks());
}

TEST_F(TestingHelper, LeakInTheScopeIsReportedWithItsSize) {
    heapscope::testing::LeakScope leaks;
    dropBlocks(3, 4096);
    scrubStack();
    const ::testing::AssertionResult result = leaks.noNewLeaks();
    EXPECT_FALSE(result);
    EXPECT_STREQ(result.message(),
                 "12288 bytes in 3 blocks leaked in this scope (`heapscope leaks TRACE` shows "
                 "where)");
}

TEST_F(TestingHelper, DISABLED_LeakyScopeFailsTheTest) {
    heapscope::testing::LeakScope leaks;
    dropBlocks(2, 4096);
    scrubStack();
    EXPECT_TRUE(leaks.noNewLeaks());
}

TEST_F(TestingHelper, PeakCountsWhatIsHeldAtOnce) {
    heapscope::testing::PeakScope peak;
    std::vector<void*> blocks;
    for (int i = 0; i < 16; ++i)
        blocks.push_back(std::malloc(64 * 1024));
    for (void* p : blocks)
        std::free(p);
    EXPECT_GE(peak.peakBytes(), 1024u * 1024u);
    EXPECT_TRUE(peak.under(1024 * 1024 + 64 * 1024));
    EXPECT_FALSE(peak.under(1024 * 1024));
}

TEST_F(TestingHelper, PeakOfOneBlockAtATime) {
    heapscope::testing::PeakScope peak;
    allocateAndFree(64, 16 * 1024);
    EXPECT_TRUE(peak.under(64 * 1024));
}

TEST_F(TestingHelper, PeakStartsAtTheScope) {
    void* before = std::malloc(512 * 1024);
    heapscope::testing::PeakScope peak;
    allocateAndFree(1, 1024);
    EXPECT_TRUE(peak.under(64 * 1024));
    std::free(before);
}

} // namespace
