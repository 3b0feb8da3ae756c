// e2e: --from/--to windows, top --at peak and `heapscope index` on victim `timeline`, whose
// marks bound phases of known allocations (ground truth in tests/victims/timeline.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <regex>

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

// One number of a query that returns a single integer, or nothing (NULL, no row).
std::optional<std::uint64_t> queryNumber(const std::string& trace, const std::string& sql) {
    const Result result = heapscope({"query", trace, sql, "--format", "json"});
    EXPECT_EQ(result.exitCode(), 0) << result.err;
    const auto rows = nlohmann::json::parse(result.out);
    if (rows.empty() || rows.front().empty() || rows.front().begin()->is_null()) return {};
    return rows.front().begin()->get<std::uint64_t>();
}

// A duration as the reports print it ("2.31 s", "45.0 ms", "812.0 us") is within half its last
// digit of ns.
void expectDurationNear(const std::string& number, const std::string& unit, std::uint64_t ns) {
    const double scale = unit == "s" ? 1e9 : unit == "ms" ? 1e6 : 1e3;
    const double step = unit == "s" ? 0.01 : 0.1;
    EXPECT_NEAR(std::stod(number) * scale, static_cast<double>(ns), step * scale / 2 + 1)
        << number << " " << unit;
}

// The "A to B of C" (or "at A of C") after "window:" on a line of text, checked against ns.
void expectWindowLine(const std::string& text, std::uint64_t from, std::uint64_t to,
                      std::uint64_t end) {
    static const std::regex kSpan(R"((?:^|\n)window: *([0-9.]+) (s|ms|us) to ([0-9.]+) (s|ms|us) )"
                                  R"(of ([0-9.]+) (s|ms|us)\n)");
    static const std::regex kInstant(R"((?:^|\n)window: *at ([0-9.]+) (s|ms|us) of ([0-9.]+) )"
                                     R"((s|ms|us)\n)");
    std::smatch m;
    if (from == to) {
        ASSERT_TRUE(std::regex_search(text, m, kInstant)) << text;
        expectDurationNear(m[1], m[2], from);
        expectDurationNear(m[3], m[4], end);
        return;
    }
    ASSERT_TRUE(std::regex_search(text, m, kSpan)) << text;
    expectDurationNear(m[1], m[2], from);
    expectDurationNear(m[3], m[4], to);
    expectDurationNear(m[5], m[6], end);
}

TEST(TimeWindow, ReportsNameTheWindowTheyShow) {
    ASSERT_TRUE(exitedCleanly(timeline().result));
    const std::string& trace = timeline().trace;
    auto marks = markTimes(trace);
    const std::uint64_t from = marks["rise"];
    const std::uint64_t to = marks["fall"];
    const std::uint64_t end = summaryJson(trace).at("runtime_ns");
    const std::vector<std::string> span{"--from", std::to_string(from), "--to", std::to_string(to)};
    const auto with = [&trace](std::vector<std::string> args,
                               const std::vector<std::string>& more) {
        args.insert(args.begin() + 1, trace);
        args.insert(args.end(), more.begin(), more.end());
        return args;
    };

    const auto json = windowJson(with({"summary", "--json"}, span));
    ASSERT_TRUE(json.contains("window")) << json.dump();
    EXPECT_EQ(json.at("window"), (nlohmann::json{{"from_ns", from}, {"to_ns", to}}));
    EXPECT_FALSE(summaryJson(trace).contains("window"));
    // Without --to the window runs to the end of the recording.
    EXPECT_EQ(windowJson(with({"summary", "--json"}, {"--from", std::to_string(from)}))
                  .at("window")
                  .at("to_ns"),
              end);

    for (const std::string command : {"summary", "top", "timeline"}) {
        SCOPED_TRACE(command);
        const Result windowed = heapscope(with({command}, span));
        ASSERT_EQ(windowed.exitCode(), 0) << windowed.err;
        expectWindowLine(windowed.out, from, to, end);
        const Result whole = heapscope({command, trace});
        ASSERT_EQ(whole.exitCode(), 0) << whole.err;
        EXPECT_EQ(whole.out.find("window:"), std::string::npos) << whole.out;
    }
    const Result atPeak = heapscope({"top", trace, "--at", "peak"});
    ASSERT_EQ(atPeak.exitCode(), 0) << atPeak.err;
    expectWindowLine(atPeak.out, summaryJson(trace).at("peak_heap_time_ns"),
                     summaryJson(trace).at("peak_heap_time_ns"), end);

    TempDir dir;
    for (const std::string file : {"flame.svg", "flame.html", "timeline.svg"}) {
        SCOPED_TRACE(file);
        const std::string command = file == "timeline.svg" ? "timeline" : "flamegraph";
        const std::string windowed = dir.file("window-" + file);
        const std::string whole = dir.file(file);
        ASSERT_EQ(heapscope(with({command, "-o", windowed}, span)).exitCode(), 0);
        ASSERT_EQ(heapscope({command, trace, "-o", whole}).exitCode(), 0);
        EXPECT_NE(fileContents(windowed).find("(window: "), std::string::npos);
        EXPECT_EQ(fileContents(whole).find("(window: "), std::string::npos);
    }
}

// The RSS in effect when a window opens is the last sample before it: the fall, which takes
// well under the sampling interval, still shows the RSS of the risen heap.
TEST(TimeWindow, RssInEffectAtTheStartCounts) {
    ASSERT_TRUE(exitedCleanly(timeline().result));
    const std::string& trace = timeline().trace;
    auto marks = markTimes(trace);
    const std::string from = std::to_string(marks["fall"]);
    const std::string to = std::to_string(marks["after"]);
    const auto before = queryNumber(trace, "SELECT rss_bytes FROM samples WHERE time <= " + from +
                                               " ORDER BY time DESC LIMIT 1");
    const auto inside = queryNumber(trace, "SELECT max(rss_bytes) FROM samples WHERE time > " +
                                               from + " AND time <= " + to);
    ASSERT_TRUE(before.has_value()) << "no RSS sample before the fall";
    EXPECT_GT(*before, 0u);
    const auto summary = windowJson({"summary", trace, "--from", from, "--to", to, "--json"});
    EXPECT_EQ(summary.at("peak_rss_bytes"), std::max(*before, inside.value_or(0)));
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
