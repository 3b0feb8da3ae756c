// format tests: the exact bytes of a tiny trace (header, frame header, raw frame payload),
// computed by hand from docs/format.md.
#include <gtest/gtest.h>
#include <zstd.h>

#include "format/layout.h"
#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

TraceHeader tinyHeader() {
    TraceHeader h;
    h.pid = 42;
    h.ppid = 1;
    h.executable = "/bin/x";
    h.commandLine = {"x", "-v"};
    h.startRealtimeNs = 7;
    h.pageSize = 4096;
    h.sampleRate = 0;
    h.stackDepth = 64;
    h.timeQuantumNs = 1000;
    return h;
}

// Times in ns; the trace keeps whole µs (Alloc 1'050'400 is written as 1050 µs).
std::vector<Record> tinyRecords() {
    return {
        ThreadRecord{ThreadIndex{0}, 1'000'000, 4242, "main"},
        StackNodeRecord{StackId{1}, StackId{0}, 0x401000},
        AllocRecord{ThreadIndex{0}, 1'050'400, 0x1000, 32, StackId{1}, AllocFamily::Malloc},
        FreeRecord{ThreadIndex{0}, 1'100'999, 0x1000, AllocFamily::Malloc},
        AllocRecord{ThreadIndex{1}, 1'090'000, 0x0ff0, 300, StackId{0}, AllocFamily::New},
        FreeRecord{ThreadIndex{1}, 1'095'000, 0x2000, AllocFamily::Malloc},
        AllocRecord{ThreadIndex{1}, 1'096'000, 0x2000, 64, StackId{0}, AllocFamily::Malloc},
        LeakCheckRecord{1'150'000, true, {{{0, 0}, {0, 0}, {16, 1}, {300, 1}}}},
        LeakVerdictRecord{0x0ff0, LeakKind::DefinitelyLost, 0},
        LeakVerdictRecord{0x1000, LeakKind::IndirectlyLost, 0x0ff0},
        ExitStatusRecord{true, 9},
        EndRecord{1'200'000},
    };
}

// The raw bytes of the one frame at frameStart, which must end the file.
Bytes framePayload(const Bytes& file, std::size_t frameStart) {
    if (file.size() <= frameStart + layout::kFrameHeaderBytes) {
        ADD_FAILURE() << "no frame at " << frameStart;
        return {};
    }
    const std::uint8_t* frame = file.data() + frameStart;
    EXPECT_EQ(kFrameMarker, layout::loadLe32(frame));
    EXPECT_EQ(Bytes({'H', 'S', 'F', '1'}), Bytes(frame, frame + 4));
    const std::uint32_t compressed = layout::loadLe32(frame + 4);
    EXPECT_EQ(file.size(), frameStart + layout::kFrameHeaderBytes + compressed);
    Bytes raw(layout::loadLe32(frame + 8));
    const std::size_t n =
        ZSTD_decompress(raw.data(), raw.size(), frame + layout::kFrameHeaderBytes, compressed);
    if (ZSTD_isError(n)) {
        ADD_FAILURE() << ZSTD_getErrorName(n);
        return {};
    }
    EXPECT_EQ(raw.size(), n);
    return raw;
}

TEST(ExactBytes, Header) {
    const Bytes expected = {
        'H',  'E',  'A',  'P',  'S', 'C', 'O', 'P', // magic
        0x03, 0x00,                                 // version 3
        0x00, 0x00,                                 // flags
        22,   0x00, 0x00, 0x00,                     // body length
        42,                                         // pid
        1,                                          // ppid
        6,    '/',  'b',  'i',  'n', '/', 'x',      // executable
        2,    1,    'x',  2,    '-', 'v',           // command line
        7,                                          // start time
        0x80, 0x20,                                 // page size 4096
        0,                                          // sample rate
        64,                                         // stack depth
        0xe8, 0x07,                                 // time quantum 1000 ns
    };
    const Bytes file = writeTrace(tinyHeader(), {});
    EXPECT_EQ(expected, file);
}

TEST(ExactBytes, FramePayload) {
    const Bytes expected = {
        // Thread 0, t=1000 µs (zigzag 2000), tid 4242, "main"
        0x04,
        0x00,
        0xd0,
        0x0f,
        0x92,
        0x21,
        4,
        'm',
        'a',
        'i',
        'n',
        // StackNode id 1 (+1 → 2), parent 0 (-1 → 1), return address +0x401000 (→ 0x802000)
        0x03,
        0x02,
        0x01,
        0x80,
        0xc0,
        0x80,
        0x04,
        // ThreadSwitch 0 (first threaded record of the frame)
        0x05,
        0x00,
        // Alloc t=+50 µs, address +0x1000, size 32, stack +1 (last stack id was the parent 0),
        // Malloc
        0x06,
        0x64,
        0x80,
        0x40,
        0x20,
        0x02,
        0x00,
        // FreeRecent t=+50 µs (1'100'999 ns is 1100 µs), the frame's latest Alloc (1 back),
        // Malloc (same thread: no switch)
        0x11,
        0x64,
        0x01,
        0x00,
        // ThreadSwitch 1, Alloc t=-10 µs, address -16, size 300, stack -1, New
        0x05,
        0x01,
        0x06,
        0x13,
        0x1f,
        0xac,
        0x02,
        0x01,
        0x01,
        // Free t=+5 µs, address +0x1010 (zigzag 0x2020; no Alloc of 0x2000 in this frame), Malloc
        0x07,
        0x0a,
        0xa0,
        0x40,
        0x00,
        // AllocReuse t=+1 µs, the latest freed address (rank 1), size 64, stack +0, Malloc
        0x12,
        0x02,
        0x01,
        0x40,
        0x00,
        0x00,
        // LeakCheck t=+54 µs (zigzag 108), at exit, totals in LeakKind order: 0/0, 0/0, 16/1, 300/1
        0x0f,
        0x6c,
        0x01,
        0x00,
        0x00,
        0x00,
        0x00,
        0x10,
        0x01,
        0xac,
        0x02,
        0x01,
        // LeakVerdict address -0x1010 (zigzag 0x201f), DefinitelyLost, no owner
        0x0b,
        0x9f,
        0x40,
        0x03,
        0x00,
        // LeakVerdict address +0x10 (zigzag 0x20), IndirectlyLost, owner -0x10 from it (0x1f)
        0x0b,
        0x20,
        0x02,
        0x1f,
        // ExitStatus signaled, code 9 (zigzag 18)
        0x0e,
        0x01,
        0x12,
        // End t=+50 µs (from 1150; zigzag 100)
        0x0c,
        0x64,
    };
    const Bytes file = writeTrace(tinyHeader(), {tinyRecords()});
    EXPECT_EQ(expected, framePayload(file, headerBytes(tinyHeader()).size()));

    // The hand-made payload also reads back as the records it was made from, times rounded down
    // to the µs.
    const ReadBack back = readBytes(join({headerBytes(tinyHeader()), rawFrame(expected)}));
    ASSERT_EQ(tinyRecords().size(), back.records.size());
    for (std::size_t i = 0; i < back.records.size(); ++i)
        EXPECT_EQ(describe(roundedTime(tinyRecords()[i], 1000)), describe(back.records[i]));
    EXPECT_EQ("Alloc thread=0 t=1050000 addr=0x1000 size=32 stack=1 family=0",
              describe(back.records[2]));
    EXPECT_EQ("Free thread=0 t=1100000 addr=0x1000 family=0", describe(back.records[3]));
    EXPECT_EQ("Free thread=1 t=1095000 addr=0x2000 family=0", describe(back.records[5]));
    EXPECT_EQ("Alloc thread=1 t=1096000 addr=0x2000 size=64 stack=0 family=0",
              describe(back.records[6]));
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
}

TEST(ExactBytes, TimesAreCodedInQuanta) {
    const std::vector<Record> end = {EndRecord{1'050'400}};
    TraceHeader ns = tinyHeader();
    ns.timeQuantumNs = 1;
    EXPECT_EQ(1u, headerBytes(ns).back()); // the quantum ends the header
    // 1'050'400 ns: zigzag 2'100'800 takes four bytes; 1050 µs: zigzag 2100 takes two.
    EXPECT_EQ(Bytes({0x0c, 0xc0, 0x9c, 0x80, 0x01}),
              framePayload(writeTrace(ns, {end}), headerBytes(ns).size()));
    EXPECT_EQ(Bytes({0x0c, 0xb4, 0x10}),
              framePayload(writeTrace(tinyHeader(), {end}), headerBytes(tinyHeader()).size()));
}

} // namespace
} // namespace heapscope::format::testing
