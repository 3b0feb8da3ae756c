// format tests: traces of format version 1 (times in ns, no time quantum in the header) still
// read as they were written. data/v1-sample.bin was written by the version 1 writer.
#include <gtest/gtest.h>

#include <filesystem>

#include "format/writer.h"
#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

const std::string kV1Sample =
    (std::filesystem::path(HEAPSCOPE_SOURCE_DIR) / "tests/unit/format/data/v1-sample.bin").string();

TEST(Version1, SampleTraceReadsBackWithNanosecondTimes) {
    const ReadBack back = readTrace(kV1Sample);
    ASSERT_TRUE(back.opened) << back.error;
    EXPECT_EQ(1u, back.header.version);
    EXPECT_EQ(1u, back.header.timeQuantumNs);
    TraceHeader expected = sampleHeader();
    expected.version = 1;
    EXPECT_EQ(describe(expected), describe(back.header));
    // The file holds sampleFrames() as they were when it was written: times of 10 to 300 ns,
    // which a µs quantum would have rounded to 0.
    std::vector<std::string> written;
    for (const auto& frame : sampleFrames())
        for (const Record& r : frame)
            written.push_back(describe(r));
    ASSERT_EQ(written.size(), back.records.size());
    for (std::size_t i = 0; i < written.size(); ++i)
        EXPECT_EQ(written[i], describe(back.records[i])) << i;
    EXPECT_EQ("Alloc thread=0 t=150 addr=0x5040 size=64 stack=1 family=1",
              describe(back.records[5]));
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
}

TEST(Version1, AppendingKeepsTheTraceVersion1) {
    const std::string path = tempPath("v1-append.hst");
    writeFile(path, readFile(kV1Sample));
    TraceWriter writer;
    ASSERT_TRUE(writer.openAppend(path));
    writer.write(MarkRecord{ThreadIndex{0}, 1'234'567, "appended"});
    ASSERT_TRUE(writer.close());
    const ReadBack back = readTrace(path);
    ASSERT_TRUE(back.opened) << back.error;
    EXPECT_EQ(1u, back.header.version);
    ASSERT_FALSE(back.records.empty());
    EXPECT_EQ("Mark thread=0 t=1234567 name=appended", describe(back.records.back()));
    EXPECT_EQ(ReadOutcome::Complete, back.outcome) << back.error;
}

} // namespace
} // namespace heapscope::format::testing
