// e2e: recording paused and resumed (heapscope_stop/start, --start-paused, `heapscope ctl`) and
// sampled (--sample-rate), on victim_pause (ground truth in tests/victims/pause.cpp).
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

struct LeakCount {
    std::uint64_t bytes = 0;
    std::uint64_t blocks = 0;
    bool operator==(const LeakCount&) const = default;
};

// What `heapscope dump` shows of a trace.
struct Dumped {
    std::map<std::uint64_t, int> allocsOfSize;
    std::map<std::uint64_t, int> freesOfSize;
    std::uint64_t unknownFrees = 0; // frees of no block in the trace
    std::uint64_t errors = 0;
    std::uint64_t onDemandChecks = 0;
    LeakCount exitDefinite;
    std::uint64_t sampleRate = 0;
    // "on", "off", "mark NAME" and "alloc SIZE" (for the sizes asked for), in trace order.
    std::vector<std::string> sequence;
};

Dumped dump(const std::string& trace, const std::vector<std::uint64_t>& sequenceSizes = {}) {
    const Result r = heapscope({"dump", trace});
    EXPECT_TRUE(exitedCleanly(r));
    Dumped d;
    std::map<std::uint64_t, std::uint64_t> live;
    const std::regex header(R"(^header .* sample_rate=([0-9]+))");
    const std::regex alloc(R"(^alloc .* address=0x([0-9a-f]+) size=([0-9]+))");
    const std::regex freed(R"(^free .* address=0x([0-9a-f]+))");
    const std::regex recording(R"(^recording time=[0-9]+ on=([01]))");
    const std::regex mark(R"re(^mark .* name="(.*)")re");
    const std::regex exitCheck(R"(^leak_check .* at_exit=1 .*definitely_lost=([0-9]+)/([0-9]+))");
    std::istringstream lines(r.out);
    std::string line;
    std::smatch m;
    while (std::getline(lines, line)) {
        if (std::regex_search(line, m, alloc)) {
            const std::uint64_t size = std::stoull(m[2].str());
            live[std::stoull(m[1].str(), nullptr, 16)] = size;
            ++d.allocsOfSize[size];
            if (std::find(sequenceSizes.begin(), sequenceSizes.end(), size) != sequenceSizes.end())
                d.sequence.push_back("alloc " + std::to_string(size));
        } else if (std::regex_search(line, m, freed)) {
            const auto it = live.find(std::stoull(m[1].str(), nullptr, 16));
            if (it == live.end()) {
                ++d.unknownFrees;
            } else {
                ++d.freesOfSize[it->second];
                live.erase(it);
            }
        } else if (std::regex_search(line, m, recording)) {
            d.sequence.push_back(m[1].str() == "1" ? "on" : "off");
        } else if (std::regex_search(line, m, mark)) {
            d.sequence.push_back("mark " + m[1].str());
        } else if (std::regex_search(line, m, exitCheck)) {
            d.exitDefinite = LeakCount{std::stoull(m[1].str()), std::stoull(m[2].str())};
        } else if (line.starts_with("leak_check ")) {
            ++d.onDemandChecks;
        } else if (line.starts_with("error ")) {
            ++d.errors;
        } else if (std::regex_search(line, m, header)) {
            d.sampleRate = std::stoull(m[1].str());
        }
    }
    return d;
}

LeakCount definitelyLost(const nlohmann::json& summary) {
    const auto& j = summary.at("leaks").at("definitely_lost");
    return LeakCount{j.at("bytes").get<std::uint64_t>(), j.at("blocks").get<std::uint64_t>()};
}

std::string pauseVictim() { return victimPath("victim_pause"); }

TEST(Pause, TraceHoldsExactlyTheBlocksAllocatedWhileRecording) {
    const Recording& r = recordOnce({pauseVictim(), "api"});
    ASSERT_TRUE(exitedCleanly(r.result));
    EXPECT_EQ(r.result.out, ""); // "inactive" would mean the API was not found
    const Dumped d = dump(r.trace, {1001, 3001});
    for (const std::uint64_t size : {1001, 1002, 1003, 3001})
        EXPECT_EQ(d.allocsOfSize.count(size) ? d.allocsOfSize.at(size) : 0, 1) << size;
    for (const std::uint64_t size : {2001, 2002, 4000})
        EXPECT_EQ(d.allocsOfSize.count(size), 0u) << size;
    // Freed while paused, both recorded: the 1002 block and the 1003 block realloc'ed away.
    EXPECT_EQ(d.freesOfSize.count(1002) ? d.freesOfSize.at(1002) : 0, 1);
    EXPECT_EQ(d.freesOfSize.count(1003) ? d.freesOfSize.at(1003) : 0, 1);
    EXPECT_EQ(d.unknownFrees, 0u) << "the free of a block allocated while paused was written";
    EXPECT_EQ(d.errors, 0u);
    const std::vector<std::string> expected = {"alloc 1001", "off", "on", "mark resumed",
                                               "alloc 3001"};
    EXPECT_EQ(d.sequence, expected);
}

TEST(Pause, LeakTotalsCountEveryBlockAndVerdictsOnlyTheTracedOnes) {
    const Recording& r = recordOnce({pauseVictim(), "api"});
    ASSERT_TRUE(exitedCleanly(r.result));
    EXPECT_EQ(dump(r.trace).exitDefinite, (LeakCount{6003, 3}));
    const auto summary = summaryJson(r.trace);
    // The block allocated before the pause and freed during it is not among them.
    EXPECT_EQ(definitelyLost(summary), (LeakCount{4002, 2}));
    const auto pausedNs = summary.at("paused_ns").get<std::uint64_t>();
    EXPECT_GT(pausedNs, 0u);
    EXPECT_LE(pausedNs, summary.at("runtime_ns").get<std::uint64_t>());
    const Result timeline = heapscope({"timeline", r.trace});
    ASSERT_TRUE(exitedCleanly(timeline));
    EXPECT_NE(timeline.out.find("recording paused:"), std::string::npos) << timeline.out;
}

// `heapscope ctl PID ARGS...`
Result ctl(pid_t pid, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"ctl", std::to_string(pid)};
    all.insert(all.end(), args.begin(), args.end());
    return heapscope(all);
}

// Lets the waiting victim take its next step and waits until it has.
void step(Process& victim, const TempDir& dir, int k) {
    std::ofstream(dir.file("go" + std::to_string(k))).put('\n');
    const auto line = victim.readStdoutLine(kDefaultTimeout);
    ASSERT_TRUE(line.has_value());
    EXPECT_EQ(*line, "step " + std::to_string(k));
}

TEST(Ctl, StartPausedThenStartMarkStopAndLeakCheckFromOutside) {
    const TempDir dir;
    const std::string trace = dir.file("ctl.hst");
    Process victim(Command{{heapscopeBinary(), "run", "--quiet", "--start-paused", "-o", trace,
                            "--", pauseVictim(), "wait", dir.path().string()},
                           {},
                           ""});
    const auto first = victim.readStdoutLine(kDefaultTimeout);
    ASSERT_TRUE(first.has_value() && first->starts_with("pid "));
    const auto pid = static_cast<pid_t>(std::stol(first->substr(4)));

    step(victim, dir, 1); // paused since the start
    EXPECT_TRUE(exitedCleanly(ctl(pid, {"start"})));
    step(victim, dir, 2);
    EXPECT_TRUE(exitedCleanly(ctl(pid, {"mark", "phase 2"})));
    EXPECT_TRUE(exitedCleanly(ctl(pid, {"stop"})));
    step(victim, dir, 3);
    const Result check = ctl(pid, {"leak-check"});
    EXPECT_TRUE(exitedCleanly(check));
    EXPECT_NE(check.out.find("definitely_lost="), std::string::npos) << check.out;
    std::ofstream(dir.file("go4")).put('\n');
    EXPECT_TRUE(exitedCleanly(victim.finish()));

    const Dumped d = dump(trace, {5001, 5002, 5003});
    const std::vector<std::string> expected = {"off", "on", "alloc 5002", "mark phase 2", "off"};
    EXPECT_EQ(d.sequence, expected);
    EXPECT_EQ(d.onDemandChecks, 1u);
    EXPECT_EQ(d.errors, 0u);
    EXPECT_GT(summaryJson(trace).at("paused_ns").get<std::uint64_t>(), 0u);
}

void expectUsageError(const Result& r, std::string_view reason) {
    EXPECT_TRUE(r.exited() && r.exitCode() == 2) << r.describe();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.err.starts_with("heapscope: ")) << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
}

TEST(Ctl, BadTargetsAreOneLineAndStatusTwo) {
    expectUsageError(heapscope({"ctl", "999999999", "start"}), "no process");
    expectUsageError(heapscope({"ctl", "abc", "start"}), "PID");
    // This test process runs without heapscope.
    expectUsageError(ctl(::getpid(), {"stop"}), "not recorded by heapscope");
    expectUsageError(ctl(::getpid(), {"pause"}), "unknown action");
    expectUsageError(ctl(::getpid(), {"mark"}), "NAME");
}

TEST(Sample, FewerAllocationsRecordedAndExitLeakTotalsExact) {
    const TempDir dir;
    const std::string full = dir.file("full.hst");
    const std::string sampled = dir.file("sampled.hst");
    ASSERT_TRUE(exitedCleanly(heapscopeRun(full, {pauseVictim(), "sample"})));
    ASSERT_TRUE(
        exitedCleanly(heapscopeRun(sampled, {pauseVictim(), "sample"}, {"--sample-rate", "4K"})));
    const Dumped all = dump(full);
    const Dumped some = dump(sampled);
    EXPECT_EQ(all.sampleRate, 0u);
    EXPECT_EQ(some.sampleRate, 4096u);
    EXPECT_EQ(all.allocsOfSize.at(100), 10000);
    // A 100-byte block is sampled with probability 1 - exp(-100/4096), about 1 in 41.
    const int recorded = some.allocsOfSize.count(100) ? some.allocsOfSize.at(100) : 0;
    EXPECT_GT(recorded, 0);
    EXPECT_LT(recorded, 2000);
    EXPECT_EQ(all.exitDefinite, (LeakCount{100000, 1000}));
    EXPECT_EQ(some.exitDefinite, all.exitDefinite);
    EXPECT_EQ(some.unknownFrees, 0u);
    EXPECT_EQ(some.errors, 0u);
}

TEST(Sample, ErrorExitcodeSeesLeaksOfUnsampledBlocks) {
    const TempDir dir;
    // At 1 GiB a 100-byte block is sampled about once in ten million: the lost blocks have no
    // loss record, only the exit scan's exact totals know them.
    const Result r = heapscope({"run", "-o", dir.file("s.hst"), "--sample-rate", "1G",
                                "--error-exitcode", "7", "--", pauseVictim(), "sample"});
    EXPECT_EQ(r.exitCode(), 7) << r.describe();
    EXPECT_NE(r.err.find("allocated (estimated from a sample)"), std::string::npos) << r.err;
}

TEST(Sample, BadRateIsAUsageError) {
    const TempDir dir;
    expectUsageError(
        heapscopeRun(dir.file("x.hst"), {pauseVictim(), "sample"}, {"--sample-rate", "lots"}),
        "--sample-rate");
}

// python3 behaves as without heapscope, sampled or paused, and no heap error is invented.
TEST(RealPrograms, Python3SampledAndPausedUnchanged) {
    constexpr const char* kPython = "/usr/bin/python3";
    if (access(kPython, X_OK) != 0) GTEST_SKIP() << "needs /usr/bin/python3";
    const std::vector<std::string> program = {
        kPython, "-c",
        "import json, collections\n"
        "d = {str(i): list(range(i % 97)) for i in range(20000)}\n"
        "c = collections.Counter(len(v) for v in d.values())\n"
        "print(json.dumps(sorted(c.items()))[:400])\n"};
    const Result native = run(Command{program, {}, ""});
    ASSERT_TRUE(exitedCleanly(native));
    const TempDir dir;
    for (const auto& options :
         std::vector<std::vector<std::string>>{{"--sample-rate", "64K"}, {"--start-paused"}}) {
        const std::string trace = dir.file("python.hst");
        const Result r = heapscopeRun(trace, program, options);
        ASSERT_TRUE(exitedCleanly(r)) << options[0];
        EXPECT_EQ(r.out, native.out) << options[0];
        EXPECT_EQ(withoutHeapscopeLines(r.err), native.err) << options[0];
        const auto errors = summaryJson(trace).at("errors");
        EXPECT_EQ(errors.at("double_free"), 0) << options[0];
        EXPECT_EQ(errors.at("invalid_free"), 0) << options[0];
        EXPECT_EQ(errors.at("mismatched_free"), 0) << options[0];
    }
}

} // namespace
} // namespace heapscope::e2e
