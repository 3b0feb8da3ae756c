// Tests of the reports: `leaks` as text and JSON, the run's LEAK SUMMARY lines, and the
// suppression blocks of --gen-suppressions, on a hand-built Model.
#include <gtest/gtest.h>

#include <string>

#include "analysis/suppressions.h"
#include "reports/leaks_json.h"
#include "reports/leaks_text.h"
#include "reports/run_summary.h"
#include "reports/suppression_text.h"
#include "sample_model.h"

namespace heapscope::reports {
namespace {

using format::LeakKind;

analysis::Model leakModel() {
    analysis::Model model = test::sampleModel();
    model.exitLeakCheck = analysis::LeakCheck{};
    model.lossRecords = {
        analysis::LossRecord{LeakKind::StillReachable, StackId{3}, {24'530'000, 34'500}, {}},
        analysis::LossRecord{LeakKind::DefinitelyLost, StackId{1}, {1000, 10}, {2000, 20}},
        analysis::LossRecord{LeakKind::PossiblyLost, StackId{2}, {3000, 30}, {}},
        analysis::LossRecord{LeakKind::IndirectlyLost, StackId{4}, {2000, 20}, {}}};
    model.growth = {analysis::GrowthSite{StackId{5}, 1'048'576, 0, 2'097'152}};
    return model;
}

std::vector<analysis::Frame> oneFrame(StackId stack) { return {test::sampleFrames(stack)[0]}; }

TEST(LeaksText, RecordsInMemchecksWordsLargestFirstWithIndirectBytes) {
    LeaksTextOptions options;
    options.kinds = *analysis::LeakKindSet::parse("definite,possible");
    const std::string text = lossRecordsText(leakModel(), oneFrame, options);
    EXPECT_EQ(text, "3,000 (1,000 direct, 2,000 indirect) bytes in 10 blocks are definitely lost "
                    "in loss record 2 of 4\n"
                    "   at 0x4011D7: make_order(int) (/src/app.cpp:45)\n"
                    "\n"
                    "3,000 bytes in 30 blocks are possibly lost in loss record 3 of 4\n"
                    "   at 0x4011D8: make_order(int) (/src/app.cpp:45)\n"
                    "\n");
}

TEST(LeaksText, SummaryInMemchecksShape) {
    EXPECT_EQ(leakSummaryText(test::sampleModel().summary.leaks),
              "LEAK SUMMARY:\n"
              "   definitely lost: 1,000 bytes in 10 blocks\n"
              "   indirectly lost: 2,000 bytes in 20 blocks\n"
              "     possibly lost: 3,000 bytes in 30 blocks\n"
              "   still reachable: 24,530,000 bytes in 34,500 blocks\n"
              "        suppressed: 678 bytes in 7 blocks\n");
}

TEST(LeaksText, SaysWhenThereWasNoScanOrNothingLeaked) {
    analysis::Model model = leakModel();
    model.exitLeakCheck.reset();
    EXPECT_TRUE(leaksText(model, oneFrame, {}).starts_with("No leak check at exit was recorded"));
    model.exitLeakCheck = analysis::LeakCheck{};
    model.summary.leakedBlocks = 0;
    EXPECT_EQ(leaksText(model, oneFrame, {}),
              "All heap blocks were freed -- no leaks are possible\n");
}

TEST(LeaksText, GrowthSection) {
    const std::string text = growthText(leakModel(), oneFrame);
    EXPECT_EQ(text, "1 call site whose live memory kept growing through the run:\n"
                    "\n"
                    "growing by 1.0 MiB/s, 0 B live at the end, 2.0 MiB at most, from:\n"
                    "   at 0x4011DB: make_order(int) (/src/app.cpp:45)\n");
}

TEST(LeaksJson, ShapeOfDesign) {
    const auto json = leaksJson(leakModel(), oneFrame, analysis::LeakKindSet::all());
    EXPECT_EQ(json.at("summary").at("suppressed").at("bytes"), 678);
    ASSERT_EQ(json.at("records").size(), 4u);
    EXPECT_EQ(json.at("records")[0].at("kind"), "still_reachable");
    const auto& definite = json.at("records")[1];
    EXPECT_EQ(definite.at("kind"), "definitely_lost");
    EXPECT_EQ(definite.at("bytes"), 1000);
    EXPECT_EQ(definite.at("blocks"), 10);
    EXPECT_EQ(definite.at("indirect_bytes"), 2000);
    EXPECT_EQ(definite.at("stack")[0].at("function"), "make_order(int)");
    EXPECT_FALSE(json.at("records")[2].contains("indirect_bytes"));
    ASSERT_EQ(json.at("growth").size(), 1u);
    EXPECT_EQ(json.at("growth")[0].at("bytes_per_second"), 1'048'576);
    EXPECT_EQ(json.at("growth")[0].at("live_bytes_at_end"), 0);
    EXPECT_EQ(json.at("growth")[0].at("peak_live_bytes"), 2'097'152);
    const auto onlyLost =
        leaksJson(leakModel(), oneFrame, *analysis::LeakKindSet::parse("definite"));
    EXPECT_EQ(onlyLost.at("records").size(), 1u);
}

TEST(SuppressionBlock, ParsesBackAndMatchesItsOwnRecord) {
    const analysis::LossRecord record{LeakKind::PossiblyLost, StackId{1}, {3000, 30}, {}};
    const auto frames = test::sampleFrames(StackId{1});
    const std::string block = suppressionBlock(record, frames);
    EXPECT_EQ(block, "{\n"
                     "   <insert_a_suppression_name_here>\n"
                     "   Memcheck:Leak\n"
                     "   match-leak-kinds: possible\n"
                     "   fun:*\n"
                     "   fun:make_order(int)\n"
                     "   fun:fill(Order&)\n"
                     "   obj:*\n"
                     "}\n");
    const auto parsed = analysis::parseSuppressions(block, "gen.supp");
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_TRUE(analysis::suppresses(parsed[0], LeakKind::PossiblyLost, frames));
    EXPECT_FALSE(analysis::suppresses(parsed[0], LeakKind::DefinitelyLost, frames));
}

TEST(RunLeakText, PrefixedSummaryHintAndHeapErrors) {
    const std::string text = runLeakText(leakModel(), oneFrame, {}, "t.hst");
    EXPECT_TRUE(text.starts_with("heapscope: LEAK SUMMARY:\n"
                                 "heapscope:    definitely lost: 1,000 bytes in 10 blocks\n"))
        << text;
    EXPECT_NE(text.find("heapscope: loss records: heapscope leaks t.hst\n"), std::string::npos);
    EXPECT_TRUE(text.ends_with("heapscope: 8 heap errors (see heapscope errors t.hst)\n")) << text;
    const std::string all = runSummaryText(leakModel(), "t.hst", text);
    EXPECT_TRUE(all.ends_with(text + "heapscope: trace written to t.hst\n")) << all;
}

TEST(RunLeakText, ErrorExitCodeCountsHeapErrorsAndChosenKinds) {
    analysis::Model model = leakModel();
    EXPECT_TRUE(runFoundErrors(model, analysis::LeakKindSet::none())); // 8 heap errors
    model.summary.errors = {};
    EXPECT_TRUE(runFoundErrors(model, *analysis::LeakKindSet::parse("definite,indirect")));
    model.lossRecords.erase(model.lossRecords.begin() + 1); // the definite record suppressed
    EXPECT_TRUE(runFoundErrors(model, *analysis::LeakKindSet::parse("definite,indirect")));
    model.lossRecords.pop_back(); // and the indirect one
    EXPECT_FALSE(runFoundErrors(model, *analysis::LeakKindSet::parse("definite,indirect")));
    EXPECT_TRUE(runFoundErrors(model, *analysis::LeakKindSet::parse("reachable")));
}

} // namespace
} // namespace heapscope::reports
