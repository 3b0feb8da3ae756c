// format tests: TraceWriter::openAppend, as `heapscope run` uses it to add the exit status to a
// trace, including one whose last frame was cut by a killed program.
#include <gtest/gtest.h>

#include "format/writer.h"
#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

void appendExitStatus(const std::string& path, ExitStatusRecord status) {
    TraceWriter writer;
    ASSERT_TRUE(writer.openAppend(path));
    writer.write(status);
    ASSERT_TRUE(writer.close());
}

TEST(Append, ExitStatusAfterAFrameCutMidWrite) {
    const auto frames = sampleFrames();
    const Bytes full = writeTrace(sampleHeader(), frames);
    const std::size_t firstTwo = writeTrace(sampleHeader(), {frames[0], frames[1]}).size();
    const std::string path = tempPath("cut.hst");
    writeFile(path, Bytes(full.begin(), full.begin() + static_cast<long>(firstTwo + 7)));

    appendExitStatus(path, ExitStatusRecord{true, 9});

    const ReadBack back = readTrace(path);
    ASSERT_TRUE(back.opened) << back.error;
    ASSERT_EQ(frames[0].size() + frames[1].size() + 1, back.records.size());
    EXPECT_EQ(describe(frames[1].back()), describe(back.records[back.records.size() - 2]));
    EXPECT_EQ("ExitStatus signaled=1 code=9", describe(back.records.back()));
    // The End record was in the lost frame.
    EXPECT_EQ(ReadOutcome::Truncated, back.outcome);
    EXPECT_EQ(readFile(path).size(), back.endOfLastCompleteFrame);
}

TEST(Append, ExitStatusAfterACompleteTraceKeepsItComplete) {
    const auto frames = sampleFrames();
    const std::string path = tempPath("complete.hst");
    writeFile(path, writeTrace(sampleHeader(), frames));

    appendExitStatus(path, ExitStatusRecord{false, 3});

    const ReadBack back = readTrace(path);
    ASSERT_EQ(frames[0].size() + frames[1].size() + frames[2].size() + 1, back.records.size());
    EXPECT_EQ("ExitStatus signaled=0 code=3", describe(back.records.back()));
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
}

TEST(Append, HeaderOnlyTraceCutInsideAFrameHeader) {
    const Bytes header = headerBytes(sampleHeader());
    const std::string path = tempPath("header-only.hst");
    writeFile(path, join({header, Bytes{0x48, 0x53, 0x46}}));

    appendExitStatus(path, ExitStatusRecord{false, 0});

    const ReadBack back = readTrace(path);
    ASSERT_EQ(1u, back.records.size());
    EXPECT_EQ("ExitStatus signaled=0 code=0", describe(back.records[0]));
    EXPECT_EQ(ReadOutcome::Truncated, back.outcome);
}

TEST(Append, RefusesWhatIsNotATrace) {
    TraceWriter writer;
    EXPECT_FALSE(writer.openAppend("/nonexistent/trace.hst"));
    EXPECT_FALSE(writer.isOpen());
    const std::string path = tempPath("not-a-trace.hst");
    writeFile(path, Bytes{'h', 'e', 'l', 'l', 'o'});
    EXPECT_FALSE(writer.openAppend(path));
    EXPECT_FALSE(writer.isOpen());
    EXPECT_EQ(Bytes({'h', 'e', 'l', 'l', 'o'}), readFile(path));
}

} // namespace
} // namespace heapscope::format::testing
