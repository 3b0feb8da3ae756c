// tests (analysis): the batched replay (reader batches, look-ahead prefetch, growth's inline
// path) gives exactly the Model of the record-at-a-time replay and of fixed-width buckets.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <span>
#include <vector>

#include "analysis/growth.h"
#include "analysis/replay.h"
#include "format/reader.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

// A churn of allocs and frees on 3 threads and 7 stacks (the root and one undefined), with
// addresses reused while live, frees of unknown blocks, an RSS sample now and then and times that
// may step back.
std::vector<format::Record> churn(std::uint32_t seed) {
    std::mt19937_64 random(seed);
    std::vector<format::Record> records;
    for (std::uint32_t i = 1; i <= 5; ++i)
        records.emplace_back(format::StackNodeRecord{StackId{i}, StackId{0}, 0x1000u * i});
    std::uint64_t t = 0;
    for (int i = 0; i < 50000; ++i) {
        t += random() % 5000;
        const std::uint64_t stepBack = random() % 16 == 0 ? random() % 3000 : 0;
        const std::uint64_t address = 0x10000 + 16 * (random() % 4000);
        const auto thread = static_cast<std::uint32_t>(random() % 3);
        switch (random() % 9) {
        case 0:
            records.emplace_back(format::RssRecord{t, 1000 * (random() % 5000)});
            break;
        case 1:
        case 2:
        case 3:
            records.emplace_back(release(t - std::min(t, stepBack), address, thread));
            break;
        default: {
            // Stack 6 is far past the defined ones: the replay puts it on the root.
            const auto stack = static_cast<std::uint32_t>(random() % 7);
            records.emplace_back(alloc(t - std::min(t, stepBack), address, 1 + random() % 3000,
                                       stack == 6 ? 1'000'000 : stack, thread));
        }
        }
    }
    records.emplace_back(end(t + 1));
    return records;
}

void expectSameModel(const Model& a, const Model& b) {
    const Summary& x = a.summary;
    const Summary& y = b.summary;
    EXPECT_EQ(x.allocations, y.allocations);
    EXPECT_EQ(x.frees, y.frees);
    EXPECT_EQ(x.bytesAllocated, y.bytesAllocated);
    EXPECT_EQ(x.peakHeapBytes, y.peakHeapBytes);
    EXPECT_EQ(x.peakHeapTimeNs, y.peakHeapTimeNs);
    EXPECT_EQ(x.temporaryAllocations, y.temporaryAllocations);
    EXPECT_EQ(x.leakedBytes, y.leakedBytes);
    EXPECT_EQ(x.leakedBlocks, y.leakedBlocks);
    EXPECT_EQ(x.threads, y.threads);
    EXPECT_EQ(x.runtimeNs, y.runtimeNs);
    EXPECT_EQ(a.diagnostics.allocOfLiveAddress, b.diagnostics.allocOfLiveAddress);
    EXPECT_EQ(a.diagnostics.unknownFrees, b.diagnostics.unknownFrees);
    EXPECT_EQ(a.diagnostics.unknownStacks, b.diagnostics.unknownStacks);
    ASSERT_EQ(a.sites.size(), b.sites.size());
    for (std::size_t i = 0; i < a.sites.size(); ++i) {
        EXPECT_EQ(a.sites[i].stack, b.sites[i].stack);
        EXPECT_EQ(a.sites[i].allocations, b.sites[i].allocations);
        EXPECT_EQ(a.sites[i].bytesAllocated, b.sites[i].bytesAllocated);
        EXPECT_EQ(a.sites[i].peakBytes, b.sites[i].peakBytes);
        EXPECT_EQ(a.sites[i].leakedBytes, b.sites[i].leakedBytes);
        EXPECT_EQ(a.sites[i].leakedBlocks, b.sites[i].leakedBlocks);
        EXPECT_EQ(a.sites[i].temporaryAllocations, b.sites[i].temporaryAllocations);
    }
    ASSERT_EQ(a.siteLifetimes.size(), b.siteLifetimes.size());
    for (std::size_t i = 0; i < a.siteLifetimes.size(); ++i) {
        EXPECT_EQ(a.siteLifetimes[i].totalLifetimeNs, b.siteLifetimes[i].totalLifetimeNs);
        EXPECT_EQ(a.siteLifetimes[i].max.bytes, b.siteLifetimes[i].max.bytes);
        EXPECT_EQ(a.siteLifetimes[i].peakBlocks, b.siteLifetimes[i].peakBlocks);
    }
    ASSERT_EQ(a.timeline.size(), b.timeline.size());
    for (std::size_t i = 0; i < a.timeline.size(); ++i) {
        EXPECT_EQ(a.timeline[i].timeNs, b.timeline[i].timeNs);
        EXPECT_EQ(a.timeline[i].heapBytes, b.timeline[i].heapBytes);
        EXPECT_EQ(a.timeline[i].rssBytes, b.timeline[i].rssBytes);
    }
    ASSERT_EQ(a.growth.size(), b.growth.size());
    for (std::size_t i = 0; i < a.growth.size(); ++i) {
        EXPECT_EQ(a.growth[i].stack, b.growth[i].stack);
        EXPECT_EQ(a.growth[i].bytesPerSecond, b.growth[i].bytesPerSecond);
    }
}

TEST(BatchReplay, BatchesOfAnySizeGiveTheModelOfOneRecordAtATime) {
    for (const std::uint64_t sampleRate : {std::uint64_t{0}, std::uint64_t{512}}) {
        format::TraceHeader header;
        header.sampleRate = sampleRate;
        const std::vector<format::Record> records = churn(7);
        Replay single(header);
        for (const format::Record& r : records)
            single.apply(r);
        Replay batched(header);
        std::mt19937 random(11);
        for (std::size_t at = 0; at < records.size();) {
            // Sizes around the prefetch distance and far past it, as a reader's batches vary.
            const std::size_t n = std::min<std::size_t>(records.size() - at, 1 + random() % 70);
            batched.apply(std::span<const format::Record>(records).subspan(at, n));
            at += n;
        }
        const Model a = single.finish({});
        const Model b = batched.finish({});
        EXPECT_GT(a.summary.allocations, 10000u);
        EXPECT_GT(a.diagnostics.allocOfLiveAddress, 0u);
        EXPECT_GT(a.diagnostics.unknownFrees, 0u);
        EXPECT_GT(a.diagnostics.unknownStacks, 0u);
        expectSameModel(a, b);
    }
}

TEST(BatchReplay, ReaderHandsOutEveryRecordOnceInBatches) {
    TraceFile trace("batches");
    trace.stacks(1);
    constexpr std::uint64_t kAllocs = 20000;
    for (std::uint64_t i = 0; i < kAllocs; ++i) {
        trace << alloc(i + 1, 0x1000 + 16 * i, 8, 1);
        if (i % 3000 == 0) trace.flush(); // frames of different lengths
    }
    trace << end(kAllocs + 1);
    trace.close();

    format::TraceReader reader;
    reader.setPrefetchBytes(0); // the read-ahead thread's hand-off, on a small trace too
    ASSERT_TRUE(reader.open(trace.path()));
    std::uint64_t allocs = 0;
    std::size_t batches = 0;
    bool sawEnd = false;
    for (auto records = reader.nextRecords(); !records.empty(); records = reader.nextRecords()) {
        ++batches;
        for (const format::Record& r : records) {
            if (const auto* a = std::get_if<format::AllocRecord>(&r)) {
                EXPECT_EQ(a->address, 0x1000 + 16 * allocs); // in order, none twice, none lost
                ++allocs;
            }
            sawEnd = sawEnd || std::holds_alternative<format::EndRecord>(r);
        }
    }
    EXPECT_EQ(allocs, kAllocs);
    EXPECT_TRUE(sawEnd);
    EXPECT_GT(batches, 7u);
    EXPECT_TRUE(reader.nextRecords().empty());
    EXPECT_EQ(reader.outcome(), format::ReadOutcome::Complete);
}

// The tracker's per-bucket maxima, widened as the run goes on, equal those worked out directly
// at the final width: the most a site held live in each bucket, counting what it held on entry.
TEST(BatchReplay, GrowthMatchesBucketsOfTheFinalWidth) {
    std::mt19937_64 random(3);
    GrowthTracker tracker;
    constexpr std::uint64_t kEndNs = 40'000'000; // ends at a bucket width of 2^21 ns
    constexpr unsigned kFinalShift = 21;
    constexpr std::uint64_t kFinalBuckets = (kEndNs >> kFinalShift) + 1;
    std::vector<std::uint64_t> live(2);
    std::vector<std::vector<std::uint64_t>> expected(2, std::vector<std::uint64_t>(kFinalBuckets));
    std::vector<std::vector<std::uint64_t>> blocks(2);
    std::vector<std::size_t> lastBucket(2);
    // The buckets a site enters without a change start with (and so hold) its live bytes.
    const auto enter = [&](std::uint32_t site, std::size_t bucket) {
        for (std::size_t b = lastBucket[site] + 1; b <= bucket; ++b)
            expected[site][b] = live[site];
        lastBucket[site] = std::max(lastBucket[site], bucket);
    };
    for (std::uint64_t t = 1; t < kEndNs; t += 1 + random() % 20000) {
        const auto site = static_cast<std::uint32_t>(random() % 2);
        const std::size_t bucket = t >> kFinalShift;
        enter(site, bucket);
        // Site 0 grows steadily; site 1 is a sawtooth.
        const bool free = !blocks[site].empty() && random() % 100 < (site == 0 ? 40u : 50u);
        if (free) {
            tracker.onFree(StackId{site}, t, blocks[site].back());
            live[site] -= blocks[site].back();
            blocks[site].pop_back();
        } else {
            const std::uint64_t size = 1 + random() % 4096;
            tracker.onAlloc(StackId{site}, t, size);
            live[site] += size;
            blocks[site].push_back(size);
            expected[site][bucket] = std::max(expected[site][bucket], live[site]);
        }
        if (site == 1 && live[1] > 200000) { // the sawtooth drops back
            for (const std::uint64_t size : blocks[1])
                tracker.onFree(StackId{1}, t, size);
            blocks[1].clear();
            live[1] = 0;
        }
    }
    enter(0, kFinalBuckets - 1);
    enter(1, kFinalBuckets - 1);
    const std::vector<GrowthSite> growth = tracker.finish(kEndNs);
    ASSERT_TRUE(keptGrowing(expected[0]));
    ASSERT_FALSE(keptGrowing(expected[1]));
    ASSERT_EQ(growth.size(), 1u);
    EXPECT_EQ(growth[0].stack, StackId{0});
    EXPECT_EQ(growth[0].liveBytesAtEnd, live[0]);
    const double perSecond =
        trendPerBucket(expected[0]) * 1e9 / static_cast<double>(1u << kFinalShift);
    EXPECT_EQ(growth[0].bytesPerSecond, static_cast<std::uint64_t>(perSecond));
}

} // namespace
} // namespace heapscope::analysis::test
