// e2e: victim `forker` — the parent and its forked child each get their own trace (ground truth
// in tests/victims/forker.cpp).
#include <gtest/gtest.h>

#include <filesystem>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

const Recording& forker() { return recordOnce({victimPath("victim_forker")}); }

// "child 1234\n" -> "1234"
std::string childPid(const Recording& recording) {
    const std::string& out = recording.result.out;
    const auto at = out.find("child ");
    return at == std::string::npos ? std::string{}
                                   : out.substr(at + 6, out.find('\n', at) - at - 6);
}

// The child's trace: the parent's with ".<pid>" before the extension.
std::string childTrace(const Recording& recording) {
    const std::filesystem::path path = recording.trace;
    return (path.parent_path() / (path.stem().string() + "." + childPid(recording) + ".hst"))
        .string();
}

std::string listing(const std::string& trace) {
    std::string names;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(trace).parent_path())) {
        names += " " + entry.path().filename().string();
    }
    return names;
}

TEST(ForkVictim, ParentTraceHasOnlyTheParentsSites) {
    ASSERT_TRUE(exitedCleanly(forker().result));
    const auto top = topJson(forker().trace);
    const auto before = siteTotals(top, "forker_before_fork");
    EXPECT_EQ(before.allocations, 100u);
    EXPECT_EQ(before.bytesAllocated, 100u * 128u);
    const auto after = siteTotals(top, "forker_after_wait");
    EXPECT_EQ(after.allocations, 70u);
    EXPECT_EQ(after.bytesAllocated, 70u * 512u);
    EXPECT_EQ(siteTotals(top, "forker_in_child").entries, 0u);
}

TEST(ForkVictim, ChildWritesItsOwnTrace) {
    ASSERT_TRUE(exitedCleanly(forker().result));
    ASSERT_FALSE(childPid(forker()).empty()) << "no child pid in: " << forker().result.out;
    const std::string trace = childTrace(forker());
    ASSERT_TRUE(std::filesystem::exists(trace))
        << trace << " missing; found:" << listing(forker().trace);
    const auto top = topJson(trace);
    const auto inChild = siteTotals(top, "forker_in_child");
    EXPECT_EQ(inChild.allocations, 50u);
    EXPECT_EQ(inChild.bytesAllocated, 50u * 256u);
    EXPECT_EQ(siteTotals(top, "forker_after_wait").entries, 0u);
    // The child ran to its end: its trace is complete, and only its own.
    const auto summary = summaryJson(trace);
    EXPECT_EQ(summary.at("pid").get<std::uint64_t>(), std::stoull(childPid(forker())));
    EXPECT_EQ(summary.at("truncated"), false);
    // `heapscope run` waits for the parent only: the child's status comes from its exit() call.
    EXPECT_EQ(summary.at("exit_status"), 0);
}

TEST(ForkVictim, ARelativeTraceNameStaysInTheDirectoryRecordingStartedIn) {
    // The victim changes to / before it forks: its child's trace must not follow it there.
    TempDir dir;
    const Result result = run(
        Command{{"/bin/sh", "-c", "cd \"$0\" && exec \"$1\" run --quiet -o forker.hst -- \"$2\"",
                 dir.path().string(), heapscopeBinary(), victimPath("victim_forker")},
                {},
                ""});
    ASSERT_EQ(result.exitCode(), 0) << result.describe();
    const Recording recording{dir.file("forker.hst"), result};
    const std::string trace = childTrace(recording);
    ASSERT_TRUE(std::filesystem::exists(trace)) << trace << " missing; found:" << listing(trace);
    EXPECT_EQ(siteTotals(topJson(trace), "forker_in_child").allocations, 50u);
}

} // namespace
} // namespace heapscope::e2e
