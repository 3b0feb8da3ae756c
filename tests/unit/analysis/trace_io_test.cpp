// tests (analysis): traces that cannot be opened, traces cut short, and progress reporting.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/analyze.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

TEST(TraceIo, MissingFileOrNotATraceThrows) {
    EXPECT_THROW(analyzeTrace(::testing::TempDir() + "no-such-trace.hst"), AnalysisError);
    const std::string junk = ::testing::TempDir() + "junk.hst";
    std::ofstream(junk) << "this is not a heapscope trace, just some text\n";
    EXPECT_THROW(analyzeTrace(junk), AnalysisError);
    std::filesystem::remove(junk);
}

TEST(TraceIo, CutTraceIsAnalysedUpToTheCut) {
    TraceFile trace("cut");
    trace.stacks(1);
    trace << alloc(10, 0x100, 100, 1) << alloc(20, 0x200, 200, 1) << release(30, 0x100);
    const std::uint64_t firstFrameEnd = trace.flush();
    for (std::uint64_t i = 0; i < 1000; ++i)
        trace << alloc(100 + i, 0x10000 + 16 * i, 7 + i, 1);
    const std::uint64_t secondFrameEnd = trace.flush();
    trace << end(5000);
    trace.close();
    ASSERT_GT(secondFrameEnd, firstFrameEnd + 8);
    std::filesystem::resize_file(trace.path(), (firstFrameEnd + secondFrameEnd) / 2);

    const Model model = analyzeTrace(trace.path());
    EXPECT_TRUE(model.summary.truncated);
    EXPECT_FALSE(model.readProblem.empty());
    EXPECT_EQ(model.summary.allocations, 2u);
    EXPECT_EQ(model.summary.bytesAllocated, 300u);
    EXPECT_EQ(model.summary.frees, 1u);
    EXPECT_EQ(model.summary.leakedBytes, 200u);
    EXPECT_EQ(model.summary.peakHeapBytes, 300u);
    EXPECT_EQ(model.summary.runtimeNs, 30u); // the last timestamp seen
}

TEST(TraceIo, TraceWithoutEndIsTruncated) {
    TraceFile trace("no-end");
    trace.stacks(1);
    trace << alloc(10, 0x100, 100, 1) << alloc(25, 0x200, 1, 1);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_TRUE(model.summary.truncated);
    EXPECT_FALSE(model.readProblem.empty());
    EXPECT_EQ(model.summary.allocations, 2u);
    EXPECT_EQ(model.summary.runtimeNs, 25u);
}

TEST(TraceIo, ProgressEndsAtTheFileSize) {
    TraceFile trace("progress");
    trace.stacks(1);
    trace << alloc(1, 0x100, 1, 1) << end(2);
    trace.close();

    AnalysisProgress last;
    std::uint64_t calls = 0;
    AnalyzeOptions options;
    options.progress = [&](const AnalysisProgress& progress) {
        last = progress;
        ++calls;
    };
    analyzeTrace(trace.path(), options);
    EXPECT_GE(calls, 1u);
    EXPECT_EQ(last.fileBytes, std::filesystem::file_size(trace.path()));
    EXPECT_EQ(last.bytesRead, last.fileBytes);
    EXPECT_EQ(last.records, 3u); // the stack node, the alloc and the end
}

} // namespace
} // namespace heapscope::analysis::test
