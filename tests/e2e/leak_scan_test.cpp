// e2e: the exit-time leak scan and heapscope_leak_check() on the leak victims (ground truth in
// each tests/victims/leak_*.cpp and rust_rc_cycle.rs), cross-checked with valgrind memcheck.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

constexpr std::string_view kRustRcCycle = HEAPSCOPE_RUST_RC_CYCLE;
constexpr std::string_view kRustStackOverflow = HEAPSCOPE_RUST_STACK_OVERFLOW;

struct Count {
    std::uint64_t bytes = 0;
    std::uint64_t blocks = 0;
    bool operator==(const Count&) const = default;
};

struct Kinds {
    Count definite;
    Count indirect;
    Count possible;
    Count reachable;
    bool operator==(const Kinds&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Kinds& k) {
    const auto put = [&](const char* name, const Count& c) {
        out << name << "=" << c.bytes << "/" << c.blocks << " ";
    };
    put("definite", k.definite);
    put("indirect", k.indirect);
    put("possible", k.possible);
    put("reachable", k.reachable);
    return out;
}

Count countOf(const nlohmann::json& j) {
    return Count{j.at("bytes").get<std::uint64_t>(), j.at("blocks").get<std::uint64_t>()};
}

// The "leaks" object of `summary --json`.
Kinds heapscopeKinds(const std::string& trace) {
    const auto leaks = summaryJson(trace).at("leaks");
    return Kinds{countOf(leaks.at("definitely_lost")), countOf(leaks.at("indirectly_lost")),
                 countOf(leaks.at("possibly_lost")), countOf(leaks.at("still_reachable"))};
}

bool haveValgrind() { return std::filesystem::exists("/usr/bin/valgrind"); }

// memcheck's LEAK SUMMARY for the program, which exits cleanly or dies by one of signals.
Kinds memcheckKinds(const std::vector<std::string>& program, std::vector<int> signals = {}) {
    std::vector<std::string> argv = {"/usr/bin/valgrind", "--tool=memcheck", "--leak-check=full",
                                     "--show-leak-kinds=all"};
    argv.insert(argv.end(), program.begin(), program.end());
    const Result r = run(Command{argv, {}, ""});
    EXPECT_TRUE(exitedCleanly(r) || std::ranges::find(signals, r.signal()) != signals.end())
        << r.describe();
    std::string err = r.err;
    std::erase(err, ',');
    const auto find = [&](const char* name) {
        std::smatch m;
        const std::regex pattern(std::string(name) + ": ([0-9]+) bytes in ([0-9]+) blocks");
        if (!std::regex_search(err, m, pattern)) return Count{};
        return Count{std::stoull(m[1].str()), std::stoull(m[2].str())};
    };
    return Kinds{find("definitely lost"), find("indirectly lost"), find("possibly lost"),
                 find("still reachable")};
}

// Each exit verdict with its block's size, from `heapscope dump`.
struct Verdict {
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    std::string kind;
    std::uint64_t owner = 0;
};

std::vector<Verdict> exitVerdicts(const std::string& trace) {
    const Result r = heapscope({"dump", trace});
    EXPECT_TRUE(exitedCleanly(r));
    std::map<std::uint64_t, std::uint64_t> live;
    std::vector<Verdict> verdicts;
    const std::regex alloc(R"(^alloc .* address=0x([0-9a-f]+) size=([0-9]+))");
    const std::regex freed(R"(^free .* address=0x([0-9a-f]+))");
    const std::regex verdict(
        R"(^leak_verdict address=0x([0-9a-f]+) kind=([a-z_]+)(?: owner=0x([0-9a-f]+))?)");
    std::istringstream lines(r.out);
    std::string line;
    std::smatch m;
    while (std::getline(lines, line)) {
        if (std::regex_search(line, m, alloc)) {
            live[std::stoull(m[1].str(), nullptr, 16)] = std::stoull(m[2].str());
        } else if (std::regex_search(line, m, freed)) {
            live.erase(std::stoull(m[1].str(), nullptr, 16));
        } else if (std::regex_search(line, m, verdict)) {
            const std::uint64_t address = std::stoull(m[1].str(), nullptr, 16);
            verdicts.push_back(Verdict{address, live[address], m[2].str(),
                                       m[3].matched ? std::stoull(m[3].str(), nullptr, 16) : 0});
        }
    }
    return verdicts;
}

// The verdicts of the blocks of exactly this size.
std::vector<Verdict> ofSize(const std::vector<Verdict>& verdicts, std::uint64_t size) {
    std::vector<Verdict> out;
    for (const Verdict& v : verdicts)
        if (v.size == size) out.push_back(v);
    return out;
}

const Recording& recorded(const std::vector<std::string>& program) {
    const Recording& recording = recordOnce(program);
    EXPECT_TRUE(exitedCleanly(recording.result));
    return recording;
}

TEST(LeakScan, FourKindsExactAndAsMemcheck) {
    const std::vector<std::string> program = {victimPath("victim_leak_kinds")};
    const Kinds expected{{348, 4}, {400, 2}, {64, 1}, {608, 4}};
    const Kinds found = heapscopeKinds(recorded(program).trace);
    EXPECT_EQ(found, expected);
    if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
    EXPECT_EQ(memcheckKinds(program), found);
}

TEST(LeakScan, PointersInTheProgramsOwnMappingsAsMemcheck) {
    // Its mmap'ed pool is a root; a mapping it unmapped, and glibc's mmapped chunks of a large
    // block forgotten or freed, are not (ground truth in tests/victims/leak_mapped.cpp).
    const std::vector<std::string> program = {victimPath("victim_leak_mapped")};
    const Kinds expected{{201550, 3}, {600, 1}, {300, 1}, {700, 1}};
    const Kinds found = heapscopeKinds(recorded(program).trace);
    EXPECT_EQ(found, expected);
    if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
    EXPECT_EQ(memcheckKinds(program), found);
}

// main called a function that exits: its frame, and the block its local holds, are live.
void expectExitFromInsideMainKeepsMainsBlocks(const char* mode) {
    SCOPED_TRACE(mode);
    const std::vector<std::string> program = {victimPath("victim_leak_exit"), mode};
    const Kinds expected{{77, 1}, {}, {}, {123, 1}};
    const Kinds found = heapscopeKinds(recorded(program).trace);
    EXPECT_EQ(found, expected);
    if (!haveValgrind()) return;
    EXPECT_EQ(memcheckKinds(program), found);
}

TEST(LeakScan, ExitFromInsideMainKeepsMainsBlocksAsMemcheck) {
    expectExitFromInsideMainKeepsMainsBlocks("exit");
    expectExitFromInsideMainKeepsMainsBlocks("_exit");
}

TEST(LeakScan, IndirectBlocksNameTheirLostOwner) {
    const auto verdicts = exitVerdicts(recorded({victimPath("victim_leak_kinds")}).trace);
    const auto node = ofSize(verdicts, 48);
    ASSERT_EQ(node.size(), 1u);
    EXPECT_EQ(node[0].kind, "definitely_lost");
    const auto children = ofSize(verdicts, 200);
    ASSERT_EQ(children.size(), 2u);
    for (const Verdict& child : children) {
        EXPECT_EQ(child.kind, "indirectly_lost");
        EXPECT_EQ(child.owner, node[0].address);
    }
    for (const Verdict& v : ofSize(verdicts, 100)) {
        EXPECT_EQ(v.owner, 0u);
    }
}

TEST(LeakScan, LostCycleIsOneDefiniteBlockOwningTheOthers) {
    const std::vector<std::string> program = {victimPath("victim_leak_cycle")};
    const std::string& trace = recorded(program).trace;
    const Kinds found = heapscopeKinds(trace);
    EXPECT_EQ(found, (Kinds{{80, 1}, {160, 2}, {0, 0}, {160, 2}}));
    const auto links = ofSize(exitVerdicts(trace), 80);
    ASSERT_EQ(links.size(), 5u);
    std::uint64_t definite = 0;
    std::uint64_t lowestLost = ~std::uint64_t{0};
    for (const Verdict& v : links) {
        if (v.kind == "definitely_lost") definite = v.address;
        if (v.kind == "definitely_lost" || v.kind == "indirectly_lost")
            lowestLost = std::min(lowestLost, v.address);
    }
    EXPECT_EQ(definite, lowestLost);
    for (const Verdict& v : links) {
        if (v.kind == "indirectly_lost") {
            EXPECT_EQ(v.owner, definite);
        }
    }
    if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
    EXPECT_EQ(memcheckKinds(program), found);
}

// The block of `size` held only by another thread, or by TLS, is still reachable; nothing is
// lost. glibc's own per-thread blocks make the other totals differ from memcheck's (which
// frees them before its scan), so only the lost bytes are compared with it.
void expectHeldOnlyBy(const char* mode, std::uint64_t size) {
    SCOPED_TRACE(mode);
    const std::vector<std::string> program = {victimPath("victim_leak_threads"), mode};
    const std::string& trace = recorded(program).trace;
    const auto held = ofSize(exitVerdicts(trace), size);
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].kind, "still_reachable");
    const Kinds found = heapscopeKinds(trace);
    EXPECT_EQ(found.definite, Count{});
    EXPECT_EQ(found.indirect, Count{});
    EXPECT_EQ(found.possible, Count{});
    if (!haveValgrind()) return;
    EXPECT_EQ(memcheckKinds(program).definite, found.definite);
}

TEST(LeakScan, BlockHeldOnlyOnAnotherThreadsStack) { expectHeldOnlyBy("stack", 555); }

TEST(LeakScan, BlockHeldOnlyInAnotherThreadsRegister) {
#if !defined(__x86_64__)
    GTEST_SKIP() << "the victim keeps the pointer in an x86-64 register";
#endif
    expectHeldOnlyBy("registers", 777);
}

TEST(LeakScan, BlockHeldOnlyInThreadLocalStorage) { expectHeldOnlyBy("tls", 333); }

TEST(LeakScan, BlockDroppedByAnotherThreadIsLost) {
    const std::vector<std::string> program = {victimPath("victim_leak_threads"), "lost"};
    const Kinds found = heapscopeKinds(recorded(program).trace);
    EXPECT_EQ(found.definite, (Count{555, 1}));
    if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
    EXPECT_EQ(memcheckKinds(program).definite, found.definite);
}

TEST(LeakScan, AProgramEndedBySignalIsScannedAsMemcheck) {
    // The recorder's handler finishes the trace before the signal's default action.
    for (const char* mode : {"term", "segv"}) {
        const std::vector<std::string> program = {victimPath("victim_signal"), mode};
        const Recording& recording = recordOnce(program);
        EXPECT_TRUE(recording.result.signal() == SIGTERM || recording.result.signal() == SIGSEGV)
            << recording.result.describe();
        const Kinds found = heapscopeKinds(recording.trace);
        EXPECT_EQ(found.definite, Count{}) << mode;
        EXPECT_GE(found.reachable.bytes, 4096u) << mode;
        if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
        EXPECT_EQ(memcheckKinds(program, {SIGTERM, SIGSEGV}), found) << mode;
    }
}

TEST(LeakScan, AStackOverflowIsScannedAsMemcheck) {
    // The overflow's SIGSEGV is handled on the recorder's signal stack; the overflowed stack,
    // which holds the 1234-byte block, is scanned from where it was interrupted.
    const std::vector<std::string> program = {victimPath("victim_stack_overflow")};
    const Recording& recording = recordOnce(program);
    ASSERT_EQ(recording.result.signal(), SIGSEGV) << recording.result.describe();
    const auto summary = summaryJson(recording.trace);
    EXPECT_EQ(summary.at("truncated"), false);
    EXPECT_EQ(summary.at("exit_status"), 128 + SIGSEGV);
    const Kinds found = heapscopeKinds(recording.trace);
    EXPECT_EQ(found.definite, (Count{100, 1}));
    EXPECT_EQ(found.possible, Count{});
    // The global's 4096 bytes, the stack's 1234 and stdout's buffer.
    EXPECT_EQ(found.reachable.blocks, 3u);
    EXPECT_GE(found.reachable.bytes, 4096u + 1234u);
    EXPECT_EQ(ofSize(exitVerdicts(recording.trace), 1234).at(0).kind, "still_reachable");
    if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
    EXPECT_EQ(memcheckKinds(program, {SIGSEGV}), found);
}

TEST(LeakScan, AStackOverflowOnASecondThreadIsScanned) {
    // Each thread has a signal stack of its own. memcheck is no oracle here: it finds the
    // thread's TLS block possibly lost, which heapscope reaches through the thread pointer.
    const std::vector<std::string> program = {victimPath("victim_stack_overflow"), "thread"};
    const Recording& recording = recordOnce(program);
    ASSERT_EQ(recording.result.signal(), SIGSEGV) << recording.result.describe();
    EXPECT_EQ(summaryJson(recording.trace).at("truncated"), false);
    const Kinds found = heapscopeKinds(recording.trace);
    EXPECT_EQ(found.definite, (Count{100, 1}));
    EXPECT_EQ(ofSize(exitVerdicts(recording.trace), 1234).at(0).kind, "still_reachable");
    EXPECT_EQ(ofSize(exitVerdicts(recording.trace), 4096).size(), 2u); // the global's, stdout's
}

TEST(LeakScan, ARustStackOverflowIsScannedAsMemcheck) {
    // Rust's handler takes the recorder's signal stack for its own and aborts: the recorder's
    // SIGABRT handler then finishes the trace, and the program still dies by SIGABRT.
    if (kRustStackOverflow.empty()) GTEST_SKIP() << "rustc was not found when configuring";
    const std::vector<std::string> program = {std::string(kRustStackOverflow)};
    Command native;
    native.argv = program;
    const Result without = run(native);
    ASSERT_EQ(without.signal(), SIGABRT) << without.describe();
    const Recording& recording = recordOnce(program);
    ASSERT_EQ(recording.result.signal(), SIGABRT) << recording.result.describe();
    EXPECT_EQ(recording.result.out, without.out);
    EXPECT_NE(without.err.find("has overflowed its stack"), std::string::npos) << without.err;
    EXPECT_EQ(summaryJson(recording.trace).at("truncated"), false);
    const Kinds found = heapscopeKinds(recording.trace);
    EXPECT_EQ(ofSize(exitVerdicts(recording.trace), 1234).at(0).kind, "still_reachable");
    if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
    EXPECT_EQ(memcheckKinds(program, {SIGSEGV, SIGABRT}), found);
}

TEST(LeakScan, EndedThreadLeavesNothingLost) {
    const std::vector<std::string> program = {victimPath("victim_leak_threads"), "ended"};
    const Kinds found = heapscopeKinds(recorded(program).trace);
    EXPECT_EQ(found.definite, Count{});
    EXPECT_EQ(found.indirect, Count{});
    EXPECT_EQ(found.possible, Count{});
    if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
    EXPECT_EQ(memcheckKinds(program).definite, found.definite);
}

TEST(LeakScan, RustRcCycle) {
    if (kRustRcCycle.empty()) GTEST_SKIP() << "rustc was not found when configuring";
    const std::vector<std::string> program = {std::string(kRustRcCycle)};
    const Kinds found = heapscopeKinds(recorded(program).trace);
    EXPECT_EQ(found.definite.blocks, 1u);
    EXPECT_EQ(found.definite.bytes + found.indirect.bytes, 111u);
    EXPECT_EQ(found.definite.blocks + found.indirect.blocks, 4u);
    EXPECT_EQ(found.possible, Count{});
    if (!haveValgrind()) GTEST_SKIP() << "valgrind is not installed";
    EXPECT_EQ(memcheckKinds(program), found);
}

TEST(LeakScan, OnDemandChecksWhileAnotherThreadRuns) {
    const Recording& recording = recorded({victimPath("victim_leak_on_demand")});
    EXPECT_EQ(recording.result.out, "check definitely_lost=200/2 possibly_lost=0/0\n"
                                    "check definitely_lost=250/3 possibly_lost=0/0\n");
    EXPECT_EQ(heapscopeKinds(recording.trace).definite, (Count{250, 3}));
    const Result dump = heapscope({"dump", recording.trace});
    std::vector<std::string> checks;
    std::istringstream lines(dump.out);
    for (std::string line; std::getline(lines, line);)
        if (line.starts_with("leak_check ")) checks.push_back(line.substr(line.find(" at_exit")));
    ASSERT_EQ(checks.size(), 3u);
    EXPECT_TRUE(checks[0].starts_with(" at_exit=0")) << checks[0];
    EXPECT_TRUE(checks[0].ends_with("definitely_lost=200/2")) << checks[0];
    EXPECT_TRUE(checks[1].ends_with("definitely_lost=250/3")) << checks[1];
    EXPECT_TRUE(checks[2].starts_with(" at_exit=1")) << checks[2];
}

TEST(LeakScan, WithoutHeapscopeTheApiIsInactive) {
    const Result r = run(Command{{victimPath("victim_leak_on_demand")}, {}, ""});
    ASSERT_TRUE(exitedCleanly(r));
    EXPECT_EQ(r.out, "inactive\ninactive\n");
}

TEST(LeakScan, NoneSkipsTheScan) {
    TempDir dir;
    const std::string trace = dir.file("none.hst");
    const Result r =
        heapscopeRun(trace, {victimPath("victim_leak_kinds")}, {"--leak-check", "none"});
    ASSERT_TRUE(exitedCleanly(r));
    const Result dump = heapscope({"dump", trace});
    EXPECT_EQ(dump.out.find("leak_check"), std::string::npos);
    EXPECT_EQ(dump.out.find("leak_verdict"), std::string::npos);
}

TEST(LeakScan, TestingHelperAssertsLeaksAndPeaksInGoogleTest) {
    const Recording& recording = recorded({victimPath("victim_testing_helper")});
    EXPECT_NE(recording.result.out.find("[  PASSED  ] 5 tests."), std::string::npos)
        << recording.result.out;
    EXPECT_EQ(recording.result.out.find("SKIPPED"), std::string::npos) << recording.result.out;
}

TEST(LeakScan, TestingHelperFailsALeakyGoogleTest) {
    const Recording& recording =
        recordOnce({victimPath("victim_testing_helper"), "--gtest_also_run_disabled_tests",
                    "--gtest_filter=*LeakyScopeFailsTheTest"});
    EXPECT_EQ(recording.result.exitCode(), 1);
    const std::string& out = recording.result.out;
    EXPECT_NE(out.find("8192 bytes in 2 blocks leaked in this scope"), std::string::npos) << out;
    EXPECT_NE(out.find("[  FAILED  ] TestingHelper.DISABLED_LeakyScopeFailsTheTest"),
              std::string::npos)
        << out;
}

} // namespace
} // namespace heapscope::e2e
