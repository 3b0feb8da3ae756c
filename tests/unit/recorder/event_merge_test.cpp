// tests/unit/recorder: the writer thread's merge: events of several threads come out in time
// order, events at or after the cycle's start are held back and merged with the next cycle.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "recorder/event_merge.h"

namespace heapscope::recorder {
namespace {

Event at(std::uint64_t timeNs) { return Event{timeNs, timeNs * 16, 1, 0, EventKind::Alloc, 0}; }

using Emitted = std::vector<std::pair<std::uint32_t, std::uint64_t>>; // thread, time

Emitted emit(EventMerger& merger, std::uint64_t limit) {
    Emitted out;
    merger.emitBefore(limit, [&](ThreadIndex thread, const Event& e) {
        out.emplace_back(thread.value, e.ticks);
    });
    return out;
}

TEST(EventMerger, MergesThreadsByTime) {
    EventMerger merger;
    const std::vector<Event> a = {at(1), at(4), at(7)};
    const std::vector<Event> b = {at(2), at(3), at(9)};
    const std::vector<Event> c = {at(5), at(6), at(8)};
    merger.add(ThreadIndex{0}, a);
    merger.add(ThreadIndex{1}, b);
    merger.add(ThreadIndex{2}, c);
    const Emitted expected = {{0, 1}, {1, 2}, {1, 3}, {0, 4}, {2, 5},
                              {2, 6}, {0, 7}, {2, 8}, {1, 9}};
    EXPECT_EQ(emit(merger, ~std::uint64_t{0}), expected);
    EXPECT_EQ(merger.pendingEvents(), 0u);
}

TEST(EventMerger, EqualTimesOrderedByThreadIndex) {
    EventMerger merger;
    const std::vector<Event> run = {at(5)};
    merger.add(ThreadIndex{2}, run);
    merger.add(ThreadIndex{0}, run);
    merger.add(ThreadIndex{1}, run);
    EXPECT_EQ(emit(merger, 100), (Emitted{{0, 5}, {1, 5}, {2, 5}}));
}

TEST(EventMerger, HoldsBackEventsAtOrAfterTheLimit) {
    EventMerger merger;
    const std::vector<Event> a1 = {at(10), at(20), at(30)};
    const std::vector<Event> b1 = {at(15), at(25)};
    merger.add(ThreadIndex{0}, a1);
    merger.add(ThreadIndex{1}, b1);
    // Cycle 1 started at 25: 25 and 30 may still have older company from other threads.
    EXPECT_EQ(emit(merger, 25), (Emitted{{0, 10}, {1, 15}, {0, 20}}));
    EXPECT_EQ(merger.pendingEvents(), 2u);

    // Cycle 2: thread 2 appended an event stamped 24 just before cycle 1's swap reached it,
    // and more events arrived; the held-back ones merge with them.
    const std::vector<Event> a2 = {at(31), at(50)};
    const std::vector<Event> c2 = {at(24), at(28)};
    merger.add(ThreadIndex{0}, a2);
    merger.add(ThreadIndex{2}, c2);
    EXPECT_EQ(emit(merger, 40), (Emitted{{2, 24}, {1, 25}, {2, 28}, {0, 30}, {0, 31}}));
    EXPECT_EQ(merger.pendingEvents(), 1u);
    EXPECT_EQ(emit(merger, 51), (Emitted{{0, 50}}));
    EXPECT_EQ(merger.pendingEvents(), 0u);
}

TEST(EventMerger, ClearDropsPendingEvents) {
    EventMerger merger;
    const std::vector<Event> a = {at(10), at(20)};
    merger.add(ThreadIndex{0}, a);
    merger.clear();
    EXPECT_EQ(merger.pendingEvents(), 0u);
    EXPECT_TRUE(emit(merger, 100).empty());
}

} // namespace
} // namespace heapscope::recorder
