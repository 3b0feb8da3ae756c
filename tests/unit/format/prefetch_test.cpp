// format tests: reading ahead on a second thread gives exactly what reading on the caller's
// thread gives: the same records, outcome, error and offsets, for whole, cut and damaged traces.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <limits>

#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

constexpr std::uint64_t kNeverPrefetch = std::numeric_limits<std::uint64_t>::max();

// What a reader gives, with the offsets it reports after every record.
struct Reading {
    ReadBack back;
    std::vector<std::uint64_t> frameOffsets;
    std::vector<std::uint64_t> bytesConsumed;
};

Reading readWith(const std::string& path, std::uint64_t prefetchBytes) {
    Reading out;
    TraceReader reader;
    reader.setPrefetchBytes(prefetchBytes);
    out.back.opened = reader.open(path);
    if (!out.back.opened) {
        out.back.error = reader.error();
        return out;
    }
    Record r;
    while (reader.next(r)) {
        out.back.records.push_back(r);
        out.frameOffsets.push_back(reader.frameOffset());
        out.bytesConsumed.push_back(reader.bytesConsumed());
        EXPECT_EQ(ReadOutcome::Reading, reader.outcome());
    }
    out.back.outcome = reader.outcome();
    out.back.error = reader.error();
    out.back.endOfLastCompleteFrame = reader.endOfLastCompleteFrame();
    return out;
}

void expectSameReading(const std::string& path) {
    const Reading inline_ = readWith(path, kNeverPrefetch);
    const Reading ahead = readWith(path, 0);
    ASSERT_EQ(inline_.back.opened, ahead.back.opened);
    EXPECT_EQ(inline_.back.outcome, ahead.back.outcome);
    EXPECT_EQ(inline_.back.error, ahead.back.error);
    EXPECT_EQ(inline_.back.endOfLastCompleteFrame, ahead.back.endOfLastCompleteFrame);
    ASSERT_EQ(inline_.back.records.size(), ahead.back.records.size());
    for (std::size_t i = 0; i < ahead.back.records.size(); ++i)
        ASSERT_EQ(describe(inline_.back.records[i]), describe(ahead.back.records[i])) << i;
    EXPECT_EQ(inline_.frameOffsets, ahead.frameOffsets);
    EXPECT_EQ(inline_.bytesConsumed, ahead.bytesConsumed);
}

// Many frames, each of several batches, so batch and frame boundaries fall everywhere.
std::vector<std::vector<Record>> manyFrames(std::size_t frames, std::size_t pairsPerFrame) {
    std::vector<std::vector<Record>> out;
    std::uint64_t time = 1000;
    for (std::size_t f = 0; f < frames; ++f) {
        std::vector<Record> frame;
        if (f == 0) {
            frame.push_back(ThreadRecord{ThreadIndex{0}, time, 4242, "main"});
            frame.push_back(StackNodeRecord{StackId{1}, StackId{0}, 0x401000});
            frame.push_back(StackNodeRecord{StackId{2}, StackId{1}, 0x402000});
        }
        for (std::size_t i = 0; i < pairsPerFrame; ++i) {
            const std::uint64_t address = 0x10000 + 16 * ((f * pairsPerFrame + i) % 977);
            frame.push_back(AllocRecord{ThreadIndex{0}, ++time, address, 16 + i % 500,
                                        StackId{1 + static_cast<std::uint32_t>(i % 2)},
                                        AllocFamily::Malloc});
            frame.push_back(FreeRecord{ThreadIndex{0}, ++time, address, AllocFamily::Malloc});
        }
        if (f + 1 == frames) frame.push_back(EndRecord{++time});
        out.push_back(std::move(frame));
    }
    return out;
}

class Prefetch : public ::testing::Test {
protected:
    void SetUp() override {
        m_frames = manyFrames(12, 3000);
        m_bytes = writeTrace(sampleHeader(), m_frames);
        m_path = tempPath("prefetch.hst");
    }
    void TearDown() override { ::unlink(m_path.c_str()); }

    std::vector<std::vector<Record>> m_frames;
    Bytes m_bytes;
    std::string m_path;
};

TEST_F(Prefetch, WholeTraceReadsTheSameAndMatchesWhatWasWritten) {
    writeFile(m_path, m_bytes);
    expectSameReading(m_path);
    const Reading ahead = readWith(m_path, 0);
    EXPECT_EQ(ReadOutcome::Complete, ahead.back.outcome);
    EXPECT_EQ(m_bytes.size(), ahead.back.endOfLastCompleteFrame);
    std::size_t i = 0;
    for (const auto& frame : m_frames)
        for (const Record& r : frame) {
            ASSERT_LT(i, ahead.back.records.size());
            ASSERT_EQ(describe(r), describe(ahead.back.records[i++]));
        }
    EXPECT_EQ(i, ahead.back.records.size());
}

TEST_F(Prefetch, CutTracesReadTheSame) {
    // Inside the first frame, inside a middle frame, inside the last frame.
    for (const std::size_t size : {m_bytes.size() / 20, m_bytes.size() / 2, m_bytes.size() - 3}) {
        SCOPED_TRACE(size);
        writeFile(m_path, Bytes(m_bytes.begin(), m_bytes.begin() + static_cast<long>(size)));
        expectSameReading(m_path);
        EXPECT_EQ(ReadOutcome::Truncated, readWith(m_path, 0).back.outcome);
    }
}

TEST_F(Prefetch, DamagedMiddleFrameStopsBeforeItInBothModes) {
    Bytes damaged = m_bytes;
    damaged[damaged.size() / 2] ^= 0x5a; // checksum or decoding fails in a middle frame
    writeFile(m_path, damaged);
    expectSameReading(m_path);
    const Reading ahead = readWith(m_path, 0);
    EXPECT_EQ(ReadOutcome::Damaged, ahead.back.outcome);
    EXPECT_NE(std::string::npos, ahead.back.error.find("damaged frame at byte"));
    EXPECT_GT(ahead.back.records.size(), 0u);
    EXPECT_LT(ahead.back.records.size(), 12u * 6000u);
}

TEST_F(Prefetch, DamagedCorpusReadsTheSame) {
    const std::filesystem::path dir =
        std::filesystem::path(HEAPSCOPE_SOURCE_DIR) / "tests/fuzz/corpus";
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        SCOPED_TRACE(entry.path().filename().string());
        expectSameReading(entry.path().string());
    }
}

TEST_F(Prefetch, StoppingEarlyReopeningAndSeekingDoNotHang) {
    writeFile(m_path, m_bytes);
    TraceReader reader;
    reader.setPrefetchBytes(0);
    ASSERT_TRUE(reader.open(m_path));
    Record r;
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(reader.next(r));
    const std::uint64_t firstFrame = reader.frameOffset();
    // Reopen while the read-ahead is busy, then seek back to the first frame mid-way.
    ASSERT_TRUE(reader.open(m_path));
    std::size_t count = 0;
    while (count < 5000 && reader.next(r))
        ++count;
    ASSERT_TRUE(reader.seekFrame(firstFrame));
    std::size_t again = 0;
    while (reader.next(r))
        ++again;
    EXPECT_EQ(ReadOutcome::Complete, reader.outcome());
    EXPECT_EQ(readWith(m_path, kNeverPrefetch).back.records.size(), again);
    EXPECT_FALSE(reader.seekFrame(m_bytes.size() + 1));
    // Destroyed with the read-ahead running: the destructor stops it.
    TraceReader abandoned;
    abandoned.setPrefetchBytes(0);
    ASSERT_TRUE(abandoned.open(m_path));
    ASSERT_TRUE(abandoned.next(r));
}

} // namespace
} // namespace heapscope::format::testing
