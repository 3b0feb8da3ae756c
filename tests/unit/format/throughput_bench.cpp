// format benchmark (label "bench"): write and read rates and compressed bytes per Alloc+Free pair
// for a realistic stream. Prints the numbers; asserts only what is exact (record counts).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>

#include "format/reader.h"
#include "format/writer.h"
#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

constexpr std::uint64_t kPairs = 2'000'000;
constexpr std::uint32_t kStacks = 10;
constexpr std::uint32_t kSlots = 4096;        // live blocks at a time, their addresses reused
constexpr std::size_t kFrameBytes = 1u << 20; // the recorder flushes about this much at a time

// CPU time of this thread, so other load on the machine does not skew the rates.
double cpuSeconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// xorshift64: cheap enough not to weigh on the write rate.
struct Random {
    std::uint64_t state = 42;
    std::uint64_t operator()() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
};

// Allocations in a 2 MiB heap region, sizes 16-512, ~50 ns apart, runs of 256 records per
// thread (one drained thread buffer), each block freed when its slot is reused.
std::uint64_t writeStream(const std::string& path) {
    TraceWriter writer;
    EXPECT_TRUE(writer.open(path, sampleHeader()));
    for (std::uint32_t s = 1; s <= kStacks; ++s)
        writer.write(StackNodeRecord{StackId{s}, StackId{s / 2}, 0x401000 + s * 0x37});
    Random random;
    std::vector<std::uint64_t> live(kSlots, 0);
    std::uint64_t time = 0;
    std::uint64_t records = kStacks;
    for (std::uint64_t i = 0; i < kPairs; ++i) {
        const ThreadIndex thread{static_cast<std::uint32_t>((i / 128) % 4)};
        const std::uint32_t slot = static_cast<std::uint32_t>(random() % kSlots);
        time += 30 + random() % 41;
        if (live[slot] != 0) {
            writer.write(FreeRecord{thread, time, live[slot], AllocFamily::Malloc});
            ++records;
            time += 30 + random() % 41;
        }
        live[slot] = 0x555555560000 + slot * 528 + (random() % 2) * 16;
        writer.write(AllocRecord{thread, time, live[slot], 16 + random() % 497,
                                 StackId{1 + static_cast<std::uint32_t>(random() % kStacks)},
                                 AllocFamily::Malloc});
        ++records;
        if (writer.pendingBytes() >= kFrameBytes) {
            EXPECT_TRUE(writer.flush());
        }
    }
    writer.write(EndRecord{time});
    EXPECT_TRUE(writer.close());
    return records + 1;
}

struct ReadCounts {
    std::uint64_t records = 0;
    std::uint64_t allocs = 0;
    std::uint64_t fileSize = 0;
    ReadOutcome outcome = ReadOutcome::Reading;
};

ReadCounts readStream(const std::string& path) {
    ReadCounts counts;
    TraceReader reader;
    // Decoding on this thread, so that its CPU time counts it.
    reader.setPrefetchBytes(std::numeric_limits<std::uint64_t>::max());
    EXPECT_TRUE(reader.open(path)) << reader.error();
    Record r;
    while (reader.next(r)) {
        ++counts.records;
        counts.allocs += std::holds_alternative<AllocRecord>(r);
    }
    counts.fileSize = reader.fileSize();
    counts.outcome = reader.outcome();
    return counts;
}

// The best of a few runs: the least disturbed by other work on the machine.
constexpr int kRuns = 3;

TEST(Throughput, RealisticAllocFreeStream) {
    const std::string path = tempPath("bench.hst");
    std::uint64_t written = 0;
    double writeSeconds = 1e9;
    for (int run = 0; run < kRuns; ++run) {
        const double start = cpuSeconds();
        written = writeStream(path);
        writeSeconds = std::min(writeSeconds, cpuSeconds() - start);
    }
    ReadCounts counts;
    double readSeconds = 1e9;
    for (int run = 0; run < kRuns; ++run) {
        const double start = cpuSeconds();
        counts = readStream(path);
        readSeconds = std::min(readSeconds, cpuSeconds() - start);
    }
    EXPECT_EQ(ReadOutcome::Complete, counts.outcome);
    EXPECT_EQ(written, counts.records);
    EXPECT_EQ(kPairs, counts.allocs);

    const double pairs = static_cast<double>(written - kStacks - 1) / 2.0;
    std::printf("records: %llu, file: %llu bytes, %.2f bytes per Alloc+Free pair\n"
                "write: %.1f M records/s, read: %.1f M records/s (CPU time, best of %d)\n",
                static_cast<unsigned long long>(written),
                static_cast<unsigned long long>(counts.fileSize),
                static_cast<double>(counts.fileSize) / pairs,
                static_cast<double>(written) / writeSeconds / 1e6,
                static_cast<double>(counts.records) / readSeconds / 1e6, kRuns);
}

} // namespace
} // namespace heapscope::format::testing
