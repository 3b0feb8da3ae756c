// e2e: what people look at — the ASCII timeline (victim `timeline`, ground truth in
// tests/victims/timeline.cpp), the SVG charts (well-formed XML, checked with python3's
// xml.etree), and the HTML report and flame graph as headless Chromium shows them, including
// symbols made to break out of the markup (victim `hostile`).
#include <algorithm>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "browser.h"
#include "dom_text.h"
#include "heapscope_cli.h"
#include "process.h"

namespace heapscope::e2e {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr int kColumns = 72; // the graph's geometry, stated in src/reports/timeline_text.h
constexpr int kRows = 20;
constexpr std::size_t kLabelWidth = 10;
const std::string kHostileName = "</script><img src=x onerror=hostileRan=1>&amp;";

const Recording& timelineRun() { return recordOnce({victimPath("victim_timeline")}); }
const Recording& hostileRun() { return recordOnce({victimPath("victim_hostile")}); }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

std::string screenshotPath(const std::string& name) {
    std::filesystem::create_directories(HEAPSCOPE_SCREENSHOT_DIR);
    return std::string(HEAPSCOPE_SCREENSHOT_DIR) + "/" + name + ".png";
}

// Runs `heapscope ARGS...`, expecting success.
void heapscopeOk(const std::vector<std::string>& args) {
    const Result result = heapscope(args);
    ASSERT_TRUE(result.exited() && result.exitCode() == 0) << result.describe();
}

// python3's xml.etree parses the file (it rejects anything not well-formed) and prints the
// text of every element, so a test can see what a viewer would show as text.
Result xmlText(const std::string& path) {
    Command command;
    command.argv = {"/usr/bin/python3", "-c",
                    "import sys, xml.etree.ElementTree as E\n"
                    "sys.stdout.write('\\n'.join(E.parse(sys.argv[1]).getroot().itertext()))",
                    path};
    return run(command);
}

TEST(Timeline, AsciiGraphShowsThePeakAtItsHeightAndTime) {
    ASSERT_TRUE(exitedCleanly(timelineRun().result));
    const auto summary = summaryJson(timelineRun().trace);
    const auto peak = summary.at("peak_heap_bytes").get<std::uint64_t>();
    const auto peakTime = summary.at("peak_heap_time_ns").get<std::uint64_t>();
    const auto runtime = summary.at("runtime_ns").get<std::uint64_t>();
    const auto rss = summary.at("peak_rss_bytes").get<std::uint64_t>();
    EXPECT_GE(peak, 64 * kMiB);
    EXPECT_LT(peak, 64 * kMiB + 64 * 1024) << "nothing else is live at the peak but stdio";

    const Result result = heapscope({"timeline", timelineRun().trace});
    ASSERT_TRUE(result.exited() && result.exitCode() == 0) << result.describe();
    std::vector<std::string> graph;
    std::string markRow;
    for (const auto& line : lines(result.out)) {
        if (line.size() > kLabelWidth && line[kLabelWidth] == '|')
            graph.push_back(line.substr(kLabelWidth + 1));
        if (line.starts_with("     marks ")) markRow = line.substr(kLabelWidth + 1);
    }
    ASSERT_EQ(graph.size(), static_cast<std::size_t>(kRows)) << result.out;

    // The one column drawn with '#', and how many rows it fills.
    std::vector<std::size_t> peakColumns;
    int peakRows = 0;
    for (std::size_t c = 0; c < static_cast<std::size_t>(kColumns); ++c) {
        int rows = 0;
        for (const auto& row : graph)
            rows += c < row.size() && row[c] == '#';
        if (rows > 0) {
            peakColumns.push_back(c);
            peakRows = rows;
        }
    }
    ASSERT_EQ(peakColumns.size(), 1u) << result.out;
    const auto expectedColumn =
        std::min<std::uint64_t>(kColumns - 1, peakTime * kColumns / runtime);
    EXPECT_EQ(peakColumns[0], expectedColumn) << result.out;
    const std::uint64_t yMax = std::max(peak, rss);
    EXPECT_EQ(static_cast<std::uint64_t>(peakRows), (peak * kRows + yMax - 1) / yMax) << result.out;

    // Marks A..D are base, rise, fall, after: the peak lies between rise and fall.
    const auto rise = markRow.find('B');
    const auto fall = markRow.find('C');
    ASSERT_NE(rise, std::string::npos) << result.out;
    ASSERT_NE(fall, std::string::npos) << result.out;
    EXPECT_LE(rise, peakColumns[0]);
    EXPECT_GE(fall, peakColumns[0]);
    EXPECT_NE(result.out.find("  B at "), std::string::npos);
    EXPECT_NE(result.out.find(": rise\n"), std::string::npos) << result.out;

    // The tree of the peak: 56 MiB from timeline_rise, 8 MiB from timeline_base.
    EXPECT_NE(result.out.find("(56.0 MiB) timeline_rise()"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("(8.0 MiB) timeline_base()"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("timeline_after()"), std::string::npos) << "no part in the peak";
}

// On a terminal the analysis draws a progress bar on stderr (`script` from util-linux gives the
// command one); in a pipe, as in every other test, stderr stays empty.
TEST(Progress, BarOnATerminalSilenceOtherwise) {
    const std::string& trace = timelineRun().trace;
    const Result piped = heapscope({"summary", trace});
    ASSERT_TRUE(exitedCleanly(piped));
    EXPECT_EQ(piped.err, "");
    Command command;
    command.argv = {"/usr/bin/script", "-qec", heapscopeBinary() + " summary '" + trace + "'",
                    "/dev/null"};
    const Result onTerminal = run(command);
    ASSERT_TRUE(exitedCleanly(onTerminal));
    EXPECT_NE(onTerminal.out.find("100.0% of the trace"), std::string::npos) << onTerminal.out;
    EXPECT_NE(onTerminal.out.find(" events, "), std::string::npos) << onTerminal.out;
}

TEST(Timeline, SvgIsWellFormedAndNamesTheMarks) {
    ASSERT_TRUE(exitedCleanly(timelineRun().result));
    TempDir dir;
    const std::string svg = dir.file("timeline.svg");
    heapscopeOk({"timeline", timelineRun().trace, "-o", svg});
    const Result parsed = xmlText(svg);
    ASSERT_TRUE(parsed.exited() && parsed.exitCode() == 0) << parsed.describe();
    for (const char* mark : {"base", "rise", "fall", "after"})
        EXPECT_NE(parsed.out.find(std::string("\n") + mark + "\n"), std::string::npos) << mark;
    EXPECT_NE(parsed.out.find("peak 64.0 MiB"), std::string::npos) << parsed.out;
}

TEST(Flamegraph, HostileNamesStayTextInSvg) {
    ASSERT_TRUE(exitedCleanly(hostileRun().result));
    TempDir dir;
    const std::string svg = dir.file("flame.svg");
    heapscopeOk({"flamegraph", hostileRun().trace, "-o", svg});
    const Result parsed = xmlText(svg);
    ASSERT_TRUE(parsed.exited() && parsed.exitCode() == 0) << parsed.describe();
    EXPECT_NE(parsed.out.find(kHostileName), std::string::npos) << parsed.out;
    EXPECT_NE(parsed.out.find("hostile_template<script>()"), std::string::npos) << parsed.out;
}

class BrowserTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!chromiumBinary()) GTEST_SKIP() << "chromium is not installed";
    }
};

// The figures the page shows, keyed by their summary --json path ("leaks.definitely_lost.bytes").
constexpr const char* kPageFigures =
    "Object.fromEntries([...document.querySelectorAll('#summary [data-key]')]"
    ".map(e => [e.dataset.key, e.textContent]))";

std::uint64_t leadingNumber(const std::string& text) {
    std::string digits;
    for (const char c : text) {
        if (c == ',') continue;
        if (c < '0' || c > '9') break;
        digits += c;
    }
    return digits.empty() ? ~std::uint64_t{0} : std::stoull(digits);
}

TEST_F(BrowserTest, ReportShowsTheSummaryFiguresWithoutErrors) {
    ASSERT_TRUE(exitedCleanly(timelineRun().result));
    TempDir dir;
    const std::string page = dir.file("report.html");
    heapscopeOk({"report", timelineRun().trace, "-o", page});
    Browser browser;
    browser.open(page);
    const auto figures = browser.evaluate(kPageFigures);
    browser.screenshot(screenshotPath("report_timeline"));
    EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());

    const auto summary = summaryJson(timelineRun().trace);
    std::size_t compared = 0;
    for (const auto& [key, value] : summary.items()) {
        if (!value.is_number_unsigned()) continue;
        ASSERT_TRUE(figures.contains(key)) << key << " missing from " << figures.dump();
        EXPECT_EQ(leadingNumber(figures[key].get<std::string>()), value.get<std::uint64_t>())
            << key;
        ++compared;
    }
    for (const auto& [kind, count] : summary.at("leaks").items()) {
        for (const char* field : {"bytes", "blocks"}) {
            const std::string key = "leaks." + kind + "." + field;
            ASSERT_TRUE(figures.contains(key)) << key;
            EXPECT_EQ(leadingNumber(figures[key].get<std::string>()),
                      count.at(field).get<std::uint64_t>());
        }
    }
    for (const auto& [kind, count] : summary.at("errors").items()) {
        const std::string key = "errors." + kind;
        ASSERT_TRUE(figures.contains(key)) << key;
        EXPECT_EQ(leadingNumber(figures[key].get<std::string>()), count.get<std::uint64_t>());
    }
    EXPECT_GE(compared, 10u);

    // The chart was drawn with its legend, and the sites table lists the peak's site.
    EXPECT_TRUE(browser.evaluate("document.querySelector('#timeline-chart canvas') !== null"));
    EXPECT_EQ(browser.evaluate("[...document.querySelectorAll('#timeline-chart .u-legend th')]"
                               ".map(e => e.textContent.trim()).join(',')"),
              "time,heap,RSS");
    EXPECT_TRUE(browser.evaluate("document.querySelector('#sites-table').textContent"
                                 ".includes('timeline_rise()')"));
}

TEST_F(BrowserTest, ReportListsLossRecordsByKind) {
    // victim_leak_kinds: every kind of loss (ground truth in tests/victims/leak_kinds.cpp).
    const Recording& leaks = recordOnce({victimPath("victim_leak_kinds")});
    TempDir dir;
    const std::string page = dir.file("leaks.html");
    heapscopeOk({"report", leaks.trace, "-o", page});
    Browser browser;
    browser.open(page);
    browser.screenshot(screenshotPath("report_leaks"));
    EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());
    const auto summary = summaryJson(leaks.trace);
    for (const char* kind : {"definitely_lost", "possibly_lost", "still_reachable"}) {
        const auto expected = summary.at("leaks").at(kind).at("bytes").get<std::uint64_t>();
        ASSERT_GT(expected, 0u) << kind;
        // The direct bytes of the kind's table add up to the summary's figure.
        const auto shown = browser.evaluate(
            std::string("[...document.querySelectorAll('#leaks-") + kind +
            " td[data-key=bytes]')].reduce((n, e) => n + Number(e.textContent.split(' ')[0]"
            ".replaceAll(',', '')), 0)");
        EXPECT_EQ(shown.get<std::uint64_t>(), expected) << kind;
    }
}

TEST_F(BrowserTest, ReportListsTheGrowthSuspects) {
    // victim_growth: an unbounded cache and a growing history are suspects; its ring buffer,
    // warm-up and sawtooth are not (ground truth in tests/victims/growth.cpp).
    const Recording& growth = recordOnce({victimPath("victim_growth")});
    TempDir dir;
    const std::string page = dir.file("growth.html");
    heapscopeOk({"report", growth.trace, "-o", page});
    Browser browser;
    browser.open(page);
    EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());
    const std::string table =
        browser.evaluate("document.querySelector('#growth-table').textContent").get<std::string>();
    EXPECT_NE(table.find("growth_cache_insert"), std::string::npos) << table;
    EXPECT_NE(table.find("growth_history_append"), std::string::npos) << table;
    for (const char* bounded : {"ring", "warm", "saw"})
        EXPECT_EQ(table.find(bounded), std::string::npos) << bounded << " in " << table;
}

TEST_F(BrowserTest, FlamegraphSearchHighlightsTheFrame) {
    ASSERT_TRUE(exitedCleanly(timelineRun().result));
    TempDir dir;
    const std::string page = dir.file("flame.html");
    heapscopeOk({"flamegraph", timelineRun().trace, "-o", page, "--metric", "peak"});
    Browser browser;
    browser.open(page);
    const auto matches = browser.evaluate(R"(
        const box = document.getElementById('flame-search');
        box.value = 'timeline_rise';
        box.dispatchEvent(new Event('input'));
        [...document.querySelectorAll('.hs-frame.hs-match')].map(e => e.textContent))");
    const auto status = browser.evaluate("document.querySelector('.hs-flame-status').textContent");
    browser.screenshot(screenshotPath("flamegraph_search"));
    EXPECT_TRUE(browser.errors().empty()) << ::testing::PrintToString(browser.errors());
    ASSERT_EQ(matches.size(), 1u) << matches.dump();
    EXPECT_EQ(matches[0], "timeline_rise()");
    // Of the peak, 56 of 64 MiB come from it.
    EXPECT_EQ(status, "1 matching frames, 87.50% of the total");
    // Nothing from the other phase is drawn in the peak metric.
    EXPECT_FALSE(browser.evaluate("[...document.querySelectorAll('.hs-frame')]"
                                  ".some(e => e.textContent === 'timeline_after()')"));
}

TEST_F(BrowserTest, HostileSymbolsStayInert) {
    ASSERT_TRUE(exitedCleanly(hostileRun().result));
    TempDir dir;
    for (const char* kind : {"report", "flamegraph"}) {
        const std::string page = dir.file(std::string(kind) + ".html");
        heapscopeOk({kind, hostileRun().trace, "-o", page});
        Browser browser;
        browser.open(page);
        browser.screenshot(screenshotPath(std::string("hostile_") + kind));
        EXPECT_TRUE(browser.errors().empty()) << kind << ::testing::PrintToString(browser.errors());
        EXPECT_EQ(browser.evaluate("typeof window.hostileRan"), "undefined") << kind;
        EXPECT_EQ(browser.evaluate("document.querySelectorAll('img').length"), 0) << kind;
        // Only the page's own scripts exist: the JSON data, then the code.
        EXPECT_EQ(browser.evaluate("document.querySelectorAll('script:not([type])').length"),
                  std::string(kind) == "report" ? 3 : 2)
            << kind;
        // And the names are shown as written.
        EXPECT_TRUE(browser.evaluate("document.body.textContent.includes(" +
                                     nlohmann::json(kHostileName).dump() + ")"))
            << kind;
        EXPECT_TRUE(
            browser.evaluate("document.body.textContent.includes('hostile_template<script>()')"))
            << kind;
    }
}

} // namespace
} // namespace heapscope::e2e
