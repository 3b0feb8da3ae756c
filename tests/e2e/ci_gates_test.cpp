// e2e: `heapscope diff` and `heapscope check` as CI gates, on victim `sized` whose block size and
// count come from argv (ground truth in tests/victims/sized.c): exact growth of 12% and 8%,
// budgets on either side of the exact figures, and the JUnit XML both write.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

constexpr std::uint64_t kBlockBytes = 100000;

// BLOCKS blocks of kBlockBytes, LEAKED of them never freed.
const Recording& sized(int blocks, int leaked) {
    return recordOnce({victimPath("victim_sized"), std::to_string(kBlockBytes),
                       std::to_string(blocks), std::to_string(leaked)});
}
const Recording& base() { return sized(100, 0); }

bool exitedWith(const Result& result, int status) {
    return result.exited() && result.exitCode() == status;
}

nlohmann::json diffJson(const std::string& a, const std::string& b, const std::string& threshold,
                        int expectedStatus) {
    const Result result = heapscope({"diff", a, b, "--threshold", threshold, "--json"});
    EXPECT_TRUE(exitedWith(result, expectedStatus)) << result.describe();
    return nlohmann::json::parse(result.out);
}

// Parses XML with Python's standard parser and prints "suites tests failures names...": a file
// that is not well-formed XML, or not shaped as JUnit, fails here.
std::string junitShape(const std::string& path) {
    Command command;
    command.argv = {"/usr/bin/python3", "-c", R"(
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
suites = root.findall('testsuite')
cases = [c for s in suites for c in s.findall('testcase')]
failed = [c.get('name') for c in cases if c.find('failure') is not None]
for s in suites:
    assert int(s.get('tests')) == len(s.findall('testcase'))
    assert int(s.get('failures')) == sum(c.find('failure') is not None for c in s.findall('testcase'))
print(len(suites), len(cases), len(failed), *failed)
)",
                    path};
    const Result result = run(command);
    EXPECT_TRUE(exitedWith(result, 0)) << result.describe();
    return result.out;
}

TEST(Diff, TwelvePercentGrowthFailsATenPercentThreshold) {
    const Recording& grown = sized(112, 0);
    ASSERT_TRUE(exitedCleanly(base().result));
    ASSERT_TRUE(exitedCleanly(grown.result));
    const auto diff = diffJson(base().trace, grown.trace, "10%", 1);
    EXPECT_TRUE(diff.at("regressed").get<bool>());
    const auto& totals = diff.at("totals");
    EXPECT_EQ(totals.at("allocations").at("base"), 100);
    EXPECT_EQ(totals.at("allocations").at("new"), 112);
    EXPECT_TRUE(totals.at("allocations").at("regressed").get<bool>());
    EXPECT_EQ(totals.at("bytes_allocated").at("change"), 12 * kBlockBytes);
    EXPECT_TRUE(totals.at("bytes_allocated").at("regressed").get<bool>());
    EXPECT_EQ(totals.at("peak_bytes").at("new"), 112 * kBlockBytes);
    EXPECT_TRUE(totals.at("peak_bytes").at("regressed").get<bool>());
    EXPECT_FALSE(totals.at("leaked_bytes").at("regressed").get<bool>());
    // The two runs' addresses differ (ASLR): the site is matched by its symbolized stack, so it
    // is one entry with both runs' figures, not a gone site and a new one.
    ASSERT_EQ(diff.at("sites").size(), 1u) << diff.dump(2);
    const auto& site = diff.at("sites").at(0);
    EXPECT_TRUE(stackContains(site.at("stack"), "sized_site"));
    EXPECT_EQ(site.at("base").at("allocations"), 100);
    EXPECT_EQ(site.at("new").at("allocations"), 112);
    EXPECT_EQ(site.at("new").at("peak_bytes"), 112 * kBlockBytes);
}

TEST(Diff, EightPercentGrowthPassesATenPercentThreshold) {
    const Recording& grown = sized(108, 0);
    ASSERT_TRUE(exitedCleanly(grown.result));
    const auto diff = diffJson(base().trace, grown.trace, "10%", 0);
    EXPECT_FALSE(diff.at("regressed").get<bool>());
    EXPECT_EQ(diff.at("totals").at("peak_bytes").at("change"), 8 * kBlockBytes);
    // The same pair fails a 5% threshold: the threshold, not the pair, decides.
    EXPECT_TRUE(diffJson(base().trace, grown.trace, "5", 1).at("regressed").get<bool>());
}

TEST(Diff, LeakFromZeroIsARegressionAndTextNamesIt) {
    const Recording& leaking = sized(100, 1);
    ASSERT_TRUE(exitedCleanly(leaking.result));
    const auto diff = diffJson(base().trace, leaking.trace, "10%", 1);
    EXPECT_EQ(diff.at("totals").at("leaked_bytes").at("new"), kBlockBytes);
    EXPECT_TRUE(diff.at("totals").at("leaked_bytes").at("regressed").get<bool>());
    EXPECT_FALSE(diff.at("totals").at("allocations").at("regressed").get<bool>());
    const Result text = heapscope({"diff", base().trace, leaking.trace});
    EXPECT_TRUE(exitedWith(text, 1)) << text.describe();
    EXPECT_NE(text.out.find("REGRESSION"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("sized_site"), std::string::npos) << text.out;
}

TEST(Diff, JunitListsEachTrackedFigure) {
    const Recording& grown = sized(112, 0);
    TempDir dir;
    const std::string junit = dir.file("diff.xml");
    const Result result = heapscope({"diff", base().trace, grown.trace, "--junit", junit});
    EXPECT_TRUE(exitedWith(result, 1)) << result.describe();
    EXPECT_EQ(junitShape(junit), "1 4 3 allocations bytes_allocated peak_bytes\n");
}

TEST(Check, BudgetsPassAndFailOnTheRightSide) {
    ASSERT_TRUE(exitedCleanly(base().result));
    const std::string peak = std::to_string(100 * kBlockBytes);
    const std::string justUnder = std::to_string(100 * kBlockBytes - 1);
    const auto check = [](const std::vector<std::string>& budgets) {
        std::vector<std::string> args = {"check", base().trace};
        args.insert(args.end(), budgets.begin(), budgets.end());
        return heapscope(args);
    };
    EXPECT_TRUE(exitedWith(check({"--max-peak", peak}), 0));
    EXPECT_TRUE(exitedWith(check({"--max-allocations", "100"}), 0));
    EXPECT_TRUE(exitedWith(check({"--max-leaked", "0"}), 0));
    EXPECT_TRUE(exitedWith(check({"--max-peak", "50MiB", "--max-leaked", "0"}), 0));

    const Result overPeak = check({"--max-peak", justUnder, "--max-allocations", "100"});
    EXPECT_TRUE(exitedWith(overPeak, 1)) << overPeak.describe();
    EXPECT_NE(overPeak.err.find("heapscope: check: peak heap"), std::string::npos) << overPeak.err;
    EXPECT_EQ(overPeak.err.find("allocations"), std::string::npos) << overPeak.err;
    const Result asJson = check({"--max-peak", justUnder, "--max-allocations", "100", "--json"});
    EXPECT_TRUE(exitedWith(asJson, 1)) << asJson.describe();
    const auto verdicts = nlohmann::json::parse(asJson.out);
    EXPECT_FALSE(verdicts.at("passed").get<bool>());
    ASSERT_EQ(verdicts.at("budgets").size(), 2u);
    EXPECT_EQ(verdicts.at("budgets").at(0).at("figure"), "peak_bytes");
    EXPECT_EQ(verdicts.at("budgets").at(0).at("actual"), 100 * kBlockBytes);
    EXPECT_FALSE(verdicts.at("budgets").at(0).at("passed").get<bool>());
    EXPECT_TRUE(verdicts.at("budgets").at(1).at("passed").get<bool>());
    const Result overCount = check({"--max-allocations", "99"});
    EXPECT_TRUE(exitedWith(overCount, 1)) << overCount.describe();
    EXPECT_NE(overCount.err.find("check: allocations 100 is over its budget of 99"),
              std::string::npos)
        << overCount.err;
}

TEST(Check, LeakedBudgetAndJunit) {
    const Recording& leaking = sized(100, 2);
    ASSERT_TRUE(exitedCleanly(leaking.result));
    TempDir dir;
    const std::string junit = dir.file("check.xml");
    const Result result = heapscope(
        {"check", leaking.trace, "--max-leaked", "0", "--max-peak", "50MiB", "--junit", junit});
    EXPECT_TRUE(exitedWith(result, 1)) << result.describe();
    EXPECT_NE(result.err.find("leaked"), std::string::npos) << result.err;
    EXPECT_EQ(junitShape(junit), "1 2 1 leaked_bytes\n");
    EXPECT_TRUE(exitedWith(
        heapscope({"check", leaking.trace, "--max-leaked", std::to_string(2 * kBlockBytes)}), 0));
}

TEST(CiGatesUsage, BadArgumentsGiveOneLineAndStatus2) {
    ASSERT_TRUE(exitedCleanly(base().result));
    TempDir dir;
    const std::vector<std::vector<std::string>> cases = {
        {"check", base().trace},
        {"check", base().trace, "--max-peak", "lots"},
        {"check", base().trace, "--max-allocations", "-1"},
        {"check", "--max-peak", "1M"},
        {"check", dir.file("missing.hst"), "--max-peak", "1M"},
        {"check", base().trace, "--max-peak", "1M", "--bogus"},
        {"diff", base().trace},
        {"diff", base().trace, base().trace, "--threshold", "ten"},
        {"diff", base().trace, base().trace, "--threshold", "-5%"},
        {"diff", base().trace, dir.file("missing.hst")},
        {"diff", base().trace, base().trace, "--junit", dir.file("no/such/dir/x.xml")},
    };
    for (const auto& args : cases) {
        const Result result = heapscope(args);
        EXPECT_TRUE(exitedWith(result, 2))
            << args[0] << " " << args.back() << ": " << result.describe();
        EXPECT_TRUE(result.err.starts_with("heapscope: ")) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
}

} // namespace
} // namespace heapscope::e2e
