// tests/unit/recorder: the error path's check for addresses that cannot be heap blocks (stack,
// static data, unmapped pages) against ones that may be (heap, anonymous mappings).
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

#include "recorder/foreign_address.h"

namespace heapscope::recorder {
namespace {

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
