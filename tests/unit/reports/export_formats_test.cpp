// tests (reports): the export formats and CI reports on a hand-built Model whose figures are
// known by construction: folded stacks, massif, DHAT JSON, pprof (decoded back with the same
// proto), JUnit XML.
#include <gtest/gtest.h>

#include "gunzip.h"
#include "reports/check_report.h"
#include "reports/collapsed.h"
#include "reports/dhat_json.h"
#include "reports/junit.h"
#include "reports/massif.h"
#include "reports/pprof.h"
#include "reports/pprof/profile.pb.h"
#include "sample_model.h"

namespace heapscope::reports::test {
namespace {

// Two sites: stack 1 peaks with 300 of 1000 bytes, stack 2 leaks 50.
analysis::Model exportModel() {
    analysis::Model model = sampleModel();
    model.sites = {site(1, 10, 1000, 300, 0, 0), site(2, 2, 50, 0, 50, 0)};
    model.siteLifetimes.resize(3);
    model.siteLifetimes[1] = analysis::SiteLifetime{12345, {400, 4}, 3};
    model.siteLifetimes[2] = analysis::SiteLifetime{777, {50, 1}, 0};
    analysis::Summary& s = model.summary;
    s.allocations = 12;
    s.bytesAllocated = 1050;
    s.peakHeapBytes = 300;
    s.peakHeapTimeNs = 5'000'000;
    s.runtimeNs = 9'000'000;
    s.leakedBytes = 50;
    s.leakedBlocks = 1;
    model.timeline = {{1'000'000, 100, 0}, {5'000'000, 300, 0}, {8'000'000, 50, 0}};
    return model;
}

TEST(Collapsed, OutermostFirstWithTheChosenMetric) {
    const auto model = exportModel();
    // sampleFrames: known (innermost), an inlined frame, an unknown one (outermost).
    // Both stacks have the same names: one line with their sum.
    EXPECT_EQ(collapsedStacks(model, SiteOrder::Allocated, sampleFrames),
              "0x7f0000001000;fill(Order&);make_order(int) 1050\n");
    EXPECT_EQ(collapsedStacks(model, SiteOrder::Leaked, sampleFrames),
              "0x7f0000001000;fill(Order&);make_order(int) 50\n");
}

TEST(Massif, PeakAndEndAreDetailed) {
    const std::string out = massifOutput(exportModel(), sampleFrames);
    EXPECT_NE(out.find("time=5\nmem_heap_B=300\nmem_heap_extra_B=0\nmem_stacks_B=0\n"
                       "heap_tree=peak\n"
                       "n1: 300 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n"
                       " n1: 300 0x4011D7: make_order(int) (/src/app.cpp:45)\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("time=9\nmem_heap_B=50\nmem_heap_extra_B=0\nmem_stacks_B=0\n"
                       "heap_tree=detailed\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.rfind("snapshot=", 0), std::string::npos); // the header comes first
    EXPECT_TRUE(out.starts_with("desc: "));
}

TEST(Massif, AtMostAHundredSnapshotsWithThePeakAmongThem) {
    auto model = exportModel();
    model.timeline.clear();
    // 4096 points rising to the peak at point 3000, then falling.
    for (std::uint64_t i = 0; i < 4096; ++i) {
        const std::uint64_t heap = i <= 3000 ? i : 6000 - i;
        model.timeline.push_back({(i + 1) * 1000, heap, 0});
    }
    model.summary.peakHeapBytes = 3000;
    model.summary.peakHeapTimeNs = 3001 * 1000;
    model.summary.runtimeNs = 5'000'000;
    model.sites = {site(1, 3000, 3000, 3000, 0, 0)};
    const std::string out = massifOutput(model, sampleFrames);
    std::size_t snapshots = 0;
    for (auto pos = out.find("snapshot="); pos != std::string::npos;
         pos = out.find("snapshot=", pos + 1))
        ++snapshots;
    EXPECT_LE(snapshots, kMassifMaxSnapshots);
    EXPECT_GE(snapshots, kMassifMaxSnapshots / 2);
    EXPECT_NE(out.find("mem_heap_B=3000\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=peak\n"),
              std::string::npos);
}

TEST(Dhat, ProgramPointsAndFrameTable) {
    const auto json = dhatJson(exportModel(), sampleFrames);
    EXPECT_EQ(json.at("dhatFileVersion"), 2);
    EXPECT_EQ(json.at("te"), 9'000'000);
    EXPECT_EQ(json.at("tg"), 5'000'000);
    EXPECT_EQ(json.at("ftbl").at(0), "[root]");
    const auto& pps = json.at("pps");
    ASSERT_EQ(pps.size(), 2u); // the two stacks differ in their innermost address
    for (const auto& pp : pps) {
        if (pp.at("tb") != 1000) continue;
        EXPECT_EQ(pp.at("tbk"), 10);
        EXPECT_EQ(pp.at("tl"), 12345);
        EXPECT_EQ(pp.at("mb"), 400);
        EXPECT_EQ(pp.at("mbk"), 4);
        EXPECT_EQ(pp.at("gb"), 300);
        EXPECT_EQ(pp.at("gbk"), 3);
        EXPECT_EQ(pp.at("eb"), 0);
        ASSERT_EQ(pp.at("fs").size(), 3u);
        EXPECT_EQ(json.at("ftbl").at(pp.at("fs").at(0).get<std::size_t>()),
                  "0x4011D7: make_order(int) (/src/app.cpp:45)");
    }
}

TEST(Pprof, ValuesLocationsAndInlineFrames) {
    const auto model = exportModel();
    pprof::Profile profile;
    ASSERT_TRUE(profile.ParseFromString(gunzip(pprofProfile(model, sampleFrames))));
    const auto str = [&profile](std::int64_t i) {
        return profile.string_table(static_cast<int>(i));
    };
    ASSERT_EQ(profile.sample_type_size(), 4);
    EXPECT_EQ(str(profile.sample_type(0).type()), "alloc_objects");
    EXPECT_EQ(str(profile.sample_type(3).type()), "inuse_space");
    EXPECT_EQ(str(profile.sample_type(3).unit()), "bytes");
    ASSERT_EQ(profile.sample_size(), 2);
    const auto& first = profile.sample(0);
    EXPECT_EQ(first.value(0), 10);
    EXPECT_EQ(first.value(1), 1000);
    EXPECT_EQ(first.value(2), 0);
    EXPECT_EQ(profile.sample(1).value(3), 50);
    // Three frames, two locations: the innermost alone, then the inlined frame folded into the
    // location of the frame it is inlined into.
    ASSERT_EQ(first.location_id_size(), 2);
    const auto& inner = profile.location(static_cast<int>(first.location_id(0) - 1));
    ASSERT_EQ(inner.line_size(), 1);
    EXPECT_EQ(inner.line(0).line(), 45);
    const auto& outer = profile.location(static_cast<int>(first.location_id(1) - 1));
    ASSERT_EQ(outer.line_size(), 2);
    EXPECT_EQ(str(profile.function(static_cast<int>(outer.line(0).function_id() - 1)).name()),
              "fill(Order&)");
    EXPECT_EQ(outer.line(0).line(), 12);
    EXPECT_EQ(outer.address(), 0x7f0000001000u);
}

// A sampled trace's Model is already weighted by the replay (tests/unit/reports/
// sampled_reports_test.cpp checks the weights): the profile keeps its figures, not scaled twice.
TEST(Pprof, SampledModelsAreNotScaledTwice) {
    auto model = exportModel();
    model.summary.sampleRate = 100;
    pprof::Profile profile;
    ASSERT_TRUE(profile.ParseFromString(gunzip(pprofProfile(model, sampleFrames))));
    EXPECT_EQ(profile.period(), 100);
    EXPECT_EQ(profile.sample(0).value(1), 1000);
    EXPECT_EQ(profile.sample(0).value(0), 10);
}

TEST(Junit, EscapesAndCountsFailures) {
    const std::string xml =
        junitXml("suite <&>", {{"a", "ok \"fine\"", true}, {"b", "x < y", false}});
    EXPECT_NE(xml.find("<testsuite name=\"suite &lt;&amp;&gt;\" tests=\"2\" failures=\"1\""),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("<failure message=\"x &lt; y\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("ok &quot;fine&quot;"), std::string::npos) << xml;
}

TEST(Check, BudgetLinesNameTheFigure) {
    const analysis::BudgetCheck over{analysis::BudgetFigure::PeakBytes, 2048, 1024, false};
    EXPECT_EQ(budgetLine(over),
              "peak heap 2.0 KiB (2048 B) is over its budget of 1.0 KiB (1024 B)");
    EXPECT_EQ(checkText({over}), "FAIL " + budgetLine(over) + "\n1 budget(s) broken\n");
}

} // namespace
} // namespace heapscope::reports::test
