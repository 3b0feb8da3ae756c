// e2e: the report commands print the same bytes whether they symbolize on one thread or on
// several (HEAPSCOPE_SYMBOLIZE_THREADS, and the automatic choice), on a real trace with many
// stacks: heapscope's own `report` command recorded (C++ with DWARF and inline frames, libc).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

// The automatic choice uses two sessions from 2 x 256 addresses on; the trace must reach that.
constexpr std::size_t kParallelAddresses = 512;

const Recording& victimRecording() { return recordOnce({victimPath("victim_basic")}); }

// heapscope writing its HTML report: hundreds of call sites in fmt, nlohmann-json and its own
// code, each with a deep stack.
const std::string& selfTrace() {
    // The page goes beside the victim's trace, which lives as long as the process.
    const std::string& victim = victimRecording().trace;
    const std::string page = (std::filesystem::path(victim).parent_path() / "self.html").string();
    const Recording& recording = recordOnce({heapscopeBinary(), "report", victim, "-o", page});
    EXPECT_TRUE(exitedCleanly(recording.result));
    return recording.trace;
}

// `heapscope ARGS...` with HEAPSCOPE_SYMBOLIZE_THREADS=threads (empty: not set).
Result heapscopeWithThreads(const std::vector<std::string>& args, const std::string& threads) {
    Command command;
    command.argv = {heapscopeBinary()};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    if (!threads.empty()) command.env = {"HEAPSCOPE_SYMBOLIZE_THREADS=" + threads};
    return run(command);
}

void expectSameOutputEachWay(const std::vector<std::string>& args) {
    std::string label;
    for (const std::string& arg : args)
        label += arg + " ";
    const Result serial = heapscopeWithThreads(args, "1");
    ASSERT_TRUE(exitedCleanly(serial)) << label;
    ASSERT_FALSE(serial.out.empty()) << label;
    for (const std::string threads : {"2", "3", ""}) {
        const Result other = heapscopeWithThreads(args, threads);
        ASSERT_TRUE(exitedCleanly(other)) << label << "threads " << threads;
        // EXPECT_EQ on megabytes of text would print them all: compare, then say where.
        EXPECT_TRUE(other.out == serial.out)
            << label << "with HEAPSCOPE_SYMBOLIZE_THREADS=" << threads
            << " differs from the serial output at byte "
            << std::mismatch(serial.out.begin(), serial.out.end(), other.out.begin(),
                             other.out.end())
                       .first -
                   serial.out.begin();
    }
}

TEST(SymbolizeThreads, TheTraceHasManyStacksWithLinesAndInlineFrames) {
    const nlohmann::json top =
        nlohmann::json::parse(heapscope({"top", selfTrace(), "-n", "1000", "--json"}).out);
    std::set<std::string> addresses;
    bool inlined = false;
    bool lines = false;
    for (const nlohmann::json& site : top) {
        for (const nlohmann::json& frame : site.at("stack")) {
            addresses.insert(frame.at("address").get<std::string>());
            inlined = inlined || frame.at("inlined").get<bool>();
            lines = lines || frame.at("line").is_number();
        }
    }
    EXPECT_GE(addresses.size(), kParallelAddresses);
    EXPECT_TRUE(inlined);
    EXPECT_TRUE(lines);
}

TEST(SymbolizeThreads, TopIsTheSameSerialAndParallel) {
    expectSameOutputEachWay({"top", selfTrace(), "-n", "1000"});
    expectSameOutputEachWay({"top", selfTrace(), "-n", "1000", "--by", "peak", "--json"});
}

TEST(SymbolizeThreads, LeaksAreTheSameSerialAndParallel) {
    expectSameOutputEachWay({"leaks", selfTrace(), "--kinds", "all", "--growth"});
    expectSameOutputEachWay({"leaks", selfTrace(), "--kinds", "all", "--json"});
}

TEST(SymbolizeThreads, DiffIsTheSameSerialAndParallel) {
    // Both runs the same: every site of each is symbolized, by two symbolizers.
    expectSameOutputEachWay({"diff", selfTrace(), selfTrace(), "-n", "1000"});
}

TEST(SymbolizeThreads, ErrorsAreTheSameSerialAndParallel) {
    const Recording& errors = recordOnce({victimPath("victim_heap_errors"), "double_free"});
    expectSameOutputEachWay({"errors", errors.trace});
    expectSameOutputEachWay({"errors", errors.trace, "--json"});
}

} // namespace
} // namespace heapscope::e2e
