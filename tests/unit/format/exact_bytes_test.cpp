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
    return h;
}

std::vector<Record> tinyRecords() {
    return {
        ThreadRecord{ThreadIndex{0}, 1000, 4242, "main"},
        StackNodeRecord{StackId{1}, StackId{0}, 0x401000},
        AllocRecord{ThreadIndex{0}, 1050, 0x1000, 32, StackId{1}, AllocFamily::Malloc},
        FreeRecord{ThreadIndex{0}, 1100, 0x1000, AllocFamily::Malloc},
        AllocRecord{ThreadIndex{1}, 1090, 0x0ff0, 300, StackId{0}, AllocFamily::New},
        LeakCheckRecord{1150, true, {{{0, 0}, {0, 0}, {16, 1}, {300, 1}}}},
        LeakVerdictRecord{0x0ff0, LeakKind::DefinitelyLost, 0},
        LeakVerdictRecord{0x1000, LeakKind::IndirectlyLost, 0x0ff0},
        ExitStatusRecord{true, 9},
        EndRecord{1200},
    };
}

TEST(ExactBytes, Header) {
    const Bytes expected = {
        'H',  'E',  'A',  'P',  'S', 'C', 'O', 'P', // magic
        0x01, 0x00,                                 // version 1
        0x00, 0x00,                                 // flags
        20,   0x00, 0x00, 0x00,                     // body length
        42,                                         // pid
        1,                                          // ppid
        6,    '/',  'b',  'i',  'n', '/', 'x',      // executable
        2,    1,    'x',  2,    '-', 'v',           // command line
        7,                                          // start time
        0x80, 0x20,                                 // page size 4096
        0,                                          // sample rate
        64,                                         // stack depth
    };
    const Bytes file = writeTrace(tinyHeader(), {});
    EXPECT_EQ(expected, file);
}

TEST(ExactBytes, FramePayload) {
    const Bytes expected = {
        // Thread 0, t=1000 (zigzag 2000), tid 4242, "main"
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
        // Alloc t=+50, address +0x1000, size 32, stack +1 (last stack id was the parent 0), Malloc
        0x06,
        0x64,
        0x80,
        0x40,
        0x20,
        0x02,
        0x00,
        // Free t=+50, address +0, Malloc (same thread: no switch)
        0x07,
        0x64,
        0x00,
        0x00,
        // ThreadSwitch 1, Alloc t=-10, address -16, size 300, stack -1, New
        0x05,
        0x01,
        0x06,
        0x13,
        0x1f,
        0xac,
        0x02,
        0x01,
        0x01,
        // LeakCheck t=+60 (zigzag 120), at exit, totals in LeakKind order: 0/0, 0/0, 16/1, 300/1
        0x0f,
        0x78,
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
        // LeakVerdict address +0, DefinitelyLost, no owner
        0x0b,
        0x00,
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
        // End t=+50 (from 1150; zigzag 100)
        0x0c,
        0x64,
    };
    const Bytes file = writeTrace(tinyHeader(), {tinyRecords()});
    const std::size_t frameStart = headerBytes(tinyHeader()).size();
    ASSERT_GT(file.size(), frameStart + layout::kFrameHeaderBytes);
    const std::uint8_t* frame = file.data() + frameStart;
    EXPECT_EQ(kFrameMarker, layout::loadLe32(frame));
    EXPECT_EQ(Bytes({'H', 'S', 'F', '1'}), Bytes(frame, frame + 4));
    const std::uint32_t compressed = layout::loadLe32(frame + 4);
    EXPECT_EQ(file.size(), frameStart + layout::kFrameHeaderBytes + compressed);
    EXPECT_EQ(expected.size(), layout::loadLe32(frame + 8));

    Bytes raw(expected.size() + 16);
    const std::size_t n =
        ZSTD_decompress(raw.data(), raw.size(), frame + layout::kFrameHeaderBytes, compressed);
    ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
    raw.resize(n);
    EXPECT_EQ(expected, raw);

    // The hand-made payload also reads back as the records it was made from.
    const ReadBack back = readBytes(join({headerBytes(tinyHeader()), rawFrame(expected)}));
    ASSERT_EQ(tinyRecords().size(), back.records.size());
    for (std::size_t i = 0; i < back.records.size(); ++i)
        EXPECT_EQ(describe(tinyRecords()[i]), describe(back.records[i]));
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
}

} // namespace
} // namespace heapscope::format::testing
