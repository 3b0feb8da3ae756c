// The registry of the recorder's own mappings: every mapping made through mapped_memory.h is
// known until it is unmapped, so the leak scan never takes it for the program's memory.
#include <gtest/gtest.h>

#include <cstdint>

#include "recorder/mapped_memory.h"
#include "recorder/own_mappings.h"

namespace heapscope::recorder {
namespace {

TEST(OwnMappings, AMappingIsKnownUntilItIsUnmapped) {
    constexpr std::size_t kBytes = 3 * 4096;
    void* mapping = mapZeroed(kBytes);
    ASSERT_NE(mapping, nullptr);
    const auto start = reinterpret_cast<std::uint64_t>(mapping);
    EXPECT_EQ(overlapsOwnMapping(start, start + kBytes), OwnMappingAnswer::Yes);
    EXPECT_EQ(overlapsOwnMapping(start + 4096, start + 4104), OwnMappingAnswer::Yes);
    EXPECT_EQ(overlapsOwnMapping(start - 4096, start + 1), OwnMappingAnswer::Yes);
    unmap(mapping, kBytes);
    EXPECT_EQ(overlapsOwnMapping(start, start + kBytes), OwnMappingAnswer::No);
}

TEST(OwnMappings, MemoryNeverMappedByTheRecorderIsNotItsOwn) {
    int local = 0;
    const auto address = reinterpret_cast<std::uint64_t>(&local);
    EXPECT_EQ(overlapsOwnMapping(address, address + sizeof local), OwnMappingAnswer::No);
}

TEST(OwnMappings, ForgottenSlotsAreReused) {
    // Far more mappings over time than the registry has slots, never more than two at once.
    for (int i = 0; i < 100000; ++i) {
        void* a = mapZeroed(4096);
        void* b = mapZeroed(4096);
        ASSERT_NE(a, nullptr);
        ASSERT_NE(b, nullptr);
        unmap(a, 4096);
        unmap(b, 4096);
    }
    void* last = mapZeroed(4096);
    const auto start = reinterpret_cast<std::uint64_t>(last);
    EXPECT_EQ(overlapsOwnMapping(start, start + 4096), OwnMappingAnswer::Yes);
    unmap(last, 4096);
}

} // namespace
} // namespace heapscope::recorder
