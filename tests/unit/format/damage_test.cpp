// format tests: truncated, bit-flipped and hostile traces: the reader never crashes and stops at
// the first bad frame, delivering every record before it: none of a frame that fails its checks,
// the records before the bad one of a frame whose records stop decoding.
#include <gtest/gtest.h>

#include <algorithm>

#include "format/layout.h"
#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

struct Layout {
    Bytes bytes;
    std::vector<std::size_t> frameEnds;     // file offset after each frame
    std::vector<std::size_t> recordsBefore; // records in the frames before frame i
};

// The sample trace, with where each frame ends.
Layout sampleLayout() {
    Layout l;
    const auto frames = sampleFrames();
    std::size_t records = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const std::vector<std::vector<Record>> prefix(frames.begin(),
                                                      frames.begin() + static_cast<long>(i) + 1);
        l.recordsBefore.push_back(records);
        records += frames[i].size();
        l.frameEnds.push_back(writeTrace(sampleHeader(), prefix).size());
    }
    l.bytes = writeTrace(sampleHeader(), frames);
    return l;
}

TEST(Damage, CutAtEveryByteDeliversWholeFramesOnly) {
    const Layout l = sampleLayout();
    const std::size_t headerSize = headerBytes(sampleHeader()).size();
    const std::size_t total =
        sampleFrames()[0].size() + sampleFrames()[1].size() + sampleFrames()[2].size();
    ASSERT_EQ(l.bytes.size(), l.frameEnds.back());
    for (std::size_t cut = 0; cut <= l.bytes.size(); ++cut) {
        SCOPED_TRACE("cut at " + std::to_string(cut));
        const ReadBack back =
            readBytes(Bytes(l.bytes.begin(), l.bytes.begin() + static_cast<long>(cut)));
        if (cut < headerSize) {
            EXPECT_FALSE(back.opened);
            EXPECT_FALSE(back.error.empty());
            continue;
        }
        ASSERT_TRUE(back.opened) << back.error;
        const std::size_t whole = static_cast<std::size_t>(
            std::upper_bound(l.frameEnds.begin(), l.frameEnds.end(), cut) - l.frameEnds.begin());
        const std::size_t expectedRecords =
            whole == l.frameEnds.size() ? total : l.recordsBefore[whole];
        EXPECT_EQ(expectedRecords, back.records.size());
        if (cut == l.bytes.size()) {
            EXPECT_EQ(ReadOutcome::Complete, back.outcome);
        } else {
            EXPECT_EQ(ReadOutcome::Truncated, back.outcome);
            EXPECT_FALSE(back.error.empty());
            EXPECT_EQ(whole == 0 ? headerSize : l.frameEnds[whole - 1],
                      back.endOfLastCompleteFrame);
        }
    }
}

TEST(Damage, BitFlipsEverywhereNeverCrash) {
    const Layout l = sampleLayout();
    const std::size_t headerSize = headerBytes(sampleHeader()).size();
    std::size_t damaged = 0;
    for (std::size_t offset = 0; offset < l.bytes.size(); ++offset) {
        for (int bit : {0, 3, 7}) {
            Bytes flipped = l.bytes;
            flipped[offset] = static_cast<std::uint8_t>(flipped[offset] ^ (1u << bit));
            const ReadBack back = readBytes(flipped);
            SCOPED_TRACE("offset " + std::to_string(offset) + " bit " + std::to_string(bit));
            if (!back.opened) {
                EXPECT_LT(offset, headerSize);
                EXPECT_FALSE(back.error.empty());
                continue;
            }
            if (offset < headerSize) continue; // a string byte or a value in the header body
            // Frames end-to-end are checksummed: a flip inside one is always noticed.
            EXPECT_NE(ReadOutcome::Complete, back.outcome);
            EXPECT_FALSE(back.error.empty());
            const std::size_t frame = static_cast<std::size_t>(
                std::upper_bound(l.frameEnds.begin(), l.frameEnds.end(), offset) -
                l.frameEnds.begin());
            EXPECT_EQ(l.recordsBefore[frame], back.records.size());
            damaged += back.outcome == ReadOutcome::Damaged;
        }
    }
    EXPECT_GT(damaged, 0u);
}

TEST(Damage, DamagedFrameErrorNamesItsOffset) {
    const Layout l = sampleLayout();
    Bytes bytes = l.bytes;
    bytes[l.frameEnds[0]] ^= 0x01; // the marker of the second frame
    const ReadBack back = readBytes(bytes);
    EXPECT_EQ(ReadOutcome::Damaged, back.outcome);
    EXPECT_EQ("damaged frame at byte " + std::to_string(l.frameEnds[0]) + ": bad frame marker",
              back.error);
    EXPECT_EQ(l.recordsBefore[1], back.records.size());
}

TEST(Damage, ChecksumCatchesAFlippedCompressedByte) {
    const Layout l = sampleLayout();
    Bytes bytes = l.bytes;
    bytes[l.frameEnds[1] - 5] ^= 0x40; // inside the last frame's zstd data or checksum
    const ReadBack back = readBytes(bytes);
    EXPECT_EQ(ReadOutcome::Damaged, back.outcome);
    EXPECT_NE(std::string::npos, back.error.find("zstd")) << back.error;
    EXPECT_EQ(l.recordsBefore[1], back.records.size());
}

ReadBack readPayload(const Bytes& payload) {
    return readBytes(
        join({headerBytes(sampleHeader()), rawFrame({0x0c, 0x02}), // a good frame: End t=1
              rawFrame(payload)}));
}

TEST(Damage, UndecodableRecordsMakeTheFrameDamaged) {
    const std::size_t frame2 = headerBytes(sampleHeader()).size() + rawFrame({0x0c, 0x02}).size();
    const std::string at = "damaged frame at byte " + std::to_string(frame2) + ": ";
    const struct {
        Bytes payload;
        std::string error;
        std::size_t recordsBefore = 0; // good records of the frame before the bad one
    } cases[] = {
        {{0x0c, 0x02, 0x3f}, "unknown record tag 0x3f at frame offset 2", 1},
        {{0x00}, "unknown record tag 0x00 at frame offset 0"},
        {{0x0c, 0x80}, "truncated or over-long varint in End record at frame offset 0"},
        {{0x0c, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
         "truncated or over-long varint in End record at frame offset 0"},
        {{0x05, 0x00, 0x07, 0x02, 0x02, 0x03},
         "enum value out of range in Free record at frame offset 2"},
        {{0x07, 0x02, 0x02, 0x00},
         "record before any thread switch in Free record at frame offset 0"},
        {{0x05, 0x00}, "frame ends after a thread switch in ThreadSwitch record at frame offset 0"},
        {{0x09, 0x02, 0x05, 'a'},
         "record before any thread switch in Mark record at frame offset 0"},
        {{0x05, 0x00, 0x09, 0x02, 0x05, 'a'},
         "string length past the end in Mark record at frame offset 2"},
        {{0x04, 0x00, 0x02, 0x01, 0x80, 0x80, 0x10},
         "string longer than the 64 KiB limit in Thread record at frame offset 0"},
        {{0x04, 0x80, 0x80, 0x80, 0x80, 0x10, 0x02, 0x01, 0x00},
         "value does not fit 32 bits in Thread record at frame offset 0"},
        {{0x03, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00, 0x00},
         "stack id out of range in StackNode record at frame offset 0"},
        {{0x0e, 0x02, 0x00}, "enum value out of range in ExitStatus record at frame offset 0"},
        {{0x0e, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10},
         "exit code out of range in ExitStatus record at frame offset 0"},
        {{0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f},
         "segment count past the end in Module record at frame offset 0"},
        {{0x0b, 0x00, 0x04}, "enum value out of range in LeakVerdict record at frame offset 0"},
        {{0x0b, 0x00, 0x02},
         "truncated or over-long varint in LeakVerdict record at frame offset 0"},
        {{0x0f, 0x02, 0x02}, "enum value out of range in LeakCheck record at frame offset 0"},
        {{0x0f, 0x02, 0x01, 0x00, 0x00, 0x00},
         "truncated or over-long varint in LeakCheck record at frame offset 0"},
        {{0x05, 0x00, 0x0a, 0x00, 0x03},
         "enum value out of range in Error record at frame offset 2"},
        {{0x11, 0x02, 0x01, 0x00},
         "record before any thread switch in FreeRecent record at frame offset 0"},
        {{0x05, 0x00, 0x11, 0x02, 0x01, 0x00},
         "no such earlier Alloc in the frame in FreeRecent record at frame offset 2"},
        // One Alloc (+1 µs, +0x10, 16 B, stack +0, malloc), then FreeRecent 0 and 2 back.
        {{0x05, 0x00, 0x06, 0x02, 0x20, 0x10, 0x00, 0x00, 0x11, 0x02, 0x00, 0x00},
         "no such earlier Alloc in the frame in FreeRecent record at frame offset 8", 1},
        {{0x05, 0x00, 0x06, 0x02, 0x20, 0x10, 0x00, 0x00, 0x11, 0x02, 0x02, 0x00},
         "no such earlier Alloc in the frame in FreeRecent record at frame offset 8", 1},
        {{0x05, 0x00, 0x06, 0x02, 0x20, 0x10, 0x00, 0x00, 0x11, 0x02, 0x01, 0x03},
         "enum value out of range in FreeRecent record at frame offset 8", 1},
        {{0x05, 0x00, 0x12, 0x02, 0x01, 0x10, 0x00, 0x00},
         "no such earlier Free in the frame in AllocReuse record at frame offset 2"},
        // A Free of 0x10 (+1 µs, +0x10, malloc), then AllocReuse of rank 0 and 2.
        {{0x05, 0x00, 0x07, 0x02, 0x20, 0x00, 0x12, 0x02, 0x00, 0x10, 0x00, 0x00},
         "no such earlier Free in the frame in AllocReuse record at frame offset 6", 1},
        {{0x05, 0x00, 0x07, 0x02, 0x20, 0x00, 0x12, 0x02, 0x02, 0x10, 0x00, 0x00},
         "no such earlier Free in the frame in AllocReuse record at frame offset 6", 1},
    };
    for (const auto& c : cases) {
        const ReadBack back = readPayload(c.payload);
        EXPECT_EQ(ReadOutcome::Damaged, back.outcome) << c.error;
        EXPECT_EQ(at + c.error, back.error);
        // The good frame's End, then the bad frame's records before the one that fails.
        EXPECT_EQ(1u + c.recordsBefore, back.records.size()) << c.error;
    }
}

TEST(Damage, AFrameThatFailsLateDeliversTheRecordsBeforeTheBadOne) {
    // 5000 good Rss records (more than one batch holds), then a bad tag.
    Bytes payload;
    for (int i = 0; i < 5000; ++i)
        payload.insert(payload.end(), {0x08, 0x02, 0x00});
    payload.push_back(0x3f);
    const ReadBack back = readPayload(payload);
    EXPECT_EQ(ReadOutcome::Damaged, back.outcome);
    EXPECT_NE(std::string::npos, back.error.find("unknown record tag 0x3f at frame offset 15000"))
        << back.error;
    ASSERT_EQ(1u + 5000u, back.records.size()); // the good frame's End, then the 5000 Rss
    EXPECT_TRUE(std::holds_alternative<EndRecord>(back.records.front()));
    // Each Rss is one time unit after the one before.
    EXPECT_EQ(5000 * sampleHeader().timeQuantumNs, std::get<RssRecord>(back.records.back()).timeNs);
    // The damaged frame is not complete: the last complete frame is the one before it.
    EXPECT_EQ(headerBytes(sampleHeader()).size() + rawFrame({0x0c, 0x02}).size(),
              back.endOfLastCompleteFrame);
}

TEST(Damage, ImplausibleFrameSizes) {
    const Bytes header = headerBytes(sampleHeader());
    const std::string at = "damaged frame at byte " + std::to_string(header.size()) + ": ";
    Bytes frame = rawFrame({0x0c, 0x02});
    Bytes hugeRaw = frame;
    layout::storeLe32(hugeRaw.data() + 8, kMaxFrameRawBytes + 1);
    EXPECT_EQ(at + "implausible raw size 67108865", readBytes(join({header, hugeRaw})).error);
    Bytes zeroRaw = frame;
    layout::storeLe32(zeroRaw.data() + 8, 0);
    EXPECT_EQ(at + "implausible raw size 0", readBytes(join({header, zeroRaw})).error);
    Bytes hugeCompressed = frame;
    layout::storeLe32(hugeCompressed.data() + 4, 0xffffffffu);
    EXPECT_EQ(at + "implausible compressed size 4294967295",
              readBytes(join({header, hugeCompressed})).error);
    Bytes wrongRaw = frame;
    layout::storeLe32(wrongRaw.data() + 8, 3);
    EXPECT_EQ(at + "raw size mismatch: header says 3 bytes, zstd frame says 2",
              readBytes(join({header, wrongRaw})).error);
    // A size past the end of the file reads as a frame cut short, not as damage.
    Bytes longer = frame;
    layout::storeLe32(longer.data() + 4, static_cast<std::uint32_t>(frame.size()));
    const ReadBack back = readBytes(join({header, longer}));
    EXPECT_EQ(ReadOutcome::Truncated, back.outcome);
    EXPECT_EQ("truncated at byte " + std::to_string(header.size()) +
                  ": the file ends inside a frame (" + std::to_string(frame.size() - 12) + " of " +
                  std::to_string(frame.size()) + " bytes present)",
              back.error);
}

TEST(Damage, NotZstdInsideTheFrame) {
    const Bytes header = headerBytes(sampleHeader());
    Bytes frame(12 + 8, 0xaa);
    layout::storeLe32(frame.data(), kFrameMarker);
    layout::storeLe32(frame.data() + 4, 8);
    layout::storeLe32(frame.data() + 8, 8);
    const ReadBack back = readBytes(join({header, frame}));
    EXPECT_EQ(ReadOutcome::Damaged, back.outcome);
    EXPECT_EQ("damaged frame at byte " + std::to_string(header.size()) +
                  ": not a zstd frame with a content size",
              back.error);
}

TEST(Damage, TrailingBytesShorterThanAFrameHeader) {
    const Layout l = sampleLayout();
    const ReadBack back = readBytes(join({l.bytes, Bytes{0x48, 0x53}}));
    EXPECT_EQ(ReadOutcome::Truncated, back.outcome);
    EXPECT_EQ("truncated at byte " + std::to_string(l.bytes.size()) +
                  ": the file ends inside a frame header",
              back.error);
    EXPECT_EQ(l.bytes.size(), back.endOfLastCompleteFrame);
}

TEST(Damage, NoEndRecordIsTruncated) {
    auto frames = sampleFrames();
    frames.pop_back();
    const ReadBack back = readBytes(writeTrace(sampleHeader(), frames));
    EXPECT_EQ(ReadOutcome::Truncated, back.outcome);
    EXPECT_EQ(frames[0].size() + frames[1].size(), back.records.size());
    EXPECT_NE(std::string::npos, back.error.find("no End record")) << back.error;
}

TEST(Damage, OpenRefusals) {
    const Bytes good = headerBytes(sampleHeader());
    Bytes newer = good;
    layout::storeLe16(newer.data() + 8, 4);
    // The body ends with the time quantum, one byte for the sample's quantum of 1.
    ASSERT_EQ(1u, good.back());
    Bytes zeroQuantum = good;
    zeroQuantum.back() = 0;
    TraceHeader coarse = sampleHeader();
    coarse.timeQuantumNs = layout::kMaxTimeQuantumNs + 1;
    Bytes v1WithQuantum = good; // a version 1 header has no quantum
    layout::storeLe16(v1WithQuantum.data() + 8, 1);
    Bytes zeroVersion = good;
    layout::storeLe16(zeroVersion.data() + 8, 0);
    Bytes flags = good;
    layout::storeLe16(flags.data() + 10, 1);
    Bytes hugeBody = good;
    layout::storeLe32(hugeBody.data() + 12, layout::kMaxHeaderBodyBytes + 1);
    Bytes longBody = good;
    layout::storeLe32(longBody.data() + 12, layout::loadLe32(good.data() + 12) + 1);
    longBody.push_back(0);
    const struct {
        Bytes bytes;
        std::string suffix;
    } cases[] = {
        {{}, ": not a heapscope trace (empty file)"},
        {{'H', 'E', 'A'}, ": damaged header: the file ends inside the header"},
        {{'E', 'L', 'F', 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ": not a heapscope trace"},
        {newer, ": trace format version 4 is newer than this heapscope supports (3)"},
        {zeroQuantum, ": damaged header: implausible time quantum 0"},
        {headerBytes(coarse), ": damaged header: implausible time quantum 1000000001"},
        {v1WithQuantum, ": damaged header: 1 unexpected bytes at its end"},
        {zeroVersion, ": damaged header: format version 0"},
        {flags, ": damaged header: unknown flags 1"},
        {hugeBody, ": damaged header: header body of 1048577 bytes is over the limit"},
        {Bytes(good.begin(), good.end() - 1), ": damaged header: the file ends inside the header"},
        {longBody, ": damaged header: 1 unexpected bytes at its end"},
    };
    for (const auto& c : cases) {
        const std::string path = tempPath("refused.hst");
        writeFile(path, c.bytes);
        const ReadBack back = readTrace(path);
        EXPECT_FALSE(back.opened);
        EXPECT_EQ(path + c.suffix, back.error);
    }
    // A refused reader has nothing to read, even past the header it refused.
    const std::string path = tempPath("newer.hst");
    writeFile(path, join({newer, rawFrame({0x0c, 0x02})}));
    TraceReader reader;
    ASSERT_FALSE(reader.open(path));
    Record r;
    EXPECT_FALSE(reader.next(r));
    EXPECT_EQ(path + ": trace format version 4 is newer than this heapscope supports (3)",
              reader.error());

    const ReadBack missing = readTrace("/nonexistent/trace.hst");
    EXPECT_FALSE(missing.opened);
    EXPECT_EQ("cannot open /nonexistent/trace.hst: No such file or directory", missing.error);
    const ReadBack directory = readTrace("/tmp");
    EXPECT_FALSE(directory.opened);
    EXPECT_EQ("cannot read /tmp: not a regular file", directory.error);
}

} // namespace
} // namespace heapscope::format::testing
