// tests (analysis): allocation lifetimes streamed from synthetic traces: free times and threads,
// the blocks live at the end with their verdicts, heap samples, and the filters.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "analysis/allocation_stream.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

class Collect final : public LifetimeSink {
public:
    void onLifetime(const AllocationLifetime& lifetime) override { lifetimes.push_back(lifetime); }
    void onSample(const HeapSample& sample) override { samples.push_back(sample); }

    const AllocationLifetime* at(std::uint64_t address) const {
        const auto it = std::find_if(lifetimes.begin(), lifetimes.end(),
                                     [&](const auto& l) { return l.address == address; });
        return it == lifetimes.end() ? nullptr : &*it;
    }

    std::vector<AllocationLifetime> lifetimes;
    std::vector<HeapSample> samples;
};

// Three blocks: 0x1000 (100 B, stack 1) allocated at 10 on thread 0 and freed at 30 by thread 1;
// 0x2000 (200 B, stack 2, new) allocated at 20, definitely lost; 0x3000 (300 B, stack 3)
// allocated at 40 on thread 1, still reachable. RSS sampled at 35; the run ends at 50.
void writeThreeBlocks(TraceFile& trace) {
    trace.stacks(3);
    trace << format::ThreadRecord{ThreadIndex{0}, 0, 100, "main"}
          << format::ThreadRecord{ThreadIndex{1}, 5, 101, "worker"} << alloc(10, 0x1000, 100, 1, 0)
          << format::AllocRecord{ThreadIndex{0},          20, 0x2000, 200, StackId{2},
                                 format::AllocFamily::New}
          << release(30, 0x1000, 1) << format::RssRecord{35, 8192} << alloc(40, 0x3000, 300, 3, 1)
          << format::LeakCheckRecord{45, true, {}}
          << format::LeakVerdictRecord{0x2000, format::LeakKind::DefinitelyLost, 0}
          << format::LeakVerdictRecord{0x3000, format::LeakKind::StillReachable, 0} << end(50);
    trace.close();
}

TEST(AllocationStream, FreedBlocksThenLiveOnesWithVerdicts) {
    TraceFile trace("stream_three");
    writeThreeBlocks(trace);
    Collect sink;
    const Model model = streamAllocations(trace.path(), {}, sink);
    EXPECT_EQ(model.summary.allocations, 3u);
    ASSERT_EQ(sink.lifetimes.size(), 3u);
    // The freed block comes first, at its free.
    EXPECT_EQ(sink.lifetimes.front().address, 0x1000u);

    const AllocationLifetime* freed = sink.at(0x1000);
    ASSERT_NE(freed, nullptr);
    EXPECT_EQ(freed->allocNs, 10u);
    EXPECT_EQ(freed->freeNs, 30u);
    EXPECT_EQ(freed->size, 100u);
    EXPECT_EQ(freed->stack, StackId{1});
    EXPECT_EQ(freed->allocThread, ThreadIndex{0});
    EXPECT_EQ(freed->freeThread, ThreadIndex{1});
    EXPECT_FALSE(freed->leak);

    const AllocationLifetime* lost = sink.at(0x2000);
    ASSERT_NE(lost, nullptr);
    EXPECT_FALSE(lost->freeNs);
    EXPECT_FALSE(lost->freeThread);
    EXPECT_EQ(lost->family, format::AllocFamily::New);
    EXPECT_EQ(lost->leak, format::LeakKind::DefinitelyLost);
    const AllocationLifetime* reachable = sink.at(0x3000);
    ASSERT_NE(reachable, nullptr);
    EXPECT_EQ(reachable->leak, format::LeakKind::StillReachable);
    EXPECT_EQ(reachable->allocThread, ThreadIndex{1});

    ASSERT_EQ(sink.samples.size(), 1u);
    EXPECT_EQ(sink.samples[0].timeNs, 35u);
    EXPECT_EQ(sink.samples[0].heapBytes, 200u);
    EXPECT_EQ(sink.samples[0].rssBytes, 8192u);
}

TEST(AllocationStream, VerdictsCountOnlyAfterTheExitScan) {
    TraceFile trace("stream_early_verdict");
    trace.stacks(1);
    trace << alloc(10, 0x1000, 100, 1)
          << format::LeakVerdictRecord{0x1000, format::LeakKind::DefinitelyLost, 0} << end(20);
    trace.close();
    Collect sink;
    streamAllocations(trace.path(), {}, sink);
    ASSERT_EQ(sink.lifetimes.size(), 1u);
    EXPECT_FALSE(sink.lifetimes[0].leak);
}

TEST(AllocationStream, AnAddressAllocatedTwiceEndsTheFirstBlock) {
    TraceFile trace("stream_twice");
    trace.stacks(2);
    trace << alloc(10, 0x1000, 100, 1) << alloc(20, 0x1000, 50, 2) << end(30);
    trace.close();
    Collect sink;
    streamAllocations(trace.path(), {}, sink);
    ASSERT_EQ(sink.lifetimes.size(), 2u);
    EXPECT_EQ(sink.lifetimes[0].size, 100u);
    EXPECT_EQ(sink.lifetimes[0].freeNs, 20u);
    EXPECT_FALSE(sink.lifetimes[0].freeThread);
    EXPECT_EQ(sink.lifetimes[1].size, 50u);
    EXPECT_FALSE(sink.lifetimes[1].freeNs);
}

std::vector<std::uint64_t> addressesKept(const LifetimeFilter& filter, Collect& sink) {
    TraceFile trace("stream_filter");
    writeThreeBlocks(trace);
    streamAllocations(trace.path(), filter, sink);
    std::vector<std::uint64_t> out;
    for (const auto& l : sink.lifetimes)
        out.push_back(l.address);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(AllocationStream, Filters) {
    using Addresses = std::vector<std::uint64_t>;
    {
        Collect sink;
        EXPECT_EQ(addressesKept({.liveAtEndOnly = true}, sink), (Addresses{0x2000, 0x3000}));
    }
    {
        // Lifetimes: 0x1000 20 ns, 0x2000 30 ns (to the end), 0x3000 10 ns.
        Collect sink;
        EXPECT_EQ(addressesKept({.minLifetimeNs = 20}, sink), (Addresses{0x1000, 0x2000}));
    }
    {
        Collect sink;
        EXPECT_EQ(addressesKept({.fromNs = 15, .toNs = 40}, sink), (Addresses{0x2000}));
    }
    {
        // No rows, but the samples and the Model still come.
        Collect sink;
        EXPECT_EQ(addressesKept({.none = true}, sink), Addresses{});
        EXPECT_EQ(sink.samples.size(), 1u);
    }
}

} // namespace
} // namespace heapscope::analysis::test
