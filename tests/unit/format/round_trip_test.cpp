// format tests: writer → reader round trip of every record kind with edge values, across frames.
#include <gtest/gtest.h>

#include <limits>

#include "format/layout.h"
#include "format/writer.h"
#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint32_t kMax32 = std::numeric_limits<std::uint32_t>::max();

void expectSameRecords(const std::vector<Record>& expected, const std::vector<Record>& actual) {
    ASSERT_EQ(expected.size(), actual.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_EQ(describe(expected[i]), describe(actual[i])) << "record " << i;
}

std::vector<Record> flatten(const std::vector<std::vector<Record>>& frames) {
    std::vector<Record> all;
    for (const auto& frame : frames)
        all.insert(all.end(), frame.begin(), frame.end());
    return all;
}

// Big values next to small ones, so deltas swing across the whole u64 range both ways.
std::vector<std::vector<Record>> edgeFrames() {
    std::string allBytes;
    for (int c = 0; c < 256; ++c)
        allBytes.push_back(static_cast<char>(c));
    std::vector<Segment> manySegments;
    for (std::uint64_t i = 0; i < 300; ++i)
        manySegments.push_back({kMax64 - i * 4096, i});
    std::vector<Record> bigStack;
    for (std::uint32_t i = 1; i <= 2000; ++i)
        bigStack.push_back(StackNodeRecord{StackId{i}, StackId{i - 1}, (i % 2) ? kMax64 - i : i});
    bigStack.push_back(StackNodeRecord{StackId{kMax32}, StackId{2000}, 0});
    bigStack.push_back(StackNodeRecord{StackId{0}, StackId{kMax32}, kMax64});

    return {
        {ModuleRecord{ModuleId{0}, 0, 0, "", "", {}},
         ModuleRecord{ModuleId{kMax32}, kMax64, kMax64, std::string(5000, 'p'), allBytes,
                      manySegments},
         ModuleUnloadRecord{ModuleId{kMax32}, 0}, ThreadRecord{ThreadIndex{0}, 0, 0, ""},
         ThreadRecord{ThreadIndex{kMax32}, kMax64, kMax64, std::string(70, 'n')},
         ThreadEndRecord{ThreadIndex{kMax32}, 1}},
        bigStack,
        {AllocRecord{ThreadIndex{0}, kMax64, kMax64, kMax64, StackId{kMax32},
                     AllocFamily::NewArray},
         AllocRecord{ThreadIndex{0}, 0, 0, 0, StackId{0}, AllocFamily::Malloc},
         FreeRecord{ThreadIndex{kMax32}, kMax64, kMax64, AllocFamily::New},
         FreeRecord{ThreadIndex{kMax32}, 0, 0, AllocFamily::NewArray},
         FreeRecord{ThreadIndex{3}, 5, 1, AllocFamily::Malloc}, RssRecord{kMax64, kMax64},
         RssRecord{0, 0}, MarkRecord{ThreadIndex{kMax32}, 7, ""},
         MarkRecord{ThreadIndex{0}, 8, std::string(layout::kMaxStringBytes, 'm')},
         ErrorRecord{ThreadIndex{2}, kMax64, ErrorKind::MismatchedFree, kMax64, kMax64,
                     StackId{kMax32}, StackId{0}, StackId{kMax32}, kMax64},
         ErrorRecord{ThreadIndex{2}, 0, ErrorKind::InvalidFree, 0, 0, StackId{0}, StackId{0},
                     StackId{0}}},
        {LeakCheckRecord{kMax64, true, {{{kMax64, kMax64}, {0, 0}, {1, kMax64}, {kMax64, 0}}}},
         LeakCheckRecord{0, false, {}}, RecordingRecord{kMax64, true}, RecordingRecord{0, false},
         LeakVerdictRecord{kMax64, LeakKind::PossiblyLost, 0},
         LeakVerdictRecord{0, LeakKind::IndirectlyLost, kMax64},
         LeakVerdictRecord{kMax64, LeakKind::IndirectlyLost, 1},
         LeakVerdictRecord{1, LeakKind::IndirectlyLost, kMax64}, EndRecord{kMax64}, EndRecord{0},
         ExitStatusRecord{true, std::numeric_limits<std::int32_t>::min()},
         ExitStatusRecord{false, std::numeric_limits<std::int32_t>::max()},
         ExitStatusRecord{true, 9}},
    };
}

TEST(RoundTrip, SampleTraceReadsBackCompleteAndEqual) {
    const ReadBack back = readBytes(writeTrace(sampleHeader(), sampleFrames()));
    ASSERT_TRUE(back.opened) << back.error;
    EXPECT_EQ(describe(sampleHeader()), describe(back.header));
    expectSameRecords(flatten(sampleFrames()), back.records);
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
    EXPECT_EQ("", back.error);
}

TEST(RoundTrip, EdgeValuesOfEveryRecordKindAcrossFrames) {
    const Bytes bytes = writeTrace(sampleHeader(), edgeFrames());
    const ReadBack back = readBytes(bytes);
    ASSERT_TRUE(back.opened) << back.error;
    expectSameRecords(flatten(edgeFrames()), back.records);
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
    EXPECT_EQ(bytes.size(), back.endOfLastCompleteFrame);
}

TEST(RoundTrip, SameRecordsInOneFrameDecodeTheSame) {
    const std::vector<std::vector<Record>> oneFrame = {flatten(edgeFrames())};
    const ReadBack back = readBytes(writeTrace(sampleHeader(), oneFrame));
    expectSameRecords(oneFrame[0], back.records);
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
}

std::vector<Record> rounded(const std::vector<Record>& records, std::uint64_t timeQuantumNs) {
    std::vector<Record> out;
    for (const Record& r : records)
        out.push_back(roundedTime(r, timeQuantumNs));
    return out;
}

TEST(RoundTrip, MicrosecondQuantumRoundsTimesDown) {
    TraceHeader h = sampleHeader();
    h.timeQuantumNs = 1000;
    // Below, at and just past quantum boundaries, going back in time within a frame, and the
    // largest times (kMax64 is not a multiple of 1000).
    const std::vector<std::vector<Record>> frames = {
        {RssRecord{0, 1}, RssRecord{999, 2}, RssRecord{1000, 3}, RssRecord{1001, 4},
         RssRecord{1999, 5}, RssRecord{2000, 6}, RssRecord{1500, 7}, RssRecord{kMax64, 8},
         RssRecord{kMax64 - 999, 9}, RssRecord{7, 10}},
        flatten(sampleFrames()),
    };
    const ReadBack back = readBytes(writeTrace(h, frames));
    ASSERT_TRUE(back.opened) << back.error;
    EXPECT_EQ(describe(h), describe(back.header));
    EXPECT_EQ(kFormatVersion, back.header.version);
    ASSERT_EQ(frames[0].size() + frames[1].size(), back.records.size());
    const std::uint64_t kMaxRounded = kMax64 / 1000 * 1000;
    const std::uint64_t expectedTimes[] = {
        0, 0, 1000, 1000, 1000, 2000, 1000, kMaxRounded, kMaxRounded - 1000, 0};
    for (std::size_t i = 0; i < std::size(expectedTimes); ++i)
        EXPECT_EQ(expectedTimes[i], std::get<RssRecord>(back.records[i]).timeNs) << i;
    // The sample's times (10 to 300 ns) all round down to 0; every other field is kept.
    expectSameRecords(rounded(frames[1], 1000),
                      std::vector<Record>(back.records.begin() + 10, back.records.end()));
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
}

TEST(RoundTrip, EdgeValuesWithATimeQuantum) {
    TraceHeader h = sampleHeader();
    h.timeQuantumNs = layout::kMaxTimeQuantumNs;
    const ReadBack back = readBytes(writeTrace(h, edgeFrames()));
    ASSERT_TRUE(back.opened) << back.error;
    EXPECT_EQ(layout::kMaxTimeQuantumNs, back.header.timeQuantumNs);
    expectSameRecords(rounded(flatten(edgeFrames()), layout::kMaxTimeQuantumNs), back.records);
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
}

TEST(RoundTrip, WriterRefusesAQuantumOutsideTheLimits) {
    for (const std::uint64_t quantum : {std::uint64_t{0}, layout::kMaxTimeQuantumNs + 1}) {
        TraceHeader h = sampleHeader();
        h.timeQuantumNs = quantum;
        TraceWriter writer;
        EXPECT_FALSE(writer.open(tempPath("bad-quantum.hst"), h)) << quantum;
        EXPECT_FALSE(writer.isOpen());
    }
}

TEST(RoundTrip, HeaderEdgeValues) {
    TraceHeader h;
    h.pid = kMax64;
    h.ppid = 0;
    h.executable = std::string(4096, 'x');
    h.commandLine = {"", std::string(1000, 'a'), "\n\t"};
    h.startRealtimeNs = kMax64;
    h.pageSize = 65536;
    h.sampleRate = kMax64;
    h.stackDepth = kMax32;
    h.timeQuantumNs = layout::kMaxTimeQuantumNs;
    const ReadBack back = readBytes(writeTrace(h, {{EndRecord{1}}}));
    ASSERT_TRUE(back.opened) << back.error;
    EXPECT_EQ(describe(h), describe(back.header));
    EXPECT_EQ(ReadOutcome::Complete, back.outcome);
}

TEST(RoundTrip, OverlongStringsAreCutToTheLimit) {
    TraceHeader h = sampleHeader();
    h.executable = std::string(layout::kMaxStringBytes + 10, 'e');
    const ReadBack back = readBytes(
        writeTrace(h, {{MarkRecord{ThreadIndex{0}, 1, std::string(100000, 'm')}, EndRecord{2}}}));
    ASSERT_TRUE(back.opened) << back.error;
    EXPECT_EQ(std::string(layout::kMaxStringBytes, 'e'), back.header.executable);
    ASSERT_EQ(2u, back.records.size());
    EXPECT_EQ(std::string(layout::kMaxStringBytes, 'm'),
              std::get<MarkRecord>(back.records[0]).name);
}

TEST(RoundTrip, HugeCommandLineIsCutToFitTheHeaderLimit) {
    TraceHeader h = sampleHeader();
    h.commandLine.assign(40, std::string(40000, 'a')); // 1.6 MB of arguments
    const ReadBack back = readBytes(writeTrace(h, {{EndRecord{1}}}));
    ASSERT_TRUE(back.opened) << back.error;
    // Each argument takes 40003 bytes; the body keeps as many as fit in 1 MiB with the rest.
    EXPECT_EQ(26u, back.header.commandLine.size());
    EXPECT_EQ(ReadOutcome::Complete, back.outcome);
}

TEST(RoundTrip, WriteOfVariantMatchesTypedWrite) {
    const Record r = AllocRecord{ThreadIndex{1}, 5, 0x1000, 8, StackId{3}, AllocFamily::New};
    const ReadBack back = readBytes(writeTrace(sampleHeader(), {{r, EndRecord{6}}}));
    ASSERT_EQ(2u, back.records.size());
    EXPECT_EQ(describe(r), describe(back.records[0]));
}

TEST(RoundTrip, EmptyFlushWritesNothing) {
    const std::string path = tempPath("empty-flush.hst");
    TraceWriter writer;
    ASSERT_TRUE(writer.open(path, sampleHeader()));
    ASSERT_TRUE(writer.flush());
    ASSERT_TRUE(writer.flush());
    EXPECT_EQ(0u, writer.pendingBytes());
    ASSERT_TRUE(writer.close());
    EXPECT_EQ(headerBytes(sampleHeader()), readFile(path));
    const ReadBack back = readTrace(path);
    EXPECT_TRUE(back.records.empty());
    EXPECT_EQ(ReadOutcome::Truncated, back.outcome); // no End record
}

AllocRecord numberedAlloc(std::uint64_t i) {
    return AllocRecord{ThreadIndex{static_cast<std::uint32_t>(i % 3)},
                       i * 50,
                       0x10000000 + i * 64,
                       16 + i % 500,
                       StackId{1},
                       AllocFamily::Malloc};
}

TEST(RoundTrip, LargeFramesAreSplitBelowTheReaderLimit) {
    // Raw Alloc records of 9-13 bytes: 2 M of them pass the auto-flush threshold twice.
    constexpr std::uint64_t kCount = 2'000'000;
    const std::string path = tempPath("large.hst");
    TraceWriter writer;
    ASSERT_TRUE(writer.open(path, sampleHeader()));
    for (std::uint64_t i = 0; i < kCount; ++i)
        writer.write(numberedAlloc(i));
    EXPECT_LT(writer.pendingBytes(), layout::kAutoFlushBytes + 64);
    writer.write(EndRecord{kCount * 50});
    ASSERT_TRUE(writer.close());

    TraceReader reader;
    ASSERT_TRUE(reader.open(path)) << reader.error();
    Record r;
    std::uint64_t n = 0;
    for (; n < kCount && reader.next(r); ++n) {
        const AllocRecord e = numberedAlloc(n);
        const auto* a = std::get_if<AllocRecord>(&r);
        if (a == nullptr || a->thread != e.thread || a->timeNs != e.timeNs ||
            a->address != e.address || a->size != e.size || a->stack != e.stack ||
            a->family != e.family) {
            ADD_FAILURE() << "record " << n << ": " << describe(r);
            break;
        }
    }
    EXPECT_EQ(kCount, n);
    ASSERT_TRUE(reader.next(r));
    EXPECT_EQ("End t=100000000", describe(r));
    EXPECT_FALSE(reader.next(r));
    EXPECT_EQ(ReadOutcome::Complete, reader.outcome()) << reader.error();
}

} // namespace
} // namespace heapscope::format::testing
