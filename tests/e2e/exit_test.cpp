// e2e: victims `exit_status` and `signal` — `heapscope run` ends the way the program ends (exit
// status or signal) and leaves its stdout and stderr byte-identical.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

struct Runs {
    Result native;
    Result traced;
};

Runs runBothWays(const std::vector<std::string>& program) {
    TempDir dir;
    Command native;
    native.argv = program;
    return {run(native), heapscopeRun(dir.file("trace.hst"), program)};
}

void expectSameOutput(const Runs& runs) {
    EXPECT_EQ(runs.traced.out, runs.native.out);
    EXPECT_EQ(withoutHeapscopeLines(runs.traced.err), runs.native.err);
}

TEST(ExitStatus, ExitCodeIsPassedThrough) {
    const Runs runs = runBothWays({victimPath("victim_exit_status")});
    ASSERT_EQ(runs.native.exitCode(), 3) << runs.native.describe();
    EXPECT_EQ(runs.traced.exitCode(), 3) << runs.traced.describe();
    expectSameOutput(runs);
    EXPECT_FALSE(runs.native.out.empty());
    EXPECT_FALSE(runs.native.err.empty());
}

TEST(ExitStatus, TerminatedBySigterm) {
    const Runs runs = runBothWays({victimPath("victim_signal"), "term"});
    ASSERT_EQ(runs.native.signal(), SIGTERM) << runs.native.describe();
    EXPECT_EQ(runs.traced.signal(), SIGTERM) << runs.traced.describe();
    expectSameOutput(runs);
}

TEST(ExitStatus, CrashedBySigsegv) {
    const Runs runs = runBothWays({victimPath("victim_signal"), "segv"});
    ASSERT_EQ(runs.native.signal(), SIGSEGV) << runs.native.describe();
    EXPECT_EQ(runs.traced.signal(), SIGSEGV) << runs.traced.describe();
    expectSameOutput(runs);
}

TEST(ExitStatus, ACrashedProgramsTraceIsCompleteWithItsHeapError) {
    // A double free (glibc would abort; heapscope, as memcheck, reports it and goes on), then
    // SIGSEGV: the trace is finished before the signal's default action ends the program.
    TempDir dir;
    const std::string trace = dir.file("crash.hst");
    const Result traced = heapscopeRun(trace, {victimPath("victim_signal"), "double-free"});
    ASSERT_EQ(traced.signal(), SIGSEGV) << traced.describe();
    const auto summary = summaryJson(trace);
    EXPECT_EQ(summary.at("truncated"), false);
    EXPECT_EQ(summary.at("errors").at("double_free"), 1);
    EXPECT_EQ(summary.at("allocations"), 3); // the block, stdout's buffer, the one freed twice
    EXPECT_EQ(summary.at("leaks").at("still_reachable").at("blocks"), 2) << summary.dump();
}

TEST(ExitStatus, APreloadedProgramsTraceRecordsTheSignalThatEndedIt) {
    // Without heapscope run, which appends how the program ended, the recorder's own record.
    TempDir dir;
    const std::string trace = dir.file("preloaded.hst");
    const Result traced =
        run(Command{{victimPath("victim_signal"), "term"},
                    {"LD_PRELOAD=" + recorderLibrary(), "HEAPSCOPE_OUTPUT=" + trace},
                    ""});
    ASSERT_EQ(traced.signal(), SIGTERM) << traced.describe();
    const auto summary = summaryJson(trace);
    EXPECT_EQ(summary.at("truncated"), false);
    EXPECT_EQ(summary.at("exit_status"), 128 + SIGTERM);
}

TEST(ExitStatus, TraceRecordsTheExitStatus) {
    TempDir dir;
    const std::string trace = dir.file("exit.hst");
    const Result traced = heapscopeRun(trace, {victimPath("victim_exit_status")});
    ASSERT_EQ(traced.exitCode(), 3) << traced.describe();
    EXPECT_EQ(summaryJson(trace).at("exit_status"), 3);
}

TEST(ExitStatus, AnExecdChildsTraceRecordsItsOwnExitStatus) {
    // sh is the program `heapscope run` waits for (exit 5); the victim, forked and exec'd by it,
    // returns 3 from main, which only its own recorder sees.
    TempDir dir;
    const std::string trace = dir.file("shell.hst");
    const Result traced = heapscopeRun(
        trace, {"/bin/sh", "-c", victimPath("victim_exit_status") + " >/dev/null 2>&1; exit 5"},
        {"--trace-children"});
    ASSERT_EQ(traced.exitCode(), 5) << traced.describe();
    EXPECT_EQ(summaryJson(trace).at("exit_status"), 5);
    std::vector<std::string> victimTraces;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        const std::string path = entry.path().string();
        if (path != trace && entry.path().extension() == ".hst") victimTraces.push_back(path);
    }
    ASSERT_EQ(victimTraces.size(), 1u);
    const auto summary = summaryJson(victimTraces[0]);
    EXPECT_NE(summary.at("program").get<std::string>().find("victim_exit_status"),
              std::string::npos);
    EXPECT_EQ(summary.at("exit_status"), 3);
}

} // namespace
} // namespace heapscope::e2e
