// e2e: `heapscope leaks` and run's leak options — growth on victim `growth` (ground truth in
// tests/victims/growth.cpp), suppressions and --error-exitcode on victim `basic` (100 blocks of
// new char[200] and 10 of calloc(3, 1000) definitely lost), the LEAK SUMMARY against memcheck's.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& growth() { return recordOnce({victimPath("victim_growth")}); }
const Recording& basic() { return recordOnce({victimPath("victim_basic")}); }

nlohmann::json leaksJson(const std::string& trace, const std::vector<std::string>& options = {}) {
    std::vector<std::string> args = {"leaks", trace, "--json"};
    args.insert(args.end(), options.begin(), options.end());
    const Result r = heapscope(args);
    if (!r.exited() || r.exitCode() != 0) throw std::runtime_error(r.describe());
    return nlohmann::json::parse(r.out);
}

// The growth entries whose stack contains `function`.
std::vector<nlohmann::json> growthOf(const nlohmann::json& leaks, std::string_view function) {
    std::vector<nlohmann::json> out;
    for (const auto& g : leaks.at("growth")) {
        if (stackContains(g.at("stack"), function)) out.push_back(g);
    }
    return out;
}

void writeFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// The leak scan at exit is the recorder's; until it writes verdicts these tests have nothing to
// check and say so.
bool haveVerdicts(const std::string& trace) {
    return summaryJson(trace).at("leaks").at("definitely_lost").at("blocks").get<std::uint64_t>() >
           0;
}

TEST(LeaksGrowth, FindsTheUnboundedCacheAndTheDoublingHistory) {
    ASSERT_TRUE(exitedCleanly(growth().result));
    const auto leaks = leaksJson(growth().trace);
    const auto cache = growthOf(leaks, "growth_cache_insert");
    ASSERT_EQ(cache.size(), 1u) << leaks.at("growth").dump(1);
    EXPECT_EQ(cache[0].at("peak_live_bytes"), 768000);
    EXPECT_EQ(cache[0].at("live_bytes_at_end"), 0);
    EXPECT_GT(cache[0].at("bytes_per_second").get<std::uint64_t>(), 0u);
    const auto history = growthOf(leaks, "growth_history_append");
    ASSERT_EQ(history.size(), 1u) << leaks.at("growth").dump(1);
    EXPECT_EQ(history[0].at("peak_live_bytes"), 393216);
    EXPECT_EQ(history[0].at("live_bytes_at_end"), 0);
}

TEST(LeaksGrowth, RingBufferWarmUpAndSawtoothAreNotGrowth) {
    ASSERT_TRUE(exitedCleanly(growth().result));
    const auto leaks = leaksJson(growth().trace);
    for (const char* site : {"growth_ring_push", "growth_warm_insert", "growth_saw_push"})
        EXPECT_TRUE(growthOf(leaks, site).empty()) << site << ": " << leaks.at("growth").dump(1);
    // The sites themselves were recorded with their ground truth, so absence means something.
    const auto top = topJson(growth().trace, "peak");
    EXPECT_EQ(findSite(top, "growth_ring_push").at("allocations"), 3000);
    EXPECT_EQ(findSite(top, "growth_warm_insert").at("allocations"), 450);
    EXPECT_EQ(findSite(top, "growth_saw_push").at("allocations"), 3000);
}

TEST(LeaksGrowth, TextListsTheGrowingSitesWithTheirStacks) {
    ASSERT_TRUE(exitedCleanly(growth().result));
    const Result r = heapscope({"leaks", growth().trace, "--growth"});
    ASSERT_EQ(r.exitCode(), 0) << r.describe();
    EXPECT_NE(r.out.find("whose live memory kept growing through the run:"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("growth_cache_insert"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("growth_saw_push"), std::string::npos) << r.out;
}

TEST(LeaksSuppressions, AMatchingEntryMovesTheRecordToSuppressed) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    if (!haveVerdicts(basic().trace)) GTEST_SKIP() << "the trace has no leak verdicts";
    TempDir dir;
    writeFile(dir.file("site_b.supp"), "# from an older valgrind run\n"
                                       "{\n   cond\n   Memcheck:Cond\n   fun:strlen\n}\n"
                                       "{\n   site-b\n   Memcheck:Leak\n"
                                       "   match-leak-kinds: definite\n"
                                       "   fun:_Znam\n   fun:victim_site_b*\n   ...\n}\n");
    const auto before = summaryJson(basic().trace).at("leaks").at("definitely_lost");
    const auto leaks = leaksJson(basic().trace, {"--suppressions", dir.file("site_b.supp")});
    const auto& summary = leaks.at("summary");
    EXPECT_EQ(summary.at("suppressed").at("bytes"), 20000);
    EXPECT_EQ(summary.at("suppressed").at("blocks"), 100);
    EXPECT_EQ(summary.at("definitely_lost").at("bytes").get<std::uint64_t>(),
              before.at("bytes").get<std::uint64_t>() - 20000);
    EXPECT_EQ(summary.at("definitely_lost").at("blocks").get<std::uint64_t>(),
              before.at("blocks").get<std::uint64_t>() - 100);
    for (const auto& record : leaks.at("records"))
        EXPECT_FALSE(stackContains(record.at("stack"), "victim_site_b")) << record.dump();
}

TEST(LeaksSuppressions, EntriesThatDoNotMatchSuppressNothing) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    if (!haveVerdicts(basic().trace)) GTEST_SKIP() << "the trace has no leak verdicts";
    TempDir dir;
    // The right function under the wrong kind, and a function the victim does not have.
    writeFile(dir.file("other.supp"), "{\n   reachable-only\n   Memcheck:Leak\n"
                                      "   match-leak-kinds: reachable\n   fun:*\n"
                                      "   fun:victim_site_b*\n}\n"
                                      "{\n   elsewhere\n   Memcheck:Leak\n   ...\n"
                                      "   fun:victim_site_z\n}\n");
    const auto leaks = leaksJson(basic().trace, {"--suppressions", dir.file("other.supp")});
    EXPECT_EQ(leaks.at("summary").at("suppressed").at("blocks"), 0);
    EXPECT_EQ(leaks.at("summary").at("definitely_lost"),
              summaryJson(basic().trace).at("leaks").at("definitely_lost"));
}

TEST(LeaksSuppressions, GeneratedBlocksSuppressEveryRecord) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    if (!haveVerdicts(basic().trace)) GTEST_SKIP() << "the trace has no leak verdicts";
    const Result gen = heapscope({"leaks", basic().trace, "--kinds", "all", "--gen-suppressions"});
    ASSERT_EQ(gen.exitCode(), 0) << gen.describe();
    // Keep only the blocks: what lies between "{" and "}" lines.
    std::string blocks;
    bool inside = false;
    std::istringstream lines(gen.out);
    for (std::string line; std::getline(lines, line);) {
        if (line == "{") inside = true;
        if (inside) blocks += line + "\n";
        if (line == "}") inside = false;
    }
    ASSERT_NE(blocks.find("fun:victim_site_b()"), std::string::npos) << gen.out;
    TempDir dir;
    writeFile(dir.file("gen.supp"), blocks);
    const auto leaks = leaksJson(basic().trace, {"--suppressions", dir.file("gen.supp")});
    const auto summary = summaryJson(basic().trace);
    EXPECT_EQ(leaks.at("records").size(), 0u) << leaks.at("records").dump(1);
    EXPECT_EQ(leaks.at("summary").at("suppressed").at("bytes"), summary.at("leaked_bytes"));
}

TEST(LeaksSuppressions, AMalformedFileIsOneLineWithItsLineNumber) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    TempDir dir;
    writeFile(dir.file("bad.supp"), "{\n   x\n   Memcheck:Leak\n   fun:main\n   bogus\n}\n");
    for (const auto& args :
         {std::vector<std::string>{"leaks", basic().trace, "--suppressions", dir.file("bad.supp")},
          std::vector<std::string>{"run", "--suppressions", dir.file("bad.supp"), "true"}}) {
        const Result r = heapscope(args);
        EXPECT_EQ(r.exitCode(), 2) << r.describe();
        EXPECT_EQ(r.err, "heapscope: " + args[0] + ": suppressions: " + dir.file("bad.supp") +
                             ":5: expected fun:, obj:, src: or '...', not 'bogus'\n");
    }
}

TEST(LeaksUsage, BadKindListsAndLeakCheckValuesAreUsageErrors) {
    ASSERT_TRUE(exitedCleanly(basic().result));
    const Result kinds = heapscope({"leaks", basic().trace, "--kinds", "lost"});
    EXPECT_EQ(kinds.exitCode(), 2) << kinds.describe();
    EXPECT_EQ(std::count(kinds.err.begin(), kinds.err.end(), '\n'), 1) << kinds.err;
    const Result check = heapscope({"run", "--leak-check", "sometimes", "true"});
    EXPECT_EQ(check.exitCode(), 2) << check.describe();
    const Result code = heapscope({"run", "--error-exitcode", "300", "true"});
    EXPECT_EQ(code.exitCode(), 2) << code.describe();
}

TEST(RunErrorExitCode, LeaksGiveTheCodeAndSuppressedLeaksDoNot) {
    TempDir dir;
    const std::string program = victimPath("victim_basic");
    const Result plain = heapscopeRun(dir.file("a.hst"), {program}, {"--error-exitcode", "42"});
    if (!haveVerdicts(dir.file("a.hst"))) GTEST_SKIP() << "the trace has no leak verdicts";
    EXPECT_EQ(plain.exitCode(), 42) << plain.describe();
    writeFile(dir.file("all.supp"),
              "{\n   b\n   Memcheck:Leak\n   ...\n   fun:victim_site_b*\n}\n"
              "{\n   c\n   Memcheck:Leak\n   ...\n   fun:victim_site_c*\n}\n");
    const Result suppressed =
        heapscopeRun(dir.file("b.hst"), {program},
                     {"--error-exitcode", "42", "--suppressions", dir.file("all.supp")});
    EXPECT_EQ(suppressed.exitCode(), 0) << suppressed.describe();
    // Still reachable blocks (stdout's buffer) count only when asked for.
    const Result reachable = heapscopeRun(dir.file("c.hst"), {program},
                                          {"--error-exitcode", "42", "--suppressions",
                                           dir.file("all.supp"), "--errors-for-leak-kinds", "all"});
    EXPECT_EQ(reachable.exitCode(), 42) << reachable.describe();
}

TEST(RunErrorExitCode, NoLeaksKeepTheProgramsStatusAndHeapErrorsGiveTheCode) {
    TempDir dir;
    const Result clean =
        heapscopeRun(dir.file("g.hst"), {victimPath("victim_growth")}, {"--error-exitcode", "42"});
    EXPECT_EQ(clean.exitCode(), 0) << clean.describe();
    const Result misuse =
        heapscopeRun(dir.file("e.hst"), {victimPath("victim_heap_errors"), "double_free"},
                     {"--error-exitcode", "42", "--leak-check", "none"});
    EXPECT_EQ(misuse.exitCode(), 42) << misuse.describe();
    const Result plain =
        heapscopeRun(dir.file("p.hst"), {victimPath("victim_heap_errors"), "double_free"});
    EXPECT_EQ(plain.exitCode(), 0) << plain.describe();
}

// The LEAK SUMMARY block of a tool's stderr, without each line's prefix ("==pid== ",
// "heapscope: ").
std::vector<std::string> leakSummaryLines(const std::string& err, const std::string& prefix) {
    std::vector<std::string> out;
    std::istringstream lines(err);
    const std::regex line("^" + prefix +
                          "(LEAK SUMMARY:|\\s+(definitely lost|indirectly lost|possibly lost|"
                          "still reachable|suppressed): [0-9,]+ bytes in [0-9,]+ blocks)$");
    for (std::string text; std::getline(lines, text);) {
        std::smatch m;
        if (std::regex_match(text, m, line)) out.push_back(m[1]);
    }
    return out;
}

// `heapscope run` and memcheck on the same victim: both LEAK SUMMARY blocks, prefixes removed.
struct Summaries {
    std::vector<std::string> ours;
    std::vector<std::string> theirs;
};

Summaries bothSummaries(const std::string& program) {
    TempDir dir;
    const Result r = heapscope({"run", "-o", dir.file("s.hst"), program});
    EXPECT_EQ(r.exitCode(), 0) << r.describe();
    EXPECT_NE(r.err.find("heapscope: loss records: heapscope leaks "), std::string::npos) << r.err;
    Summaries out{leakSummaryLines(r.err, "heapscope: "), {}};
    const Result vg = run(Command{{"/usr/bin/valgrind", "--leak-check=summary", program}, {}, ""});
    out.theirs = leakSummaryLines(vg.err, "==[0-9]+== ");
    return out;
}

// victim leak_kinds has every kind, with no stdio buffer for valgrind's freeres to free: the
// two summaries are the same text, line for line.
TEST(RunLeakSummary, IsMemchecksTextForTheSameVictim) {
    if (!std::filesystem::exists("/usr/bin/valgrind")) GTEST_SKIP() << "valgrind is not installed";
    const Summaries s = bothSummaries(victimPath("victim_leak_kinds"));
    ASSERT_EQ(s.ours.size(), 6u);
    EXPECT_EQ(s.ours[1], "   definitely lost: 348 bytes in 4 blocks");
    EXPECT_EQ(s.ours, s.theirs);
}

// "   definitely lost: 50,000 bytes in 110 blocks" -> {50000, 110}.
std::pair<std::uint64_t, std::uint64_t> bytesAndBlocks(std::string line) {
    std::erase(line, ',');
    std::smatch m;
    if (!std::regex_search(line, m, std::regex(R"(: ([0-9]+) bytes in ([0-9]+) blocks)")))
        return {~0ull, ~0ull};
    return {std::stoull(m[1].str()), std::stoull(m[2].str())};
}

// victim basic: the lost figures agree; still reachable differs by stdout's buffer, which
// valgrind frees at exit. The scan is conservative: depending on the heap's layout (it varies
// with the build, seen in about 1 run in 15 for one build), a stale interior pointer in glibc's
// data reaches one of the calloc blocks and makes it possibly lost instead of definitely lost.
// So the lost blocks are compared as one figure, definite and possible together, and none of
// them may be called reachable or indirect.
TEST(RunLeakSummary, BasicVictimLostFiguresAgreeWithMemcheck) {
    if (!std::filesystem::exists("/usr/bin/valgrind")) GTEST_SKIP() << "valgrind is not installed";
    const Summaries s = bothSummaries(victimPath("victim_basic"));
    ASSERT_EQ(s.ours.size(), 6u);
    ASSERT_EQ(s.theirs.size(), 6u);
    for (std::size_t i = 0; i < s.theirs.size(); ++i)
        EXPECT_EQ(s.ours[i].substr(0, s.ours[i].find(':')),
                  s.theirs[i].substr(0, s.theirs[i].find(':')));
    const auto lost = [](const std::vector<std::string>& summary) {
        const auto definite = bytesAndBlocks(summary[1]);
        const auto possible = bytesAndBlocks(summary[3]);
        return std::pair{definite.first + possible.first, definite.second + possible.second};
    };
    EXPECT_EQ(lost(s.ours), (std::pair<std::uint64_t, std::uint64_t>{50000, 110}));
    EXPECT_EQ(lost(s.ours), lost(s.theirs));
    EXPECT_EQ(s.ours[2], s.theirs[2]); // indirectly lost
}

TEST(RunLeakSummary, FullAddsTheLossRecordsWithTheirStacks) {
    TempDir dir;
    const Result r = heapscope(
        {"run", "-o", dir.file("f.hst"), "--leak-check=full", victimPath("victim_basic")});
    ASSERT_EQ(r.exitCode(), 0) << r.describe();
    if (!haveVerdicts(dir.file("f.hst"))) GTEST_SKIP() << "the trace has no leak verdicts";
    const std::regex record("heapscope: 20,000 bytes in 100 blocks are definitely lost in loss "
                            "record [0-9]+ of [0-9]+\nheapscope:    at 0x[0-9A-F]+: "
                            "victim_site_b\\(\\) \\([^)]*basic.cpp:[0-9]+\\)\n");
    EXPECT_TRUE(std::regex_search(r.err, record)) << r.err;
    // still reachable records are not shown by default, as in memcheck.
    EXPECT_EQ(r.err.find("still reachable in loss record"), std::string::npos) << r.err;
}

TEST(RunLeakSummary, NoneSkipsTheScan) {
    TempDir dir;
    const Result r = heapscope(
        {"run", "-o", dir.file("n.hst"), "--leak-check=none", victimPath("victim_basic")});
    ASSERT_EQ(r.exitCode(), 0) << r.describe();
    EXPECT_EQ(r.err.find("LEAK SUMMARY"), std::string::npos) << r.err;
}

} // namespace
} // namespace heapscope::e2e
