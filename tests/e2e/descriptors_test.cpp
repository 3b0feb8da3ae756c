// e2e: victim `descriptors` — a program that closes every descriptor it did not open and reuses
// low numbers with dup2 runs as it does without heapscope (the numbers open() hands out
// included), its file gets only what it wrote, and its trace is complete.
#include <gtest/gtest.h>

#include <string>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

std::string expectedFile() {
    std::string text;
    for (int fd = 3; fd <= 63; ++fd)
        text += "descriptor " + std::to_string(fd) + "\n";
    return text;
}

TEST(Descriptors, AProgramClosingAndReusingDescriptorsKeepsItsFileAndItsTrace) {
    TempDir dir;
    Command native;
    native.argv = {victimPath("victim_descriptors"), dir.file("native.txt")};
    const Result nativeRun = run(native);
    ASSERT_EQ(nativeRun.exitCode(), 0) << nativeRun.describe();
    ASSERT_EQ(fileContents(dir.file("native.txt")), expectedFile());

    const std::string trace = dir.file("descriptors.hst");
    const Result traced =
        heapscopeRun(trace, {victimPath("victim_descriptors"), dir.file("traced.txt")});
    ASSERT_EQ(traced.exitCode(), 0) << traced.describe();
    EXPECT_EQ(traced.out, nativeRun.out);
    EXPECT_EQ(withoutHeapscopeLines(traced.err), nativeRun.err);
    EXPECT_EQ(fileContents(dir.file("traced.txt")), expectedFile());

    const auto summary = summaryJson(trace);
    EXPECT_EQ(summary.at("truncated"), false);
    EXPECT_EQ(summary.at("exit_status"), 0);
    const SiteTotals site = siteTotals(topJson(trace), "victim_site_after_closes");
    EXPECT_EQ(site.allocations, 1000u);
    EXPECT_EQ(site.bytesAllocated, 100000u);
    EXPECT_EQ(site.leakedBytes, 1000u);
}

} // namespace
} // namespace heapscope::e2e
