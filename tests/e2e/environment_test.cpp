// e2e: the environment the recorder leaves to the program and its children. A shell defines
// its own setenv (ground truth in tests/victims/own_setenv.cpp): the recorder must not run it.
#include <gtest/gtest.h>

#include <filesystem>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

TEST(Environment, APreloadedRecorderExportsItsTraceNameWithoutTheProgramsSetenv) {
    // Preloaded by hand with a relative name: the recorder makes it absolute for exec'd
    // children, through the C library.
    TempDir dir;
    const Result result = run(Command{
        {"/bin/sh", "-c", "cd \"$0\" && LD_PRELOAD=\"$1\" HEAPSCOPE_OUTPUT=own.hst exec \"$2\"",
         dir.path().string(), recorderLibrary(), victimPath("victim_own_setenv")},
        {},
        ""});
    ASSERT_EQ(result.exitCode(), 0) << result.describe();
    EXPECT_EQ(result.out, "setenv calls before main: 0\nHEAPSCOPE_OUTPUT=" +
                              (std::filesystem::canonical(dir.path()) / "own.hst").string() + "\n");
    EXPECT_TRUE(std::filesystem::exists(dir.file("own.hst")));
}

TEST(Environment, HeapscopeRunLeavesTheProgramsSetenvAlone) {
    TempDir dir;
    const std::string trace = dir.file("own.hst");
    const Result result = heapscopeRun(trace, {victimPath("victim_own_setenv")});
    ASSERT_EQ(result.exitCode(), 0) << result.describe();
    EXPECT_EQ(result.out, "setenv calls before main: 0\nHEAPSCOPE_OUTPUT=" + trace + "\n");
}

TEST(Environment, BashLosesNothingAsInMemcheck) {
    // bash's setenv, run by the recorder before bash's main, once built bash's variable tables
    // from untraced memory: every variable was then "definitely lost" (2.5 KB in 78 blocks);
    // memcheck finds nothing lost.
    constexpr const char* kBash = "/bin/bash";
    if (!std::filesystem::exists(kBash)) GTEST_SKIP() << "needs /bin/bash";
    TempDir dir;
    const std::string trace = dir.file("bash.hst");
    const Result result = heapscopeRun(trace, {kBash, "-c", "exit 0"});
    ASSERT_EQ(result.exitCode(), 0) << result.describe();
    const auto leaks = summaryJson(trace).at("leaks");
    EXPECT_EQ(leaks.at("definitely_lost").at("blocks"), 0) << leaks.dump();
    EXPECT_EQ(leaks.at("indirectly_lost").at("blocks"), 0) << leaks.dump();
    EXPECT_GT(leaks.at("still_reachable").at("blocks").get<std::uint64_t>(), 100u);
}

} // namespace
} // namespace heapscope::e2e
