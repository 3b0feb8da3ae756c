// e2e: `heapscope export` read back by the real readers — dh_view.html in headless Chromium for
// DHAT, `go tool pprof -raw` for pprof, ms_print for massif — whose figures must equal
// `summary --json`. The victim is `peak` (ground truth in tests/victims/peak.cpp).
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "dom_text.h"
#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr const char* kDhView = "/usr/libexec/valgrind/dh_view.js";

const Recording& peak() { return recordOnce({victimPath("victim_peak")}); }

// "67,108,864" -> 67108864
std::uint64_t number(std::string text) {
    std::erase(text, ',');
    return std::stoull(text);
}

std::string exportTo(const TempDir& dir, const std::string& format, const std::string& file,
                     std::vector<std::string> extra = {}) {
    const std::string out = dir.file(file);
    std::vector<std::string> args = {"export", peak().trace, "--format", format, "-o", out};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result result = heapscope(args);
    EXPECT_TRUE(exitedCleanly(result));
    EXPECT_TRUE(result.err.empty()) << result.err;
    return out;
}

Result runTool(std::vector<std::string> argv) {
    Command command;
    command.argv = std::move(argv);
    return run(command);
}

TEST(ExportDhat, DhViewShowsTheSummaryFigures) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    if (!chromiumBinary() || !std::filesystem::exists(kDhView))
        GTEST_SKIP() << "chromium or valgrind's dh_view.js is not installed";
    TempDir dir;
    const std::string json = fileContents(exportTo(dir, "dhat", "dhat.json"));
    // dh_view loads files through a file picker; the page below hands it the data the same way
    // its loader does (parse, build the tree, display), so its own checks run on our file.
    std::ofstream(dir.file("data.js")) << "var kExported = " << json << ";\n";
    std::ofstream(dir.file("view.html"))
        << "<!DOCTYPE html><html><head><meta charset=\"UTF-8\">\n"
        << "<script src=\"file://" << kDhView << "\"></script>\n"
        << "<script src=\"data.js\"></script></head>\n"
        << "<body onload=\"onLoad(); tryFunc(() => { gData = kExported; buildTree(); "
           "displayTree(0, 0, 0); });\"></body></html>\n";
    const std::string text = renderedText(dir.file("view.html"));
    ASSERT_EQ(text.find("Error"), std::string::npos) << text.substr(0, 4000);

    const auto summary = summaryJson(peak().trace);
    std::smatch m;
    // The root program point ("PP 1/1") holds the whole run.
    const std::regex total(R"(PP 1/1[^{]*\{\s*Total:\s*([\d,]+) bytes[^\n]*\n\s*([\d,]+) blocks)");
    ASSERT_TRUE(std::regex_search(text, m, total)) << text.substr(0, 4000);
    EXPECT_EQ(number(m[1]), summary.at("bytes_allocated").get<std::uint64_t>());
    EXPECT_EQ(number(m[2]), summary.at("allocations").get<std::uint64_t>());
    const std::regex gmax(R"(At t-gmax: ([\d,]+) bytes \(100%\) in ([\d,]+) blocks)");
    ASSERT_TRUE(std::regex_search(text, m, gmax));
    EXPECT_EQ(number(m[1]), summary.at("peak_heap_bytes").get<std::uint64_t>());
    EXPECT_EQ(number(m[2]), 64u); // the 64 blocks of the first phase
    const std::regex end(R"(At t-end:\s+([\d,]+) bytes \(100%\) in ([\d,]+) blocks)");
    ASSERT_TRUE(std::regex_search(text, m, end));
    EXPECT_EQ(number(m[1]), summary.at("leaked_bytes").get<std::uint64_t>());
    EXPECT_EQ(number(m[2]), summary.at("leaked_blocks").get<std::uint64_t>());
    const std::regex times(R"(t-gmax: ([\d,]+) ns[^\n]*\n\s*t-end:\s+([\d,]+) ns)");
    ASSERT_TRUE(std::regex_search(text, m, times));
    EXPECT_EQ(number(m[1]), summary.at("peak_heap_time_ns").get<std::uint64_t>());
    EXPECT_EQ(number(m[2]), summary.at("runtime_ns").get<std::uint64_t>());
    EXPECT_NE(text.find("peak_site_first()"), std::string::npos);
}

TEST(ExportDhat, ProgramPointsCarryLifetimesAndMaxima) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    TempDir dir;
    const auto data = nlohmann::json::parse(fileContents(exportTo(dir, "dhat", "dhat.json")));
    const auto& ftbl = data.at("ftbl");
    bool found = false;
    for (const auto& pp : data.at("pps")) {
        const std::string inner = ftbl.at(pp.at("fs").at(0).get<std::size_t>());
        if (inner.find("peak_site_first") == std::string::npos) continue;
        found = true;
        EXPECT_EQ(pp.at("tb"), 64 * kMiB);
        EXPECT_EQ(pp.at("tbk"), 64);
        EXPECT_EQ(pp.at("mb"), 64 * kMiB); // all 64 live at once, then all freed
        EXPECT_EQ(pp.at("mbk"), 64);
        EXPECT_EQ(pp.at("gb"), 64 * kMiB);
        EXPECT_EQ(pp.at("gbk"), 64);
        EXPECT_EQ(pp.at("eb"), 0);
        // Every block lived from its allocation to the free, within the run.
        EXPECT_GT(pp.at("tl").get<std::uint64_t>(), 0u);
        EXPECT_LE(pp.at("tl").get<std::uint64_t>(), 64 * data.at("te").get<std::uint64_t>());
    }
    EXPECT_TRUE(found) << data.dump();
}

TEST(ExportPprof, GoToolPprofReadsTheSummaryFigures) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    if (!std::filesystem::exists("/usr/bin/go")) GTEST_SKIP() << "go is not installed";
    TempDir dir;
    const std::string profile = exportTo(dir, "pprof", "heap.pb.gz");
    Command command;
    command.argv = {"/usr/bin/go", "tool", "pprof", "-raw", profile};
    command.env = {"HOME=" + dir.path().string(), "GOCACHE=" + dir.file("gocache")};
    const Result raw = run(command);
    ASSERT_TRUE(exitedCleanly(raw)) << raw.err;
    // "Samples:", the value names, then "  64   67108864   0   0: 1 2 3" until "Locations".
    std::istringstream lines(raw.out);
    std::string line;
    while (std::getline(lines, line) && line != "Samples:") {
    }
    std::getline(lines, line);
    EXPECT_EQ(line, "alloc_objects/count alloc_space/bytes[dflt] inuse_objects/count "
                    "inuse_space/bytes");
    std::array<std::uint64_t, 4> sums{};
    std::size_t samples = 0;
    while (std::getline(lines, line) && line != "Locations") {
        std::istringstream fields(line);
        for (auto& sum : sums) {
            std::uint64_t value = 0;
            fields >> value;
            sum += value;
        }
        ++samples;
    }
    EXPECT_GE(samples, 3u);
    const auto summary = summaryJson(peak().trace);
    EXPECT_EQ(sums[0], summary.at("allocations").get<std::uint64_t>());
    EXPECT_EQ(sums[1], summary.at("bytes_allocated").get<std::uint64_t>());
    EXPECT_EQ(sums[2], summary.at("leaked_blocks").get<std::uint64_t>());
    EXPECT_EQ(sums[3], summary.at("leaked_bytes").get<std::uint64_t>());
    EXPECT_NE(raw.out.find("peak_site_first()"), std::string::npos);
    // The executable's mapping carries its build-id (40 hex digits).
    EXPECT_TRUE(std::regex_search(raw.out, std::regex(R"(victim_peak [0-9a-f]{40})"))) << raw.out;
}

TEST(ExportMassif, MsPrintShowsThePeakAndTheEnd) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    if (!std::filesystem::exists("/usr/bin/ms_print")) GTEST_SKIP() << "ms_print is not installed";
    TempDir dir;
    const Result printed = runTool({"/usr/bin/ms_print", exportTo(dir, "massif", "massif.out")});
    ASSERT_TRUE(exitedCleanly(printed)) << printed.err;
    const std::string& text = printed.out;
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(text, m, std::regex(R"(Detailed snapshots: \[(\d+) \(peak\), (\d+)\])")))
        << text;
    const std::string peakSnapshot = m[1];
    const std::string lastSnapshot = m[2];
    // The table row of a snapshot: n, time, total, useful heap, extra heap, stacks.
    const auto usefulHeap = [&text](const std::string& n) {
        std::smatch row;
        const std::regex pattern("\\n\\s+" + n + R"(\s+[\d,]+\s+[\d,]+\s+([\d,]+)\s+0\s+0\n)");
        EXPECT_TRUE(std::regex_search(text, row, pattern)) << "snapshot " << n;
        return row.empty() ? 0 : number(row[1]);
    };
    const auto summary = summaryJson(peak().trace);
    EXPECT_EQ(usefulHeap(peakSnapshot), summary.at("peak_heap_bytes").get<std::uint64_t>());
    EXPECT_EQ(usefulHeap(lastSnapshot), summary.at("leaked_bytes").get<std::uint64_t>());
    // The peak's tree names the first phase's site with all of its 64 MiB.
    EXPECT_TRUE(std::regex_search(
        text, std::regex(R"(->100\.00% \(67,108,864B\) 0x[0-9A-F]+: peak_site_first\(\))")))
        << text;
}

TEST(ExportCollapsed, CountsAddUpToTheSummary) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    TempDir dir;
    const auto summary = summaryJson(peak().trace);
    const std::map<std::string, const char*> metrics = {{"allocated", "bytes_allocated"},
                                                        {"count", "allocations"},
                                                        {"peak", "peak_heap_bytes"},
                                                        {"leaked", "leaked_bytes"}};
    for (const auto& [metric, field] : metrics) {
        const std::string text =
            fileContents(exportTo(dir, "collapsed", metric + ".folded", {"--metric", metric}));
        std::istringstream lines(text);
        std::string line;
        std::uint64_t sum = 0;
        while (std::getline(lines, line)) {
            const auto space = line.rfind(' ');
            ASSERT_NE(space, std::string::npos) << line;
            ASSERT_NE(line.find(';'), std::string::npos) << line; // outermost;...;innermost
            sum += std::stoull(line.substr(space + 1));
        }
        EXPECT_EQ(sum, summary.at(field).get<std::uint64_t>()) << metric;
    }
    // The default metric is bytes allocated, the innermost frame last.
    const std::string text = fileContents(exportTo(dir, "collapsed", "default.folded"));
    EXPECT_NE(text.find(";fillAndFree(int, void* (*)());peak_site_first() 67108864\n"),
              std::string::npos)
        << text;
}

TEST(ExportUsage, BadArgumentsGiveOneLineAndStatus2) {
    ASSERT_TRUE(exitedCleanly(peak().result));
    TempDir dir;
    const std::vector<std::vector<std::string>> cases = {
        {"export", peak().trace, "--format", "svg", "-o", dir.file("x")},
        {"export", peak().trace, "--format", "dhat"},
        {"export", peak().trace, "-o", dir.file("x")},
        {"export", peak().trace, "--format", "collapsed", "--metric", "bogus", "-o", dir.file("x")},
        {"export", peak().trace, "--format", "dhat", "-o", dir.file("x"), "--bogus"},
        {"export", dir.file("missing.hst"), "--format", "dhat", "-o", dir.file("x")},
        {"export", peak().trace, "--format", "dhat", "-o", dir.file("no/such/dir/x")},
    };
    for (const auto& args : cases) {
        const Result result = heapscope(args);
        EXPECT_TRUE(result.exited() && result.exitCode() == 2) << result.describe();
        EXPECT_TRUE(result.err.starts_with("heapscope: ")) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
}

} // namespace
} // namespace heapscope::e2e
