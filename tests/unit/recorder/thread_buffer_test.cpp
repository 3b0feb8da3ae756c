// tests/unit/recorder: per-thread buffers: append/swap, the wait on a full buffer, the registry,
// and a producer racing the writer's swaps without losing or reordering events.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "recorder/thread_buffer.h"

namespace heapscope::recorder {
namespace {

std::atomic<int> s_wakes{0};
void countWake() { s_wakes.fetch_add(1); }
bool neverDrains() { return false; }
constexpr ThreadBuffer::Drain kNoWriter{&countWake, &neverDrains};

void appendAt(ThreadBuffer& buffer, std::uint64_t timeNs, const ThreadBuffer::Drain& drain) {
    buffer.append([&](Event& e) { e = Event{timeNs, 0, 0, 0, EventKind::Free, 0}; }, drain);
}

TEST(ThreadBuffer, SwapReturnsEventsSinceLastSwap) {
    ThreadRegistry registry;
    ThreadBuffer* buffer = registry.create(100, "worker", 64);
    ASSERT_NE(buffer, nullptr);
    EXPECT_EQ(buffer->index(), ThreadIndex{0});
    EXPECT_STREQ(buffer->name(), "worker");
    appendAt(*buffer, 1, kNoWriter);
    appendAt(*buffer, 2, kNoWriter);
    auto first = buffer->swap();
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].ticks, 1u);
    EXPECT_EQ(first[1].ticks, 2u);
    appendAt(*buffer, 3, kNoWriter);
    auto second = buffer->swap();
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].ticks, 3u);
    EXPECT_TRUE(buffer->swap().empty());
    registry.retire(buffer);
}

TEST(ThreadBuffer, FullBufferDropsWhenNothingDrains) {
    ThreadRegistry registry;
    ThreadBuffer* buffer = registry.create(1, "", 0);
    ASSERT_NE(buffer, nullptr);
    s_wakes.store(0);
    for (std::uint64_t i = 0; i < ThreadBuffer::kCapacity; ++i) appendAt(*buffer, i, kNoWriter);
    EXPECT_EQ(s_wakes.load(), 1); // once, at half full
    EXPECT_TRUE(buffer->full());
    EXPECT_FALSE(buffer->append([](Event&) {}, kNoWriter));
    EXPECT_EQ(buffer->swap().size(), ThreadBuffer::kCapacity);
    registry.retire(buffer);
}

TEST(ThreadRegistry, IndicesAndKeepOnly) {
    ThreadRegistry registry;
    ThreadBuffer* a = registry.create(10, "a", 0);
    ThreadBuffer* b = registry.create(11, "b", 0);
    ThreadBuffer* c = registry.create(12, "c", 0);
    EXPECT_EQ(c->index(), ThreadIndex{2});
    int visited = 0;
    registry.forEach([&](ThreadBuffer&) { ++visited; });
    EXPECT_EQ(visited, 3);
    registry.retire(a);
    appendAt(*b, 5, kNoWriter);
    registry.keepOnly(b, 99); // a forked child whose only thread is b's
    std::vector<std::uint64_t> tids;
    registry.forEach([&](ThreadBuffer& t) { tids.push_back(t.tid()); });
    EXPECT_EQ(tids, std::vector<std::uint64_t>{99});
    EXPECT_EQ(b->index(), ThreadIndex{0});
    EXPECT_TRUE(b->swap().empty());
    EXPECT_EQ(registry.create(13, "d", 0)->index(), ThreadIndex{1});
}

std::atomic<bool> s_drainRequested{false};
bool requestDrain() {
    s_drainRequested.store(true);
    std::this_thread::yield();
    return true;
}
constexpr ThreadBuffer::Drain kPolledWriter{&countWake, &requestDrain};

TEST(ThreadBuffer, ConcurrentSwapsLoseAndReorderNothing) {
    ThreadRegistry registry;
    ThreadBuffer* buffer = registry.create(1, "", 0);
    ASSERT_NE(buffer, nullptr);
    constexpr std::uint64_t kEvents = 3 * ThreadBuffer::kCapacity + 123;
    std::atomic<bool> done{false};
    std::thread producer([&] {
        for (std::uint64_t i = 0; i < kEvents; ++i) appendAt(*buffer, i, kPolledWriter);
        done.store(true);
    });
    std::vector<std::uint64_t> seen;
    for (;;) {
        const bool finished = done.load();
        for (const Event& e : buffer->swap()) seen.push_back(e.ticks);
        if (finished) break;
        std::this_thread::yield();
    }
    producer.join();
    ASSERT_EQ(seen.size(), kEvents);
    for (std::uint64_t i = 0; i < kEvents; ++i) ASSERT_EQ(seen[i], i);
    registry.retire(buffer);
}

} // namespace
} // namespace heapscope::recorder
