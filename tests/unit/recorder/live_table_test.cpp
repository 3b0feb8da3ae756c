// tests/unit/recorder: the live table: insert/find/erase, growth, backward-shift deletion
// against a reference map, iteration, and concurrent use from 8 threads.
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
    return LiveEntry{address, size, StackId{stack}, ThreadIndex{3}, AllocFamily::NewArray};
}

TEST(LiveTable, InsertFindErase) {
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

    LiveEntry erased;
    ASSERT_TRUE(table.erase(0x1000, erased));
    EXPECT_EQ(erased.size, 10u);
    EXPECT_FALSE(table.find(0x1000, found));
    EXPECT_FALSE(table.erase(0x1000, erased));
    EXPECT_EQ(table.size(), 1u);
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
    for (std::uint64_t i = 1; i <= kCount; ++i) ASSERT_TRUE(table.insert(entry(i * 16, i)));
    EXPECT_EQ(table.size(), kCount);
    LiveEntry e;
    for (std::uint64_t i = 2; i <= kCount; i += 2) ASSERT_TRUE(table.erase(i * 16, e));
    EXPECT_EQ(table.size(), kCount / 2);
    for (std::uint64_t i = 1; i <= kCount; ++i) {
        const bool live = table.find(i * 16, e);
        ASSERT_EQ(live, i % 2 == 1) << i;
        if (live) {
            ASSERT_EQ(e.size, i);
        }
    }
}

TEST(LiveTable, MatchesReferenceMapUnderRandomChurn) {
    // Few distinct addresses and many operations: long probe runs and many backward shifts.
    LiveTable table;
    std::unordered_map<std::uint64_t, std::uint64_t> reference;
    std::mt19937_64 rng(12345);
    for (int op = 0; op < 300000; ++op) {
        const std::uint64_t address = (rng() % 5000 + 1) * 16;
        LiveEntry e;
        if (rng() % 2 == 0) {
            const std::uint64_t size = rng() % 1000;
            ASSERT_TRUE(table.insert(entry(address, size)));
            reference[address] = size;
        } else {
            const bool erased = table.erase(address, e);
            const auto it = reference.find(address);
            ASSERT_EQ(erased, it != reference.end());
            if (erased) {
                ASSERT_EQ(e.size, it->second);
                reference.erase(it);
            }
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
                // Erase every other block as soon as the next one is in.
                if (i % 2 == 1) table.erase(base + (i - 1) * 16, e);
            }
        });
    }
    for (std::thread& t : threads) t.join();
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
