// e2e: --from/--to windows, top --at peak and `heapscope index` on victim `timeline`, whose
// marks bound phases of known allocations (ground truth in tests/victims/timeline.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

const Recording& timeline() { return recordOnce({victimPath("victim_timeline")}); }

// Mark name -> time in ns, read through the SQL view of the trace.
std::map<std::string, std::uint64_t> markTimes(const std::string& trace) {
    const Result result =
        heapscope({"query", trace, "SELECT name, time FROM marks", "--format", "json"});
    EXPECT_EQ(result.exitCode(), 0) << result.err;
    std::map<std::string, std::uint64_t> marks;
    for (const auto& row : nlohmann::json::parse(result.out))
        marks[row.at("name").get<std::string>()] = row.at("time").get<std::uint64_t>();
    return marks;
}

nlohmann::json windowJson(const std::vector<std::string>& args) {
    const Result result = heapscope(args);
    EXPECT_EQ(result.exitCode(), 0) << result.err;
    return nlohmann::json::parse(result.out);
}

TEST(TimeWindow, RiseWindowCountsTheRiseAndStartsFromTheBase) {
    ASSERT_TRUE(exitedCleanly(timeline().result));
    auto marks = markTimes(timeline().trace);
    const std::string from = std::to_string(marks["rise"]);
    const std::string to = std::to_string(marks["fall"]);
    const auto summary =
        windowJson({"summary", timeline().trace, "--from", from, "--to", to, "--json"});
    EXPECT_EQ(summary.at("allocations"), 56u);
    EXPECT_EQ(summary.at("bytes_allocated"), 56 * kMiB);
    EXPECT_EQ(summary.at("frees"), 0u);
    EXPECT_EQ(summary.at("peak_heap_bytes"), summaryJson(timeline().trace).at("peak_heap_bytes"));
    EXPECT_GE(summary.at("leaked_bytes").get<std::uint64_t>(), 64 * kMiB); // live at its end

    const auto top =
        windowJson({"top", timeline().trace, "--from", from, "--to", to, "--json", "-n", "100"});
    EXPECT_EQ(siteTotals(top, "timeline_rise").allocations, 56u);
    EXPECT_EQ(siteTotals(top, "timeline_base").allocations, 0u);
    EXPECT_EQ(siteTotals(top, "timeline_after").allocations, 0u);
}

TEST(TimeWindow, FallWindowStartsAtThePeakAndEndsWithTheBase) {
    ASSERT_TRUE(exitedCleanly(timeline().result));
    auto marks = markTimes(timeline().trace);
    const auto summary =
        windowJson({"summary", timeline().trace, "--from", std::to_string(marks["fall"]), "--to",
                    std::to_string(marks["after"]), "--json"});
    EXPECT_EQ(summary.at("allocations"), 0u);
    EXPECT_EQ(summary.at("frees"), 56u);
    EXPECT_GE(summary.at("peak_heap_bytes").get<std::uint64_t>(), 64 * kMiB);
    EXPECT_GE(summary.at("leaked_bytes").get<std::uint64_t>(), 8 * kMiB);
    EXPECT_LT(summary.at("leaked_bytes").get<std::uint64_t>(), 9 * kMiB);
}

TEST(TimeWindow, TopAtPeakIsTheLiveSetAtThePeak) {
    ASSERT_TRUE(exitedCleanly(timeline().result));
    const auto top = windowJson({"top", timeline().trace, "--at", "peak", "--json"});
    ASSERT_FALSE(top.empty());
    EXPECT_TRUE(stackContains(top.front().at("stack"), "timeline_rise")) << top.front().dump();
    EXPECT_EQ(siteTotals(top, "timeline_rise").peakBytes, 56 * kMiB);
    EXPECT_EQ(siteTotals(top, "timeline_base").peakBytes, 8 * kMiB);
    EXPECT_EQ(siteTotals(top, "timeline_after").peakBytes, 0u);
    EXPECT_EQ(sumOf(top, "allocations"), 0u);
}

TEST(TimeWindow, IndexCommandBuildsThenReuses) {
    ASSERT_TRUE(exitedCleanly(timeline().result));
    TempDir dir;
    const std::string trace = dir.file("copy.hst");
    std::filesystem::copy_file(timeline().trace, trace);
    const Result built = heapscope({"index", trace});
    EXPECT_EQ(built.exitCode(), 0) << built.err;
    EXPECT_NE(built.out.find("(built)"), std::string::npos) << built.out;
    EXPECT_TRUE(std::filesystem::exists(trace + ".hsi"));
    const Result reused = heapscope({"index", trace});
    EXPECT_NE(reused.out.find("(up to date)"), std::string::npos) << reused.out;
}

TEST(TimeWindow, BadTimesAreOneLineAndStatus2) {
    ASSERT_TRUE(exitedCleanly(timeline().result));
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"summary", timeline().trace, "--from", "2s", "--to", "1s"},
             {"summary", timeline().trace, "--from", "soon"},
             {"top", timeline().trace, "--to", "-5ms"},
             {"top", timeline().trace, "--at", "peak", "--from", "1ms"},
             {"top", timeline().trace, "--at", "yesterday"},
             {"timeline", timeline().trace, "--from", "1h"}}) {
        const Result result = heapscope(args);
        EXPECT_EQ(result.exitCode(), 2) << args[2] << " " << args[3];
        EXPECT_TRUE(result.out.empty());
        EXPECT_EQ(result.err.rfind("heapscope: ", 0), 0u) << result.err;
        EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << result.err;
    }
}

} // namespace
} // namespace heapscope::e2e
