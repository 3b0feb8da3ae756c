// tests (analysis): the trace index sidecar is reused while the trace is unchanged, rebuilt when
// the trace grows, and a damaged or foreign sidecar is rebuilt without a crash.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "analysis/trace_index_builder.h"
#include "analysis/window.h"
#include "format/writer.h"
#include "window_trace.h"

namespace heapscope::analysis::test {
namespace {

const IndexOptions kSmallSpacing{64u << 10, {}};

std::vector<char> readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(TraceIndex, ReusedWhileTheTraceIsUnchangedAndRebuiltWhenItGrows) {
    GeneratedTrace trace("index_reuse");
    const LoadedIndex first = loadOrBuildIndex(trace.path(), kSmallSpacing);
    EXPECT_TRUE(first.built);
    EXPECT_TRUE(first.saved);
    EXPECT_TRUE(std::filesystem::exists(indexPathFor(trace.path())));
    EXPECT_EQ(first.index.events, 200000u + 515u); // the churn and the late thread's blocks

    const LoadedIndex again = loadOrBuildIndex(trace.path(), kSmallSpacing);
    EXPECT_FALSE(again.built);
    EXPECT_EQ(again.index.frames.size(), first.index.frames.size());
    EXPECT_EQ(again.index.checkpoints.size(), first.index.checkpoints.size());
    EXPECT_EQ(again.index.peakHeapBytes, first.index.peakHeapBytes);

    // `run` appends its exit status to a finished trace: the index must follow.
    format::TraceWriter appender;
    ASSERT_TRUE(appender.openAppend(trace.path()));
    appender.write(format::ExitStatusRecord{false, 3});
    ASSERT_TRUE(appender.close());
    const LoadedIndex grown = loadOrBuildIndex(trace.path(), kSmallSpacing);
    EXPECT_TRUE(grown.built);
    EXPECT_EQ(grown.index.frames.size(), first.index.frames.size() + 1);
    EXPECT_EQ(grown.index.traceBytes, std::filesystem::file_size(trace.path()));
}

TEST(TraceIndex, RebuiltWhenTheTraceIsRewrittenWithTheSameSize) {
    GeneratedTrace trace("index_mtime");
    const LoadedIndex first = loadOrBuildIndex(trace.path(), kSmallSpacing);
    ASSERT_TRUE(first.saved);
    const auto mtime = std::filesystem::last_write_time(trace.path());
    std::filesystem::last_write_time(trace.path(), mtime + std::chrono::seconds(5));
    EXPECT_TRUE(loadOrBuildIndex(trace.path(), kSmallSpacing).built);
}

TEST(TraceIndex, ForeignOrEmptySidecarIsRebuilt) {
    GeneratedTrace trace("index_foreign");
    const std::string sidecar = indexPathFor(trace.path());
    for (const std::string& content : {std::string(), std::string("not an index at all"),
                                       std::string("HSINDEX1\x07\0\0\0", 12)}) {
        writeBytes(sidecar, std::vector<char>(content.begin(), content.end()));
        const LoadedIndex loaded = loadOrBuildIndex(trace.path(), kSmallSpacing);
        EXPECT_TRUE(loaded.built);
        format::TraceIndex reread;
        std::string why;
        EXPECT_TRUE(format::readIndex(sidecar, reread, why)) << why;
    }
}

// Every damaged copy of the sidecar (bytes flipped across the whole file, cut at many lengths)
// is either refused and rebuilt or still sound; the window's figures never change.
TEST(TraceIndex, DamagedSidecarNeverChangesTheFigures) {
    GeneratedTrace trace("index_damage");
    const TimeWindow window{trace.lastTimeNs() / 2, trace.lastTimeNs() / 2 + 50000};
    const Model expected = analyzeWindowSequential(trace.path(), window);
    const std::string sidecar = indexPathFor(trace.path());
    ASSERT_TRUE(buildIndex(trace.path(), kSmallSpacing).saved);
    const std::vector<char> good = readBytes(sidecar);
    ASSERT_GT(good.size(), 100u);

    const std::size_t step = std::max<std::size_t>(1, good.size() / 60);
    for (std::size_t at = 0; at < good.size(); at += step) {
        SCOPED_TRACE(testing::Message() << "byte " << at << " of " << good.size());
        std::vector<char> bad = good;
        bad[at] = static_cast<char>(bad[at] ^ 0x5A);
        writeBytes(sidecar, bad);
        expectSameFigures(analyzeWindow(trace.path(), window), expected);
        writeBytes(sidecar, std::vector<char>(good.begin(), good.begin() + static_cast<long>(at)));
        expectSameFigures(analyzeWindow(trace.path(), window), expected);
    }
}

} // namespace
} // namespace heapscope::analysis::test
