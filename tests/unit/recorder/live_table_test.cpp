// tests/unit/recorder: the block table: insert/find/release, freed entries (kept until the
// address is reused or the shard fills, free stacks, forget), growth, backward-shift deletion
// against reference maps, iteration, and concurrent use from 8 threads.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "recorder/live_table.h"

namespace heapscope::recorder {
namespace {

using format::AllocFamily;

LiveEntry entry(std::uint64_t address, std::uint64_t size, std::uint32_t stack = 7) {
    return LiveEntry{address, size,  StackId{stack}, ThreadIndex{3}, AllocFamily::NewArray,
                     true,    false, StackId{}};
}

TEST(LiveTable, InsertFindRelease) {
    LiveTable table;
    ASSERT_TRUE(table.insert(entry(0x1000, 10)));
    ASSERT_TRUE(table.insert(entry(0x2000, 20, 9)));
    EXPECT_EQ(table.size(), 2u);

    LiveEntry found;
    ASSERT_TRUE(table.find(0x2000, found));
    EXPECT_EQ(found.size, 20u);
    EXPECT_EQ(found.stack, StackId{9});
    EXPECT_EQ(found.thread, ThreadIndex{3});
    EXPECT_EQ(found.family, AllocFamily::NewArray);

    LiveEntry released;
    ASSERT_TRUE(table.release(0x1000, StackId{}, released));
    EXPECT_EQ(released.size, 10u);
    EXPECT_FALSE(table.find(0x1000, found));
    EXPECT_FALSE(table.release(0x1000, StackId{}, released));
    EXPECT_EQ(table.size(), 1u);
    EXPECT_FALSE(table.release(0x3000, StackId{}, released));
}

TEST(LiveTable, AFreedEntryStaysUntilItsAddressIsAllocatedAgain) {
    LiveTable table;
    ASSERT_TRUE(table.insert(entry(0x1000, 10, 5)));
    LiveEntry e;
    EXPECT_FALSE(table.findFreed(0x1000, e)) << "a live block is not freed";
    ASSERT_TRUE(table.release(0x1000, StackId{6}, e));
    EXPECT_EQ(e.freeStack, StackId{}) << "the live entry comes out";
    ASSERT_TRUE(table.findFreed(0x1000, e));
    EXPECT_EQ(e.freeStack, StackId{6});
    table.setFreeStack(0x1000, StackId{8});
    ASSERT_TRUE(table.findFreed(0x1000, e));
    EXPECT_EQ(e.size, 10u);
    EXPECT_EQ(e.stack, StackId{5});
    EXPECT_EQ(e.freeStack, StackId{8});
    EXPECT_EQ(e.family, AllocFamily::NewArray);
    EXPECT_EQ(table.size(), 0u);
    std::size_t visited = 0;
    table.forEach([&](const LiveEntry&) { ++visited; });
    EXPECT_EQ(visited, 0u) << "freed entries are not visited";

    ASSERT_TRUE(table.insert(entry(0x1000, 20)));
    EXPECT_FALSE(table.findFreed(0x1000, e));
    ASSERT_TRUE(table.find(0x1000, e));
    EXPECT_EQ(e.size, 20u);
    EXPECT_EQ(e.freeStack, StackId{});
    EXPECT_EQ(table.size(), 1u);
}

TEST(LiveTable, ForgetDropsOnlyAFreedEntry) {
    LiveTable table;
    ASSERT_TRUE(table.insert(entry(0x1000, 10)));
    ASSERT_TRUE(table.insert(entry(0x2000, 20)));
    LiveEntry e;
    ASSERT_TRUE(table.release(0x1000, StackId{}, e));
    table.forget(0x1000);
    table.forget(0x2000);
    EXPECT_FALSE(table.findFreed(0x1000, e));
    EXPECT_TRUE(table.find(0x2000, e));
    table.setFreeStack(0x2000, StackId{9});
    ASSERT_TRUE(table.find(0x2000, e));
    EXPECT_EQ(e.freeStack, StackId{}) << "a live entry takes no free stack";
}

TEST(LiveTable, FreedEntriesMakeWayWhenAShardFills) {
    // Far more distinct freed addresses than the table holds at its size: the old ones go,
    // the newest stays, and live blocks are never lost.
    LiveTable table;
    constexpr std::uint64_t kLive = 1000;
    constexpr std::uint64_t kFreed = 1000000;
    for (std::uint64_t i = 1; i <= kLive; ++i)
        ASSERT_TRUE(table.insert(entry(i << 40, i)));
    LiveEntry e;
    for (std::uint64_t i = 1; i <= kFreed; ++i) {
        ASSERT_TRUE(table.insert(entry(i * 16, i)));
        ASSERT_TRUE(table.release(i * 16, StackId{}, e));
        ASSERT_TRUE(table.findFreed(i * 16, e)) << i;
        ASSERT_EQ(e.size, i);
    }
    EXPECT_FALSE(table.findFreed(16, e));
    EXPECT_EQ(table.size(), kLive);
    for (std::uint64_t i = 1; i <= kLive; ++i) {
        ASSERT_TRUE(table.find(i << 40, e)) << i;
        ASSERT_EQ(e.size, i);
    }
}

TEST(LiveTable, InsertReplacesSameAddress) {
    LiveTable table;
    ASSERT_TRUE(table.insert(entry(0x1000, 10)));
    ASSERT_TRUE(table.insert(entry(0x1000, 99)));
    LiveEntry found;
    ASSERT_TRUE(table.find(0x1000, found));
    EXPECT_EQ(found.size, 99u);
    EXPECT_EQ(table.size(), 1u);
}

TEST(LiveTable, GrowsAndKeepsEveryEntry) {
    LiveTable table;
    constexpr std::uint64_t kCount = 200000;
    for (std::uint64_t i = 1; i <= kCount; ++i)
        ASSERT_TRUE(table.insert(entry(i * 16, i)));
    EXPECT_EQ(table.size(), kCount);
    LiveEntry e;
    for (std::uint64_t i = 2; i <= kCount; i += 2)
        ASSERT_TRUE(table.release(i * 16, StackId{}, e));
    EXPECT_EQ(table.size(), kCount / 2);
    for (std::uint64_t i = 1; i <= kCount; ++i) {
        const bool live = table.find(i * 16, e);
        ASSERT_EQ(live, i % 2 == 1) << i;
        if (live) {
            ASSERT_EQ(e.size, i);
        }
    }
}

TEST(LiveTable, MatchesReferenceMapsUnderRandomChurn) {
    // Many operations on a bounded set of addresses: long probe runs, many backward shifts and
    // many drops of freed entries. A freed entry found must be the last free of its address
    // since it was last allocated.
    LiveTable table;
    std::unordered_map<std::uint64_t, std::uint64_t> reference;
    std::unordered_map<std::uint64_t, std::uint64_t> freedReference;
    std::mt19937_64 rng(12345);
    for (int op = 0; op < 600000; ++op) {
        // ~780 addresses per shard: enough to fill shards with freed entries.
        const std::uint64_t address = (rng() % 100000 + 1) * 16;
        LiveEntry e;
        if (rng() % 2 == 0) {
            const std::uint64_t size = rng() % 1000;
            ASSERT_TRUE(table.insert(entry(address, size)));
            reference[address] = size;
            freedReference.erase(address);
        } else if (rng() % 8 != 0) {
            const bool released = table.release(address, StackId{}, e);
            const auto it = reference.find(address);
            ASSERT_EQ(released, it != reference.end());
            if (released) {
                ASSERT_EQ(e.size, it->second);
                freedReference[address] = it->second;
                reference.erase(it);
            }
        } else {
            table.forget(address);
            freedReference.erase(address);
        }
        if (table.findFreed(address, e)) {
            const auto it = freedReference.find(address);
            ASSERT_NE(it, freedReference.end()) << address;
            ASSERT_EQ(e.size, it->second);
        }
    }
    EXPECT_EQ(table.size(), reference.size());
    std::uint64_t visited = 0;
    table.forEach([&](const LiveEntry& e) {
        ++visited;
        const auto it = reference.find(e.address);
        ASSERT_NE(it, reference.end());
        EXPECT_EQ(e.size, it->second);
    });
    EXPECT_EQ(visited, reference.size());
}

TEST(LiveTable, ConcurrentInsertsAndErasesFromEightThreads) {
    LiveTable table;
    constexpr std::uint64_t kThreads = 8;
    constexpr std::uint64_t kPerThread = 20000;
    std::vector<std::thread> threads;
    for (std::uint64_t t = 0; t < kThreads; ++t) {
        threads.emplace_back([&table, t] {
            const std::uint64_t base = (t + 1) << 32;
            LiveEntry e;
            for (std::uint64_t i = 0; i < kPerThread; ++i) {
                table.insert(entry(base + i * 16, t * kPerThread + i));
                // Free every other block as soon as the next one is in.
                if (i % 2 == 1) table.release(base + (i - 1) * 16, StackId{}, e);
            }
        });
    }
    for (std::thread& t : threads)
        t.join();
    EXPECT_EQ(table.size(), kThreads * kPerThread / 2);
    LiveEntry e;
    for (std::uint64_t t = 0; t < kThreads; ++t) {
        const std::uint64_t base = (t + 1) << 32;
        for (std::uint64_t i = 1; i < kPerThread; i += 2) {
            ASSERT_TRUE(table.find(base + i * 16, e));
            ASSERT_EQ(e.size, t * kPerThread + i);
        }
    }
}

} // namespace
} // namespace heapscope::recorder
