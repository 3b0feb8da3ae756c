// Tests of the reports: the text of `summary`, `top`, the end-of-run lines and `dump`.
#include <gtest/gtest.h>

#include <string>

#include "reports/record_text.h"
#include "reports/run_summary.h"
#include "reports/summary_text.h"
#include "reports/top_text.h"
#include "sample_model.h"

namespace heapscope::reports {
namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(SummaryText, ShowsEveryFigureInHumanUnits) {
    const std::string text = summaryText(test::sampleModel());
    EXPECT_TRUE(contains(text, "program:                /usr/bin/order_server\n")) << text;
    EXPECT_TRUE(contains(text, "pid:                    4242\n")) << text;
    EXPECT_TRUE(contains(text, "runtime:                2.31 s\n")) << text;
    EXPECT_TRUE(contains(text, "exit status:            3\n")) << text;
    EXPECT_TRUE(contains(text, "allocations:            1,234,567\n")) << text;
    EXPECT_TRUE(contains(text, "frees:                  1,200,000\n")) << text;
    EXPECT_TRUE(contains(text, "bytes allocated:        812.4 MiB\n")) << text;
    EXPECT_TRUE(contains(text, "peak heap:              45.2 MiB at 1.50 s\n")) << text;
    EXPECT_TRUE(contains(text, "peak RSS:               67.9 MiB\n")) << text;
    EXPECT_TRUE(contains(text, "temporary allocations:  123,456 (10.0% of allocations)\n")) << text;
    EXPECT_TRUE(contains(text, "not freed at exit:      23.4 MiB in 34,567 blocks\n")) << text;
    EXPECT_TRUE(contains(text, "  definitely lost:      1000 B in 10 blocks\n")) << text;
    EXPECT_TRUE(contains(text, "  still reachable:      23.4 MiB in 34,500 blocks\n")) << text;
    EXPECT_TRUE(contains(text, "  suppressed:           678 B in 7 blocks\n")) << text;
    EXPECT_TRUE(contains(text, "heap errors:            1 double frees, 2 invalid frees, "
                               "5 mismatched frees\n"))
        << text;
    EXPECT_FALSE(contains(text, "truncated")) << text;
}

TEST(SummaryText, SaysWhenTheExitStatusIsUnknownAndWhyTheTraceIsShort) {
    analysis::Model model = test::sampleModel();
    model.summary.exitStatus.reset();
    model.summary.truncated = true;
    model.readProblem = "frame at byte 4096 is cut short";
    const std::string text = summaryText(model);
    EXPECT_TRUE(contains(text, "exit status:            unknown\n")) << text;
    EXPECT_TRUE(contains(text, "trace truncated: frame at byte 4096 is cut short\n")) << text;
}

TEST(TopText, ListsEachSiteWithItsFiguresThenItsFrames) {
    const std::vector<analysis::SiteStats> ranked = {test::site(1, 1000, 100'000, 50'000, 0, 12)};
    const std::string text = topText(ranked, SiteOrder::Allocated, test::sampleFrames);
    EXPECT_EQ(text, "1 call site by bytes allocated:\n"
                    "\n"
                    "1,000 calls to allocation functions, 97.7 KiB allocated, 48.8 KiB peak, "
                    "0 B leaked, 12 temporary, from:\n"
                    "  0x4011d7 make_order(int) at /src/app.cpp:45 in /usr/bin/app\n"
                    "  0x401234 [inlined] fill(Order&) at /src/app.cpp:12 in /usr/bin/app\n"
                    "  0x7f0000001000 ??\n");
}

TEST(TopText, SaysSoWhenNoSiteQualifiesOrAStackIsEmpty) {
    EXPECT_EQ(topText({}, SiteOrder::Leaked, test::sampleFrames),
              "no call site has any bytes leaked\n");
    const std::string text = topText({test::site(1, 1, 8, 0, 0, 0)}, SiteOrder::Count,
                                     [](StackId) { return std::vector<analysis::Frame>{}; });
    EXPECT_TRUE(contains(text, "  (no stack recorded)\n")) << text;
}

TEST(RunSummaryText, IsFourLinesWithHumanFigures) {
    EXPECT_EQ(runSummaryText(test::sampleModel(), "heapscope.order_server.4242.hst"),
              "heapscope: 1,234,567 allocations, 1,200,000 frees, 812.4 MiB allocated\n"
              "heapscope: peak heap 45.2 MiB at 1.50 s, peak RSS 67.9 MiB\n"
              "heapscope: 23.4 MiB in 34,567 blocks not freed at exit\n"
              "heapscope: trace written to heapscope.order_server.4242.hst\n");
}

TEST(RunSummaryText, NotesATruncatedTrace) {
    analysis::Model model = test::sampleModel();
    model.summary.truncated = true;
    model.readProblem = "no End record";
    const std::string text = runSummaryText(model, "t.hst");
    EXPECT_TRUE(contains(text, "\nheapscope: trace truncated: no End record\n"
                               "heapscope: trace written to t.hst\n"))
        << text;
}

TEST(RecordText, DescribesRecordsOnOneLine) {
    format::AllocRecord alloc;
    alloc.thread = ThreadIndex(2);
    alloc.timeNs = 1234;
    alloc.address = 0x5581a0;
    alloc.size = 16;
    alloc.stack = StackId(3);
    alloc.family = format::AllocFamily::NewArray;
    EXPECT_EQ(recordText(alloc),
              "alloc thread=2 time=1234 address=0x5581a0 size=16 stack=3 family=new[]");
    EXPECT_EQ(recordText(format::ExitStatusRecord{true, 15}), "exit_status signal=15");
    EXPECT_EQ(recordText(format::LeakVerdictRecord{0x10, format::LeakKind::IndirectlyLost}),
              "leak_verdict address=0x10 kind=indirectly_lost");
    EXPECT_EQ(recordText(format::LeakVerdictRecord{0x10, format::LeakKind::IndirectlyLost, 0x40}),
              "leak_verdict address=0x10 kind=indirectly_lost owner=0x40");
    EXPECT_EQ(recordText(format::LeakCheckRecord{7, true, {{{1, 2}, {3, 4}, {5, 6}, {7, 8}}}}),
              "leak_check time=7 at_exit=1 still_reachable=1/2 possibly_lost=3/4 "
              "indirectly_lost=5/6 definitely_lost=7/8");
}

} // namespace
} // namespace heapscope::reports
