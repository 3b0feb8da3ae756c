// tests/unit/recorder: the recently-freed record (insert/find/forget, replacement of an
// address's older record, bounded size with the newest records kept, concurrent use) and the
// error path's check for addresses that cannot be heap blocks.
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <thread>
#include <vector>

#include "recorder/foreign_address.h"
#include "recorder/freed_blocks.h"

namespace heapscope::recorder {
namespace {

using format::AllocFamily;

FreedBlock block(std::uint64_t address, std::uint64_t size = 48, std::uint32_t freeStack = 9) {
    return FreedBlock{address, size, StackId{7}, StackId{freeStack}, 0, AllocFamily::New};
}

TEST(FreedBlocks, InsertFindForget) {
    FreedBlocks freed;
    freed.insert(block(0x1000));
    freed.insert(block(0x2000, 64, 11));
    FreedBlock out;
    ASSERT_TRUE(freed.find(0x2000, out));
    EXPECT_EQ(out.address, 0x2000u);
    EXPECT_EQ(out.size, 64u);
    EXPECT_EQ(out.allocStack, StackId{7});
    EXPECT_EQ(out.freeStack, StackId{11});
    EXPECT_EQ(out.family, AllocFamily::New);
    ASSERT_TRUE(freed.find(0x1000, out));
    EXPECT_EQ(out.size, 48u);
    EXPECT_FALSE(freed.find(0x3000, out));
    EXPECT_FALSE(freed.find(0x1010, out)); // an interior pointer is no record
    EXPECT_FALSE(freed.find(0, out));

    freed.forget(0x1000);
    EXPECT_FALSE(freed.find(0x1000, out));
    EXPECT_TRUE(freed.find(0x2000, out));
    freed.forget(0x5000); // not recorded: nothing happens
}

TEST(FreedBlocks, ANewerFreeOfTheSameAddressReplacesTheOlder) {
    FreedBlocks freed(1);
    freed.insert(block(0x1000, 16, 1));
    freed.insert(block(0x1000, 32, 2));
    FreedBlock out;
    ASSERT_TRUE(freed.find(0x1000, out));
    EXPECT_EQ(out.size, 32u);
    EXPECT_EQ(out.freeStack, StackId{2});
    // One record, not two: forgetting it once leaves nothing.
    freed.forget(0x1000);
    EXPECT_FALSE(freed.find(0x1000, out));
}

TEST(FreedBlocks, BoundedAndKeepsTheNewest) {
    FreedBlocks freed(1); // 64 shards x 1 bucket x 4 ways
    ASSERT_EQ(freed.capacity(), 256u);
    constexpr std::uint64_t kBlocks = 100'000;
    for (std::uint64_t i = 1; i <= kBlocks; ++i)
        freed.insert(block(i * 16));
    std::uint64_t kept = 0;
    FreedBlock out;
    for (std::uint64_t i = 1; i <= kBlocks; ++i)
        kept += freed.find(i * 16, out) ? 1 : 0;
    EXPECT_EQ(kept, freed.capacity());
    // The last few frees can share at most a bucket of four: all of them are kept.
    for (std::uint64_t i = kBlocks - 3; i <= kBlocks; ++i)
        EXPECT_TRUE(freed.find(i * 16, out));
    EXPECT_FALSE(freed.find(16, out));
}

TEST(FreedBlocks, AnEntryOutlivesFewerThanFourLaterFrees) {
    FreedBlocks freed(1);
    for (std::uint64_t round = 0; round < 1000; ++round) {
        const std::uint64_t first = 0x100000 + round * 0x1000;
        freed.insert(block(first));
        for (std::uint64_t i = 1; i <= 3; ++i)
            freed.insert(block(first + i * 16));
        FreedBlock out;
        ASSERT_TRUE(freed.find(first, out)) << round;
    }
}

// Threads store, look up and forget at once; a record read back is never torn.
TEST(FreedBlocks, ConcurrentUse) {
    FreedBlocks freed(8);
    constexpr int kThreads = 4;
    constexpr std::uint64_t kPerThread = 20'000;
    std::vector<std::thread> threads;
    std::vector<std::uint64_t> torn(kThreads, 0);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const std::uint64_t base = (static_cast<std::uint64_t>(t) + 1) << 32;
            for (std::uint64_t i = 1; i <= kPerThread; ++i) {
                const std::uint64_t address = base + i * 16;
                freed.insert(FreedBlock{address, address ^ 0x5a5a, StackId{1}, StackId{2}, 0,
                                        AllocFamily::Malloc});
                FreedBlock out;
                const std::uint64_t other = ((i % kThreads) + 1) << 32 | ((i / 2) * 16);
                if (freed.find(other, out) && out.size != (out.address ^ 0x5a5a)) ++torn[t];
                if (i % 3 == 0) freed.forget(address);
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    for (int t = 0; t < kThreads; ++t)
        EXPECT_EQ(torn[t], 0u);
}

char g_static[64 * 1024]; // mostly past the file-backed pages: anonymous .bss memory

TEST(ForeignAddress, StackStaticAndUnmappedAreNoHeap) {
    char local[16] = {};
    const auto ownStack = reinterpret_cast<std::uint64_t>(__builtin_frame_address(0));
    EXPECT_TRUE(certainlyNotHeap(reinterpret_cast<std::uint64_t>(local), ownStack));
    EXPECT_TRUE(certainlyNotHeap(reinterpret_cast<std::uint64_t>(g_static), ownStack));
    EXPECT_TRUE(certainlyNotHeap(reinterpret_cast<std::uint64_t>(g_static + 60 * 1024), ownStack));
    EXPECT_TRUE(certainlyNotHeap(16, ownStack)); // page 0 is never mapped
}

TEST(ForeignAddress, HeapAndAnonymousMemoryMayBeBlocks) {
    const auto ownStack = reinterpret_cast<std::uint64_t>(__builtin_frame_address(0));
    void* small = std::malloc(32);
    void* large = std::malloc(1 << 20); // served by its own anonymous mapping
    void* mapped =
        mmap(nullptr, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mapped, MAP_FAILED);
    EXPECT_FALSE(certainlyNotHeap(reinterpret_cast<std::uint64_t>(small), ownStack));
    EXPECT_FALSE(certainlyNotHeap(reinterpret_cast<std::uint64_t>(large), ownStack));
    EXPECT_FALSE(certainlyNotHeap(reinterpret_cast<std::uint64_t>(mapped) + 100, ownStack));
    munmap(mapped, 1 << 16);
    std::free(large);
    std::free(small);
}

} // namespace
} // namespace heapscope::recorder
