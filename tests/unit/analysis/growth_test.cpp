// tests (analysis): leak growth — the trend test on synthetic bucket series, and the tracker on
// synthetic traces: an unbounded cache freed at exit is found; a ring buffer, a warm-up that
// levels off and a sawtooth are not.
#include <gtest/gtest.h>

#include <vector>

#include "analysis/analyze.h"
#include "analysis/growth.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

constexpr std::size_t kN = 32;

std::vector<std::uint64_t> series(std::uint64_t (*f)(std::size_t)) {
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < kN; ++i)
        out.push_back(f(i));
    return out;
}

TEST(GrowthTrend, LinearGrowthKeepsGrowing) {
    const auto s = series([](std::size_t i) -> std::uint64_t { return 10'000 * (i + 1); });
    EXPECT_TRUE(keptGrowing(s));
    EXPECT_NEAR(trendPerBucket(s), 10'000.0, 1e-6);
}

TEST(GrowthTrend, DoublingCapacityKeepsGrowing) {
    // A vector whose size grows steadily: capacity doubles at geometrically spaced times.
    const auto s = series([](std::size_t i) -> std::uint64_t {
        std::uint64_t capacity = 4096;
        while (capacity < 4096 * (i + 1))
            capacity *= 2;
        return capacity;
    });
    EXPECT_TRUE(keptGrowing(s));
}

TEST(GrowthTrend, WarmUpThatLevelsOffDoesNot) {
    const auto s = series(
        [](std::size_t i) -> std::uint64_t { return 100'000 * std::min<std::size_t>(i + 1, 10); });
    EXPECT_FALSE(keptGrowing(s));
}

TEST(GrowthTrend, FlatRingBufferDoesNot) {
    const auto s =
        series([](std::size_t i) -> std::uint64_t { return i < 2 ? 50'000 * i : 64'000; });
    EXPECT_FALSE(keptGrowing(s));
}

TEST(GrowthTrend, SawtoothWithSlightlyHigherPeaksDoesNot) {
    // Peaks creep up by 100 bytes a tooth: new highs, but no real rise.
    const auto s = series([](std::size_t i) -> std::uint64_t {
        return i % 4 == 3 ? 1'000'000 + 100 * i : 200'000 * (i % 4);
    });
    EXPECT_FALSE(keptGrowing(s));
}

TEST(GrowthTrend, TooShortOrTinySeriesSayNothing) {
    EXPECT_FALSE(keptGrowing({1000, 2000, 3000, 4000}));
    const auto tiny = series([](std::size_t i) -> std::uint64_t { return 16 * (i + 1); });
    EXPECT_FALSE(keptGrowing(tiny)); // 256 bytes of growth in the second half is noise
}

TEST(GrowthTracker, KeepsAFixedNumberOfBucketsHoweverLongTheRun) {
    GrowthTracker tracker;
    // One 1 KiB block a millisecond for 10 s, all freed at the end.
    constexpr std::uint64_t kMs = 1'000'000;
    for (std::uint64_t i = 0; i < 10'000; ++i)
        tracker.onAlloc(StackId{1}, i * kMs, 1024);
    for (std::uint64_t i = 0; i < 10'000; ++i)
        tracker.onFree(StackId{1}, 10'000 * kMs, 1024);
    const auto growth = tracker.finish(10'000 * kMs);
    ASSERT_EQ(growth.size(), 1u);
    EXPECT_EQ(growth[0].stack, StackId{1});
    EXPECT_EQ(growth[0].liveBytesAtEnd, 0u);
    EXPECT_EQ(growth[0].peakLiveBytes, 10'000u * 1024);
    // 1 KiB a millisecond is 1 MiB a second, give or take the bucketing.
    EXPECT_GT(growth[0].bytesPerSecond, 900'000u);
    EXPECT_LT(growth[0].bytesPerSecond, 1'150'000u);
}

// Synthetic traces: stack 1 an unbounded cache freed at exit, stack 2 a ring buffer of 64
// blocks, stack 3 a cache that fills in the first fifth and stays, stack 4 a sawtooth.
TEST(GrowthReplay, FindsTheUnboundedCacheOnly) {
    TraceFile trace("growth");
    trace.stacks(4);
    constexpr std::uint64_t kStep = 100'000; // 0.1 ms per round
    constexpr std::uint64_t kRounds = 2000;
    std::uint64_t next = 0x10000;
    std::vector<std::uint64_t> cache, ring, warm, saw;
    for (std::uint64_t i = 0; i < kRounds; ++i) {
        const std::uint64_t t = i * kStep;
        cache.push_back(next);
        trace << alloc(t, next, 512, 1);
        next += 0x1000;
        if (ring.size() == 64) {
            trace << release(t + 1, ring.front());
            ring.erase(ring.begin());
        }
        ring.push_back(next);
        trace << alloc(t + 2, next, 512, 2);
        next += 0x1000;
        if (i < kRounds / 5) {
            warm.push_back(next);
            trace << alloc(t + 3, next, 512, 3);
            next += 0x1000;
        }
        saw.push_back(next);
        trace << alloc(t + 4, next, 512, 4);
        next += 0x1000;
        if (saw.size() == 100) {
            for (const auto address : saw)
                trace << release(t + 5, address);
            saw.clear();
        }
    }
    const std::uint64_t end = kRounds * kStep;
    for (const auto* blocks : {&cache, &ring, &warm, &saw}) {
        for (const auto address : *blocks)
            trace << release(end, address);
    }
    trace << format::EndRecord{end + 1};
    trace.close();

    const Model model = analyzeTrace(trace.path());
    ASSERT_EQ(model.growth.size(), 1u);
    EXPECT_EQ(model.growth[0].stack, StackId{1});
    EXPECT_EQ(model.growth[0].liveBytesAtEnd, 0u);
    EXPECT_EQ(model.growth[0].peakLiveBytes, kRounds * 512);
    // 512 bytes every 0.1 ms: 5,120,000 bytes a second.
    EXPECT_GT(model.growth[0].bytesPerSecond, 4'500'000u);
    EXPECT_LT(model.growth[0].bytesPerSecond, 5'700'000u);
}

} // namespace
} // namespace heapscope::analysis::test
