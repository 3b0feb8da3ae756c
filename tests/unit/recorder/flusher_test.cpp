// tests/unit/recorder: the writer thread end to end: four threads allocate and free each
// other's blocks while it drains; the trace must hold every event in one time order (every free
// after its alloc), the stack nodes before their use, and exact live statistics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "format/reader.h"
#include "recorder/event_clock.h"
#include "recorder/flusher.h"

namespace heapscope::recorder {
namespace {

Flusher* s_flusher = nullptr;

void wakeWriter() { s_flusher->wake(); }

bool waitForWriter() {
    if (!s_flusher->running()) return false;
    s_flusher->wake();
    std::this_thread::yield();
    return true;
}

constexpr ThreadBuffer::Drain kDrain{&wakeWriter, &waitForWriter};

// Events carry the ticks a preloaded recorder stamps: the TSC's where the kernel keeps time
// with it, so the writer's conversion to nanoseconds is under test too.
void useTheRecordersClock() { chooseEventClock(true); }

void append(ThreadBuffer& buffer, EventKind kind, std::uint64_t address, std::uint32_t stack) {
    buffer.append([&](Event& e) { e = Event{eventTicks(), address, 16, stack, kind, 0}; }, kDrain);
}

TEST(Flusher, WritesAllThreadsInOneTimeOrder) {
    useTheRecordersClock();
    constexpr int kThreads = 4;
    constexpr std::uint64_t kPerThread = 40000; // more than two buffer halves: full-buffer waits
    ThreadRegistry registry;
    StackTrie trie;
    Flusher flusher(registry, trie, FlusherSettings{10, 10, nullptr});
    s_flusher = &flusher;
    // The pid keeps parallel runs of this test (several build trees) off each other's file.
    const std::string path =
        testing::TempDir() + "heapscope_flusher_test." + std::to_string(getpid()) + ".hst";
    format::TraceHeader header;
    header.pid = 1;
    header.executable = "/bin/test";
    ASSERT_TRUE(flusher.open(path, header, monotonicNowNs(), LiveStats{}));
    ASSERT_TRUE(flusher.startThread());

    std::mutex poolMutex;
    std::deque<std::uint64_t> pool; // blocks any thread may free
    std::vector<std::thread> threads;
    std::atomic<std::uint64_t> frees{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            ThreadBuffer* buffer = registry.create(1000 + t, "producer", 0);
            append(*buffer, EventKind::ThreadStart, 0, 0);
            const std::uintptr_t frames[] = {0x1000u + static_cast<std::uintptr_t>(t), 0x2000};
            const StackId stack = trie.intern(frames, 2);
            for (std::uint64_t i = 0; i < kPerThread; ++i) {
                const std::uint64_t address = (std::uint64_t(t + 1) << 32) + i * 16;
                append(*buffer, EventKind::Alloc, address, stack.value);
                std::uint64_t victim = 0;
                {
                    std::lock_guard<std::mutex> lock(poolMutex);
                    pool.push_back(address);
                    if (i % 3 != 0) {
                        victim = pool.front();
                        pool.pop_front();
                    }
                }
                if (victim != 0) {
                    append(*buffer, EventKind::Free, victim, 0);
                    frees.fetch_add(1);
                }
            }
            buffer->markEnded();
        });
    }
    for (std::thread& t : threads)
        t.join();

    ASSERT_TRUE(flusher.waitForCycleAfter(eventTicks()));
    const LiveStats stats = flusher.stats();
    const std::uint64_t allocs = kThreads * kPerThread;
    EXPECT_EQ(stats.totalAllocations, allocs);
    EXPECT_EQ(stats.totalBytes, allocs * 16);
    EXPECT_EQ(stats.liveBlocks, allocs - frees.load());
    EXPECT_EQ(stats.liveBytes, (allocs - frees.load()) * 16);
    EXPECT_GE(stats.peakBytes, stats.liveBytes);
    flusher.stop();

    format::TraceReader reader;
    ASSERT_TRUE(reader.open(path)) << reader.error();
    format::Record record;
    std::set<std::uint64_t> live;
    std::set<std::uint32_t> nodes;
    std::uint64_t lastTime = 0;
    std::uint64_t allocRecords = 0;
    std::uint64_t freeRecords = 0;
    int threadRecords = 0;
    int endRecords = 0;
    while (reader.next(record)) {
        if (const auto* a = std::get_if<format::AllocRecord>(&record)) {
            ASSERT_GE(a->timeNs, lastTime);
            lastTime = a->timeNs;
            ASSERT_TRUE(nodes.count(a->stack.value)) << "stack used before its node";
            ASSERT_TRUE(live.insert(a->address).second);
            ++allocRecords;
        } else if (const auto* f = std::get_if<format::FreeRecord>(&record)) {
            ASSERT_GE(f->timeNs, lastTime);
            lastTime = f->timeNs;
            ASSERT_EQ(live.erase(f->address), 1u) << "free before its alloc";
            ++freeRecords;
        } else if (const auto* n = std::get_if<format::StackNodeRecord>(&record)) {
            nodes.insert(n->id.value);
        } else if (const auto* th = std::get_if<format::ThreadRecord>(&record)) {
            EXPECT_EQ(th->name, "producer");
            ++threadRecords;
        } else if (std::holds_alternative<format::EndRecord>(record)) {
            ++endRecords;
        }
    }
    EXPECT_EQ(reader.outcome(), format::ReadOutcome::Complete) << reader.error();
    EXPECT_EQ(allocRecords, allocs);
    EXPECT_EQ(freeRecords, frees.load());
    EXPECT_EQ(nodes.size(), 5u); // the shared outer frame and one inner frame per thread
    EXPECT_EQ(threadRecords, kThreads);
    EXPECT_EQ(endRecords, 1);
    std::remove(path.c_str());
}

// A heap error is two events appended at once (Error, ErrorDetail); the writer turns each pair
// into one ErrorRecord, also when the buffers are swapped many times around them.
TEST(Flusher, NotedRecordsComeAfterEveryEarlierEventAndBeforeEveryLaterOne) {
    useTheRecordersClock();
    ThreadRegistry registry;
    StackTrie trie;
    Flusher flusher(registry, trie, FlusherSettings{10, 10, nullptr});
    s_flusher = &flusher;
    const std::string path =
        testing::TempDir() + "heapscope_flusher_noted." + std::to_string(getpid()) + ".hst";
    ASSERT_TRUE(flusher.open(path, format::TraceHeader{}, monotonicNowNs(), LiveStats{}));
    ASSERT_TRUE(flusher.startThread());
    ThreadBuffer* buffer = registry.create(3000, "main", 0);
    append(*buffer, EventKind::ThreadStart, 0, 0);
    // Many rounds, so some notes land while the writer is in the middle of a cycle.
    constexpr int kRounds = 2000;
    for (int i = 0; i < kRounds; ++i) {
        append(*buffer, EventKind::Alloc, 0x1000 + i * 64, 0);
        flusher.noteRecording(i % 2 != 0, eventTicks());
        if (i % 100 == 0) flusher.noteMark("m" + std::to_string(i), eventTicks());
    }
    buffer->markEnded();
    flusher.stop();

    format::TraceReader reader;
    ASSERT_TRUE(reader.open(path)) << reader.error();
    format::Record record;
    std::vector<std::string> seen;
    while (reader.next(record)) {
        if (const auto* a = std::get_if<format::AllocRecord>(&record)) {
            seen.push_back("alloc " + std::to_string((a->address - 0x1000) / 64));
        } else if (const auto* r = std::get_if<format::RecordingRecord>(&record)) {
            seen.push_back(r->on ? "on" : "off");
        } else if (const auto* m = std::get_if<format::MarkRecord>(&record)) {
            seen.push_back("mark " + m->name);
        }
    }
    std::vector<std::string> expected;
    for (int i = 0; i < kRounds; ++i) {
        expected.push_back("alloc " + std::to_string(i));
        expected.push_back(i % 2 != 0 ? "on" : "off");
        if (i % 100 == 0) expected.push_back("mark m" + std::to_string(i));
    }
    EXPECT_EQ(seen, expected);
}

TEST(Flusher, ErrorEventPairsBecomeErrorRecords) {
    useTheRecordersClock();
    constexpr int kThreads = 2;
    constexpr std::uint64_t kErrors = 20000; // with an alloc each: several buffer swaps
    ThreadRegistry registry;
    StackTrie trie;
    Flusher flusher(registry, trie, FlusherSettings{10, 10, nullptr});
    s_flusher = &flusher;
    const std::string path =
        testing::TempDir() + "heapscope_flusher_errors." + std::to_string(getpid()) + ".hst";
    ASSERT_TRUE(flusher.open(path, format::TraceHeader{}, monotonicNowNs(), LiveStats{}));
    ASSERT_TRUE(flusher.startThread());
    const std::uintptr_t frames[] = {0x1000, 0x2000, 0x3000};
    const StackId bad = trie.intern(frames, 1);
    const StackId alloc = trie.intern(frames + 1, 1);
    const StackId freed = trie.intern(frames + 2, 1);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            ThreadBuffer* buffer = registry.create(2000 + t, "errors", 0);
            append(*buffer, EventKind::ThreadStart, 0, 0);
            for (std::uint64_t i = 0; i < kErrors; ++i) {
                const std::uint64_t address = (std::uint64_t(t + 1) << 32) + i * 16;
                append(*buffer, EventKind::Alloc, address, alloc.value);
                buffer->appendEvents<2>(
                    [&](Event* e) {
                        const std::uint64_t now = eventTicks();
                        e[0] = Event{now,
                                     address,
                                     i,
                                     bad.value,
                                     EventKind::Error,
                                     static_cast<std::uint8_t>(i % format::kErrorKindCount)};
                        e[1] =
                            Event{now, i % 64, freed.value, alloc.value, EventKind::ErrorDetail, 0};
                    },
                    kDrain);
            }
            buffer->markEnded();
        });
    }
    for (std::thread& t : threads)
        t.join();
    flusher.stop();

    format::TraceReader reader;
    ASSERT_TRUE(reader.open(path)) << reader.error();
    format::Record record;
    std::uint64_t errors = 0;
    while (reader.next(record)) {
        const auto* e = std::get_if<format::ErrorRecord>(&record);
        if (e == nullptr) continue;
        const std::uint64_t i = e->size;
        ASSERT_EQ(e->address & 0xffffffffu, i * 16);
        ASSERT_EQ(static_cast<std::uint64_t>(e->kind), i % format::kErrorKindCount);
        ASSERT_EQ(e->stack, bad);
        ASSERT_EQ(e->allocStack, alloc);
        ASSERT_EQ(e->freeStack, freed);
        ASSERT_EQ(e->offset, i % 64);
        ++errors;
    }
    EXPECT_EQ(reader.outcome(), format::ReadOutcome::Complete) << reader.error();
    EXPECT_EQ(errors, kThreads * kErrors);
    std::remove(path.c_str());
}

} // namespace
} // namespace heapscope::recorder
