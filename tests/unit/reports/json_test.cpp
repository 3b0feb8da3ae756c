// Tests of the reports: `summary --json`, `top --json` and the frame shape, against DESIGN.md.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "reports/json_frames.h"
#include "reports/summary_json.h"
#include "reports/top_json.h"
#include "sample_model.h"

namespace heapscope::reports {
namespace {

using Json = nlohmann::ordered_json;

void expectUnsigned(const Json& object, const std::string& key, std::uint64_t expected) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(object.contains(key));
    ASSERT_TRUE(object.at(key).is_number_unsigned());
    EXPECT_EQ(object.at(key).get<std::uint64_t>(), expected);
}

void expectByteCount(const Json& leaks, const std::string& kind, std::uint64_t bytes,
                     std::uint64_t blocks) {
    SCOPED_TRACE(kind);
    ASSERT_TRUE(leaks.contains(kind));
    EXPECT_EQ(leaks.at(kind).size(), 2u);
    expectUnsigned(leaks.at(kind), "bytes", bytes);
    expectUnsigned(leaks.at(kind), "blocks", blocks);
}

TEST(SummaryJson, HasEveryKeyOfTheDesignShapeWithItsValue) {
    const Json json = summaryJson(test::sampleModel().summary);
    ASSERT_TRUE(json.is_object());
    EXPECT_EQ(json.size(), 19u);
    EXPECT_EQ(json.at("program"), "/usr/bin/order_server");
    expectUnsigned(json, "pid", 4242);
    expectUnsigned(json, "runtime_ns", 2'310'000'000);
    ASSERT_TRUE(json.at("exit_status").is_number_integer());
    EXPECT_EQ(json.at("exit_status").get<int>(), 3);
    EXPECT_EQ(json.at("truncated"), false);
    expectUnsigned(json, "sample_rate", 0);
    expectUnsigned(json, "paused_ns", 0);
    expectUnsigned(json, "threads", 4);
    expectUnsigned(json, "allocations", 1'234'567);
    expectUnsigned(json, "frees", 1'200'000);
    expectUnsigned(json, "bytes_allocated", 851'863'142);
    expectUnsigned(json, "peak_heap_bytes", 47'395'635);
    expectUnsigned(json, "peak_heap_time_ns", 1'500'000'000);
    expectUnsigned(json, "peak_rss_bytes", 71'198'310);
    expectUnsigned(json, "temporary_allocations", 123'456);
    expectUnsigned(json, "leaked_bytes", 24'536'678);
    expectUnsigned(json, "leaked_blocks", 34'567);

    const Json& leaks = json.at("leaks");
    EXPECT_EQ(leaks.size(), 5u);
    expectByteCount(leaks, "definitely_lost", 1000, 10);
    expectByteCount(leaks, "indirectly_lost", 2000, 20);
    expectByteCount(leaks, "possibly_lost", 3000, 30);
    expectByteCount(leaks, "still_reachable", 24'530'000, 34'500);
    expectByteCount(leaks, "suppressed", 678, 7);

    const Json& errors = json.at("errors");
    EXPECT_EQ(errors.size(), 3u);
    expectUnsigned(errors, "double_free", 1);
    expectUnsigned(errors, "invalid_free", 2);
    expectUnsigned(errors, "mismatched_free", 5);
}

TEST(SummaryJson, UnknownExitStatusIsNullAndTruncationIsShown) {
    analysis::Summary summary = test::sampleModel().summary;
    summary.exitStatus.reset();
    summary.truncated = true;
    const Json json = summaryJson(summary);
    EXPECT_TRUE(json.at("exit_status").is_null());
    EXPECT_EQ(json.at("truncated"), true);
}

TEST(SummaryJson, IntegersAboveDoublePrecisionStayExact) {
    analysis::Summary summary;
    summary.bytesAllocated = std::numeric_limits<std::uint64_t>::max();
    summary.allocations = (1ull << 53) + 1;
    const std::string text = summaryJson(summary).dump();
    EXPECT_NE(text.find("\"bytes_allocated\":18446744073709551615"), std::string::npos);
    EXPECT_NE(text.find("\"allocations\":9007199254740993"), std::string::npos);
}

TEST(FrameJson, KnownFieldsAreFilledAndUnknownOnesAreNull) {
    const auto frames = test::sampleFrames(StackId(0));
    const Json known = frameJson(frames[0]);
    EXPECT_EQ(known.dump(), R"j({"address":"0x4011d6","function":"make_order(int)",)j"
                            R"j("file":"/src/app.cpp","line":45,"module":"/usr/bin/app",)j"
                            R"j("inlined":false})j");
    const Json unknown = frameJson(frames[2]);
    EXPECT_EQ(unknown.dump(), R"j({"address":"0x7f0000001000","function":null,"file":null,)j"
                              R"j("line":null,"module":null,"inlined":false})j");
    EXPECT_EQ(frameJson(frames[1]).at("inlined"), true);
}

TEST(StackJson, KeepsTheFramesInnermostFirst) {
    const Json stack = stackJson(test::sampleFrames(StackId(0)));
    ASSERT_EQ(stack.size(), 3u);
    EXPECT_EQ(stack[0].at("address"), "0x4011d6");
    EXPECT_EQ(stack[1].at("address"), "0x401234");
    EXPECT_EQ(stack[2].at("address"), "0x7f0000001000");
    EXPECT_TRUE(stackJson({}).is_array());
    EXPECT_TRUE(stackJson({}).empty());
}

TEST(TopJson, HasTheFiguresAndTheStackOfEachSiteInOrder) {
    const std::vector<analysis::SiteStats> ranked = {test::site(7, 1000, 100'000, 50'000, 0, 12),
                                                     test::site(2, 3, 300, 200, 100, 0)};
    std::vector<StackId> resolved;
    const Json json = topJson(ranked, [&resolved](StackId stack) {
        resolved.push_back(stack);
        return test::sampleFrames(stack);
    });
    ASSERT_TRUE(json.is_array());
    ASSERT_EQ(json.size(), 2u);
    EXPECT_EQ(json[0].size(), 6u);
    expectUnsigned(json[0], "allocations", 1000);
    expectUnsigned(json[0], "bytes_allocated", 100'000);
    expectUnsigned(json[0], "peak_bytes", 50'000);
    expectUnsigned(json[0], "leaked_bytes", 0);
    expectUnsigned(json[0], "temporary_allocations", 12);
    ASSERT_EQ(json[0].at("stack").size(), 3u);
    EXPECT_EQ(json[0].at("stack")[0].at("address"), "0x4011dd");
    expectUnsigned(json[1], "allocations", 3);
    expectUnsigned(json[1], "leaked_bytes", 100);
    EXPECT_EQ(json[1].at("stack")[0].at("address"), "0x4011d8");
    EXPECT_EQ(resolved, (std::vector<StackId>{StackId(7), StackId(2)}));
}

} // namespace
} // namespace heapscope::reports
