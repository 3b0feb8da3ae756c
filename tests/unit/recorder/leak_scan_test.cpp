// tests (recorder): the leak scan's flood fill on blocks carved out of one buffer (so their
// address order is known), with a root array of the test's choosing; and the world stop on
// real threads.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "recorder/leak_scan.h"
#include "recorder/world_stop.h"

namespace heapscope::recorder {
namespace {

using format::LeakKind;

// Blocks of 64 bytes at known, increasing addresses inside one aligned buffer.
class Heap {
public:
    static constexpr std::size_t kBlock = 64;
    static constexpr std::size_t kCount = 16;

    std::uint64_t at(std::size_t i) const {
        return reinterpret_cast<std::uint64_t>(m_bytes + i * kBlock);
    }
    // Stores a pointer to block `to` (plus offset) in word `word` of block `from`.
    void link(std::size_t from, std::size_t word, std::size_t to, std::uint64_t offset = 0) {
        const std::uint64_t value = at(to) + offset;
        std::memcpy(m_bytes + from * kBlock + word * 8, &value, 8);
    }

private:
    alignas(64) unsigned char m_bytes[kBlock * kCount] = {};
};

class LeakScanTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(m_memory.load()); }

    // Scans blocks 0..count-1 with m_roots as the only root range.
    void scan(std::size_t count) {
        ASSERT_TRUE(m_scan.reserve(count));
        for (std::size_t i = count; i-- > 0;)
            m_scan.addBlock(m_heap.at(i), Heap::kBlock);
        ScanRoots roots;
        const auto start = reinterpret_cast<std::uint64_t>(m_roots);
        roots.ranges.add(start, start + sizeof m_roots);
        m_scan.run(roots, m_memory);
    }
    // The scan's index of block i (the scan sorts by address, and so are the blocks).
    LeakKind kind(std::size_t i) const { return m_scan.kind(i); }
    std::uint64_t owner(std::size_t i) const { return m_scan.owner(i); }

    Heap m_heap;
    std::uint64_t m_roots[4] = {};
    ReadableMemory m_memory;
    LeakScan m_scan;
};

TEST_F(LeakScanTest, AMappedRootIsScannedBetweenItsBlocksOnly) {
    // Blocks 1, 3, 4 and 6; the rest of the buffer is the program's own pool memory, a mapped
    // root that holds blocks 1, 3 and 4.
    m_heap.link(0, 0, 3); // pool memory before block 1: keeps block 3
    m_heap.link(1, 0, 4); // inside block 1, which nothing keeps: block 4 is lost through it
    m_heap.link(5, 0, 6); // pool memory after block 4: keeps block 6
    ASSERT_TRUE(m_scan.reserve(4));
    for (const std::size_t i : {1, 3, 4, 6})
        m_scan.addBlock(m_heap.at(i), Heap::kBlock);
    ScanRoots roots;
    roots.mapped.add(m_heap.at(0), m_heap.at(6));
    m_scan.run(roots, m_memory);
    EXPECT_EQ(kind(0), LeakKind::DefinitelyLost); // block 1
    EXPECT_EQ(kind(1), LeakKind::StillReachable); // block 3
    EXPECT_EQ(kind(2), LeakKind::IndirectlyLost); // block 4
    EXPECT_EQ(owner(2), m_heap.at(1));
    EXPECT_EQ(kind(3), LeakKind::StillReachable); // block 6
}

TEST_F(LeakScanTest, KindsFollowMemchecksRules) {
    m_roots[0] = m_heap.at(0);     // 0 reachable
    m_heap.link(0, 0, 1);          // 1 reachable through 0
    m_roots[1] = m_heap.at(2) + 8; // 2 only through an interior pointer: possibly lost
    m_heap.link(2, 0, 3);          // 3 from a possibly lost block: possibly lost at best
    m_heap.link(4, 0, 5);          // 4 lost, 5 only from it: indirectly lost, owned by 4
    m_heap.link(5, 1, 6, 16);      // 6 reached inside from 5: indirectly lost too
    scan(8);                       // 7 lost alone
    EXPECT_EQ(kind(0), LeakKind::StillReachable);
    EXPECT_EQ(kind(1), LeakKind::StillReachable);
    EXPECT_EQ(kind(2), LeakKind::PossiblyLost);
    EXPECT_EQ(kind(3), LeakKind::PossiblyLost);
    EXPECT_EQ(kind(4), LeakKind::DefinitelyLost);
    EXPECT_EQ(kind(5), LeakKind::IndirectlyLost);
    EXPECT_EQ(kind(6), LeakKind::IndirectlyLost);
    EXPECT_EQ(kind(7), LeakKind::DefinitelyLost);
    EXPECT_EQ(owner(5), m_heap.at(4));
    EXPECT_EQ(owner(6), m_heap.at(4));
    EXPECT_EQ(owner(4), 0u);
    EXPECT_EQ(owner(0), 0u);
    const auto totals = m_scan.totals();
    EXPECT_EQ(totals[static_cast<int>(LeakKind::StillReachable)], (format::LeakTotal{128, 2}));
    EXPECT_EQ(totals[static_cast<int>(LeakKind::PossiblyLost)], (format::LeakTotal{128, 2}));
    EXPECT_EQ(totals[static_cast<int>(LeakKind::IndirectlyLost)], (format::LeakTotal{128, 2}));
    EXPECT_EQ(totals[static_cast<int>(LeakKind::DefinitelyLost)], (format::LeakTotal{128, 2}));
}

TEST_F(LeakScanTest, AStartPointerFromAReachableBlockUpgradesAPossibleOne) {
    m_roots[0] = m_heap.at(0) + 8; // 0 possibly lost
    m_heap.link(0, 0, 1);          // would make 1 possibly lost ...
    m_roots[1] = m_heap.at(2);     // ... but 2 is reachable and points at 1's start
    m_heap.link(2, 0, 1);
    scan(3);
    EXPECT_EQ(kind(0), LeakKind::PossiblyLost);
    EXPECT_EQ(kind(1), LeakKind::StillReachable);
    EXPECT_EQ(kind(2), LeakKind::StillReachable);
}

TEST_F(LeakScanTest, ALostCycleHasOneDefiniteBlockAtItsLowestAddress) {
    m_heap.link(0, 0, 1);
    m_heap.link(1, 0, 2);
    m_heap.link(2, 0, 0);
    scan(3);
    EXPECT_EQ(kind(0), LeakKind::DefinitelyLost);
    EXPECT_EQ(kind(1), LeakKind::IndirectlyLost);
    EXPECT_EQ(kind(2), LeakKind::IndirectlyLost);
    EXPECT_EQ(owner(1), m_heap.at(0));
    EXPECT_EQ(owner(2), m_heap.at(0));
}

TEST_F(LeakScanTest, AnEarlierCliqueJoinsTheCliqueThatReachesIt) {
    m_heap.link(0, 0, 1); // clique of 0 (with 1) is found first ...
    m_heap.link(2, 0, 0); // ... then 2 reaches 0: 2 is the one definitely lost
    scan(3);
    EXPECT_EQ(kind(0), LeakKind::IndirectlyLost);
    EXPECT_EQ(kind(1), LeakKind::IndirectlyLost);
    EXPECT_EQ(kind(2), LeakKind::DefinitelyLost);
    EXPECT_EQ(owner(0), m_heap.at(2));
    EXPECT_EQ(owner(1), m_heap.at(2)); // through 0, which is no longer definite
}

TEST_F(LeakScanTest, AnchorsKeepTheBlockTheyPointInside) {
    ASSERT_TRUE(m_scan.reserve(2));
    m_scan.addBlock(m_heap.at(0), Heap::kBlock);
    m_scan.addBlock(m_heap.at(1), Heap::kBlock);
    m_heap.link(0, 0, 1);
    ScanRoots roots;
    roots.anchors.add(m_heap.at(0) + 24, m_heap.at(0) + 24);
    m_scan.run(roots, m_memory);
    EXPECT_EQ(m_scan.kind(0), LeakKind::StillReachable);
    EXPECT_EQ(m_scan.kind(1), LeakKind::StillReachable);
}

TEST_F(LeakScanTest, MallocChunkHeaderPastABlocksEndIsNoPointerIntoIt) {
    // A 40-byte block: glibc's next chunk header starts 8 bytes before its end.
    ASSERT_TRUE(m_scan.reserve(1));
    m_scan.addBlock(m_heap.at(0), 40);
    m_roots[0] = m_heap.at(0) + 32;
    ScanRoots roots;
    const auto start = reinterpret_cast<std::uint64_t>(m_roots);
    roots.ranges.add(start, start + sizeof m_roots);
    m_scan.run(roots, m_memory);
    EXPECT_EQ(m_scan.kind(0), LeakKind::DefinitelyLost);
}

TEST_F(LeakScanTest, BlocksBeyondTheReservationAreCountedAsDropped) {
    ASSERT_TRUE(m_scan.reserve(1));
    m_scan.addBlock(m_heap.at(0), 8);
    m_scan.addBlock(m_heap.at(1), 8);
    EXPECT_EQ(m_scan.blockCount(), 1u);
    EXPECT_EQ(m_scan.droppedBlocks(), 1u);
}

TEST(ReadableMemory, KnowsTheStackAndNotAddressZero) {
    ReadableMemory memory;
    ASSERT_TRUE(memory.load());
    int local = 0;
    const auto address = reinterpret_cast<std::uint64_t>(&local);
    AddressRange range;
    EXPECT_TRUE(memory.mappingOf(address, range));
    EXPECT_LE(range.start, address);
    EXPECT_GT(range.end, address);
    EXPECT_FALSE(memory.contains(0, 8));
}

pid_t currentTid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

TEST(WorldStop, StopsOtherThreadsAndCapturesTheirStacks) {
    std::atomic<bool> go{false};
    std::atomic<int> started{0};
    std::atomic<std::uint64_t> stackAddress[2] = {};
    std::atomic<pid_t> tids[2] = {};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
        threads.emplace_back([&, i] {
            int marker = 0;
            stackAddress[i] = reinterpret_cast<std::uint64_t>(&marker);
            tids[i] = currentTid();
            started.fetch_add(1);
            while (!go.load())
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        });
    }
    while (started.load() < 2)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    {
        WorldStop world(0);
        ASSERT_GE(world.count(), 2u);
        for (int i = 0; i < 2; ++i) {
            bool found = false;
            for (std::size_t t = 0; t < world.count(); ++t) {
                const StoppedThread& s = world.thread(t);
                if (s.tid != tids[i].load()) continue;
                found = true;
                EXPECT_EQ(s.answered.load(), 1u);
                // Stopped below the frame holding marker, within its stack.
                EXPECT_LT(s.sp, stackAddress[i].load());
                EXPECT_GT(s.sp + (1u << 20), stackAddress[i].load());
                EXPECT_NE(s.threadPointer, 0u);
                EXPECT_GT(s.registerCount, 0u);
            }
            EXPECT_TRUE(found) << "thread " << i;
        }
    }
    go.store(true);
    for (auto& t : threads)
        t.join();
}

TEST(WorldStop, AThreadBlockingTheSignalIsReportedUnansweredWithoutHanging) {
    std::atomic<bool> go{false};
    std::atomic<bool> ready{false};
    std::atomic<pid_t> tid{0};
    std::thread blocked([&] {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, nullptr);
        tid = currentTid();
        ready = true;
        while (!go.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    while (!ready.load())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    {
        WorldStop world(0);
        bool found = false;
        for (std::size_t t = 0; t < world.count(); ++t) {
            if (world.thread(t).tid != tid.load()) continue;
            found = true;
            EXPECT_EQ(world.thread(t).answered.load(), 0u);
        }
        EXPECT_TRUE(found);
    }
    go.store(true);
    blocked.join();
}

} // namespace
} // namespace heapscope::recorder
