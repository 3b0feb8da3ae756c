// e2e: victim `killed` — a program killed with SIGKILL leaves a readable trace, marked truncated.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

TEST(KilledVictim, TraceSurvivesSigkill) {
    TempDir dir;
    const std::string trace = dir.file("killed.hst");
    Process traced(
        {{heapscopeBinary(), "run", "--quiet", "-o", trace, "--", victimPath("victim_killed")},
         {},
         {}});
    // "ready <pid>": the program's own pid, not heapscope's.
    const auto line = traced.readStdoutLine(kDefaultTimeout);
    ASSERT_TRUE(line && line->starts_with("ready "))
        << "no ready line; " << traced.finish().describe();
    const pid_t program = std::stoi(line->substr(6));
    ASSERT_NE(program, traced.pid());
    // Let it run a while longer so that more than the first frames are written.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ASSERT_EQ(kill(program, SIGKILL), 0);
    const Result result = traced.finish();
    EXPECT_EQ(result.signal(), SIGKILL) << result.describe();

    const Result summary = heapscope({"summary", trace, "--json"});
    ASSERT_TRUE(exitedCleanly(summary));
    const auto json = nlohmann::json::parse(summary.out);
    EXPECT_EQ(json.at("truncated"), true);
    EXPECT_GT(json.at("allocations").get<std::uint64_t>(), 0u);
}

} // namespace
} // namespace heapscope::e2e
