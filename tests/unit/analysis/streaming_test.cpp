// tests (analysis): the replay's state is bounded by the live set and the stacks, not by the
// number of events; the timeline stays within its point budget.
#include <gtest/gtest.h>

#include "analysis/replay.h"
#include "analysis/timeline.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

TEST(Streaming, StateDoesNotGrowWithEvents) {
    Replay replay(format::TraceHeader{});
    for (std::uint32_t i = 1; i <= 8; ++i)
        replay.on(format::StackNodeRecord{StackId{i}, StackId{0}, i});
    // Two million events over a live set of at most 64 blocks on 4 threads.
    constexpr std::uint64_t kLive = 64;
    std::uint64_t t = 0;
    for (std::uint64_t round = 0; round < 15625; ++round) {
        for (std::uint64_t i = 0; i < kLive; ++i)
            replay.on(alloc(++t, 0x10000 + 16 * (round * kLive + i), 32 + i,
                            static_cast<std::uint32_t>(1 + i % 8),
                            static_cast<std::uint32_t>(i % 4)));
        EXPECT_EQ(replay.liveBlocks(), kLive);
        for (std::uint64_t i = 0; i < kLive; ++i)
            replay.on(release(++t, 0x10000 + 16 * (round * kLive + i),
                              static_cast<std::uint32_t>(i % 4)));
    }
    EXPECT_EQ(t, 2'000'000u);
    EXPECT_EQ(replay.liveBlocks(), 0u);
    EXPECT_EQ(replay.liveMapCapacity(), 1024u); // never grew past its initial table
    EXPECT_EQ(replay.siteSlots(), 9u);
    EXPECT_EQ(replay.threadSlots(), 4u);

    const Model model = replay.finish({});
    EXPECT_EQ(model.summary.allocations, 1'000'000u);
    EXPECT_EQ(model.summary.frees, 1'000'000u);
    EXPECT_EQ(model.sites.size(), 8u);
    EXPECT_LE(model.timeline.size(), TimelineBuilder::kMaxPoints);
}

TEST(Streaming, LiveMapGrowsWithTheLiveSetAndSurvivesChurn) {
    LiveMap map;
    bool existed = true;
    for (std::uint64_t i = 1; i <= 100000; ++i) {
        map.emplace(i * 48, existed) = LiveBlock{i, StackId{1}, ThreadIndex{0}};
        EXPECT_FALSE(existed);
    }
    EXPECT_EQ(map.size(), 100000u);
    // Remove every other block, then check each survivor is still found with its value.
    LiveBlock out;
    for (std::uint64_t i = 2; i <= 100000; i += 2) EXPECT_TRUE(map.erase(i * 48, out));
    EXPECT_FALSE(map.erase(2 * 48, out));
    for (std::uint64_t i = 1; i <= 100000; ++i) {
        const LiveBlock* b = map.find(i * 48);
        if (i % 2 == 1) {
            ASSERT_NE(b, nullptr);
            EXPECT_EQ(b->size, i);
        } else {
            EXPECT_EQ(b, nullptr);
        }
    }
    EXPECT_EQ(map.size(), 50000u);
    map.emplace(0, existed).size = 9; // address 0 only comes from a hostile trace
    EXPECT_FALSE(existed);
    EXPECT_EQ(map.find(0)->size, 9u);
    EXPECT_EQ(map.size(), 50001u);
}

TEST(Streaming, TimelineKeepsTheMaximumOfEachBucket) {
    TimelineBuilder timeline;
    for (std::uint64_t t = 0; t < 100000; ++t) timeline.observe(t * 1000, t % 1000, t);
    timeline.observe(77'777'000, 5000, 0); // the peak, late in a bucket
    const std::vector<TimelinePoint> points = timeline.points();
    EXPECT_LE(points.size(), TimelineBuilder::kMaxPoints);
    EXPECT_GT(points.size(), TimelineBuilder::kMaxPoints / 2);
    std::uint64_t peaks = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (i > 0) {
            EXPECT_LT(points[i - 1].timeNs, points[i].timeNs);
        }
        if (points[i].heapBytes == 5000u) {
            ++peaks;
            EXPECT_EQ(points[i].timeNs, 77'777'000u);
        }
    }
    EXPECT_EQ(peaks, 1u);
    EXPECT_EQ(points.back().rssBytes, 99999u);
}

} // namespace
} // namespace heapscope::analysis::test
