// tests (analysis): Recording records become the Model's paused intervals and the summary's
// paused time; a pause never resumed lasts to the end of the run.
#include <gtest/gtest.h>

#include "analysis/analyze.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

TEST(Paused, IntervalsFromRecordingRecords) {
    TraceFile trace("paused");
    trace << format::RecordingRecord{0, false} << format::RecordingRecord{10, true}
          << format::RecordingRecord{30, false} << format::RecordingRecord{35, false}
          << format::RecordingRecord{50, true} << format::RecordingRecord{60, false} << end(100);
    trace.close();
    const Model model = analyzeTrace(trace.path());
    ASSERT_EQ(model.paused.size(), 3u);
    EXPECT_EQ(model.paused[0].startNs, 0u);
    EXPECT_EQ(model.paused[0].endNs, 10u);
    // A second "off" while off changes nothing.
    EXPECT_EQ(model.paused[1].startNs, 30u);
    EXPECT_EQ(model.paused[1].endNs, 50u);
    EXPECT_EQ(model.paused[2].startNs, 60u);
    EXPECT_EQ(model.paused[2].endNs, 100u);
    EXPECT_EQ(model.summary.pausedNs, 10u + 20u + 40u);
}

TEST(Paused, NoRecordsNoPause) {
    TraceFile trace("unpaused");
    trace << format::RecordingRecord{5, true} << end(100);
    trace.close();
    const Model model = analyzeTrace(trace.path());
    EXPECT_TRUE(model.paused.empty());
    EXPECT_EQ(model.summary.pausedNs, 0u);
}

} // namespace
} // namespace heapscope::analysis::test
