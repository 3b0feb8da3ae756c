// bench/long_trace: long recordings. `generate` writes a trace of N alloc/free events (bounded
// live set, 4096 stacks, 4 threads, a frame per 100 ms of trace time as the recorder writes
// them) through format::TraceWriter; `window` opens a time window of it with or without the
// trace index and prints the time taken and the window's figures.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "analysis/window.h"
#include "format/writer.h"

namespace {

using namespace heapscope;

constexpr std::uint32_t kLeafStacks = 4096;
constexpr std::uint32_t kInnerStacks = 64;
constexpr std::uint32_t kThreads = 4;
constexpr std::uint64_t kSlots = 100000; // about half of them live at any time
constexpr std::uint64_t kFrameNs = 100'000'000;

int generate(const std::string& path, std::uint64_t events) {
    format::TraceHeader header;
    header.pid = 1;
    header.executable = "/usr/bin/long_trace";
    header.commandLine = {header.executable};
    header.pageSize = 4096;
    format::TraceWriter writer;
    if (!writer.open(path, header)) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return 2;
    }
    // A two-level trie: 64 inner frames, each leaf stack one of them plus a return address.
    for (std::uint32_t i = 1; i <= kInnerStacks; ++i)
        writer.write(format::StackNodeRecord{StackId{i}, StackId{0}, 0x400000u + 16u * i});
    for (std::uint32_t i = 0; i < kLeafStacks; ++i)
        writer.write(format::StackNodeRecord{StackId{kInnerStacks + 1 + i},
                                             StackId{1 + i % kInnerStacks}, 0x500000u + 16u * i});
    for (std::uint32_t t = 0; t < kThreads; ++t)
        writer.write(format::ThreadRecord{ThreadIndex{t}, 0, 1000u + t, "worker"});

    std::vector<std::uint64_t> slots(kSlots, 0);
    std::uint64_t state = 88172645463325252ull;
    const auto random = [&state] { // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    std::uint64_t time = 0;
    std::uint64_t nextFlush = kFrameNs;
    for (std::uint64_t i = 0; i < events; ++i) {
        const std::uint64_t r = random();
        time += 1 + (r & 2047); // about 1 us per event
        const std::uint64_t slot = (r >> 11) % kSlots;
        // Threads take turns in runs of 64 events, as a busy program's threads do.
        const ThreadIndex thread{static_cast<std::uint32_t>((i >> 6) % kThreads)};
        if (slots[slot] != 0) {
            writer.write(
                format::FreeRecord{thread, time, slots[slot], format::AllocFamily::Malloc});
            slots[slot] = 0;
        } else {
            slots[slot] = 0x10000000 + 64 * slot + (i & 1) * 0x40000000;
            const auto stack =
                static_cast<std::uint32_t>(kInnerStacks + 1 + (r >> 48) % kLeafStacks);
            writer.write(format::AllocRecord{thread, time, slots[slot], 16 + ((r >> 20) & 1023),
                                             StackId{stack}, format::AllocFamily::Malloc});
        }
        if (time >= nextFlush) {
            if (!writer.flush()) return 2;
            nextFlush = time + kFrameNs;
        }
    }
    writer.write(format::EndRecord{time + 1});
    if (!writer.close()) return 2;
    std::printf("%s: %llu events, %.1f s of trace time\n", path.c_str(),
                static_cast<unsigned long long>(events), static_cast<double>(time) / 1e9);
    return 0;
}

int window(const std::string& path, std::uint64_t from, std::uint64_t to, bool indexed) {
    const auto start = std::chrono::steady_clock::now();
    const analysis::TimeWindow w{from, to};
    const analysis::Model model =
        indexed ? analysis::analyzeWindow(path, w) : analysis::analyzeWindowSequential(path, w);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("%s window %.3f s: %llu allocations, %llu frees, peak %llu bytes, %llu live at "
                "its end\n",
                indexed ? "indexed" : "sequential", took.count(),
                static_cast<unsigned long long>(model.summary.allocations),
                static_cast<unsigned long long>(model.summary.frees),
                static_cast<unsigned long long>(model.summary.peakHeapBytes),
                static_cast<unsigned long long>(model.summary.leakedBytes));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 3 && args[0] == "generate")
        return generate(args[1], std::strtoull(args[2].c_str(), nullptr, 10));
    if (args.size() == 5 && args[0] == "window")
        return window(args[1], std::strtoull(args[2].c_str(), nullptr, 10),
                      std::strtoull(args[3].c_str(), nullptr, 10), args[4] == "indexed");
    std::fprintf(stderr, "usage: bench_long_trace generate OUT.hst EVENTS\n"
                         "       bench_long_trace window TRACE FROM_NS TO_NS indexed|sequential\n");
    return 2;
}
