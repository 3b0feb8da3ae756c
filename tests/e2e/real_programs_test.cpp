// e2e: programs nobody here wrote (sqlite3, python3): output untouched by heapscope, and
// heapscope's allocation count and peak heap agree with heaptrack's for the same workload.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "heapscope_cli.h"
#include "heaptrack_figures.h"

namespace heapscope::e2e {
namespace {

// Both tools count the same calls; the margins cover what differs legitimately (heaptrack's
// own start-up, its three significant digits for sizes).
constexpr double kAllocationTolerance = 0.02;
constexpr double kPeakTolerance = 0.05;

// A trading book in SQL: 50k rows in one transaction, an index, aggregates. Deterministic.
std::string sqliteWorkload() {
    std::string sql = "CREATE TABLE trades(id INTEGER PRIMARY KEY, symbol TEXT, price REAL, "
                      "qty INTEGER, note TEXT);\nBEGIN;\n";
    std::uint32_t state = 12345;
    for (int id = 1; id <= 50000; ++id) {
        state = state * 1103515245u + 12345u;
        const auto random = (state >> 8) % 100000;
        sql += "INSERT INTO trades VALUES(" + std::to_string(id) + ",'SYM" +
               std::to_string(random % 37) + "'," + std::to_string(100 + random % 9000 / 100.0) +
               "," + std::to_string(1 + random % 500) + ",'order " + std::to_string(random) +
               " filled on venue " + std::to_string(random % 7) + "');\n";
    }
    sql += "COMMIT;\n"
           "CREATE INDEX trades_symbol ON trades(symbol, price);\n"
           "SELECT symbol, count(*), sum(qty), round(avg(price), 4) FROM trades "
           "GROUP BY symbol ORDER BY symbol;\n"
           "SELECT count(*) FROM trades WHERE price > 150;\n"
           "SELECT max(qty), round(min(price), 2), count(DISTINCT note) FROM trades;\n"
           "SELECT symbol, count(DISTINCT qty) AS n FROM trades GROUP BY symbol "
           "ORDER BY n DESC, symbol LIMIT 5;\n";
    return sql;
}

// Dicts, lists and strings for about a second.
constexpr std::string_view kPythonWorkload = R"(import json
table = {}
words = []
for i in range(600000):
    key = "k%d" % (i * 7919 % 2003)
    table.setdefault(key, []).append(i)
    if i % 3 == 0:
        words.append("w" * (i % 1000) + str(i))
    if i % 1000 == 999:
        words = words[-50:]
text = "|".join(words)
lengths = {}
for key, values in table.items():
    lengths[len(values)] = lengths.get(len(values), 0) + 1
print(len(table), sum(len(v) for v in table.values()), len(text))
print(sorted(lengths.items())[:5])
print(json.dumps({"words": len(words), "buckets": len(lengths)}))
)";

void writeFile(const std::string& path, std::string_view text) { std::ofstream(path) << text; }

void expectClose(std::uint64_t ours, std::uint64_t reference, double tolerance, const char* what) {
    const double difference = std::abs(static_cast<double>(ours) - static_cast<double>(reference));
    EXPECT_LE(difference, tolerance * static_cast<double>(reference))
        << what << ": " << ours << " against " << reference;
}

// Native output, then heapscope (same output), then heaptrack; compares the figures.
void compareWithHeaptrack(const Command& command, const TempDir& dir) {
    const Result native = run(command);
    ASSERT_TRUE(exitedCleanly(native));

    const std::string trace = dir.file("program.hst");
    Command traced = command;
    traced.argv = {heapscopeBinary(), "run", "--quiet", "-o", trace, "--"};
    traced.argv.insert(traced.argv.end(), command.argv.begin(), command.argv.end());
    const Result ours = run(traced);
    ASSERT_TRUE(exitedCleanly(ours));
    EXPECT_EQ(ours.out, native.out);
    const auto summary = summaryJson(trace);

    const HeaptrackFigures reference = measureWithHeaptrack(command, dir.path().string());
    std::printf("allocations: heapscope %llu, heaptrack %llu; peak heap: heapscope %llu, "
                "heaptrack %llu\n",
                summary.at("allocations").get<unsigned long long>(),
                static_cast<unsigned long long>(reference.allocations),
                summary.at("peak_heap_bytes").get<unsigned long long>(),
                static_cast<unsigned long long>(reference.peakBytes));
    expectClose(summary.at("allocations").get<std::uint64_t>(), reference.allocations,
                kAllocationTolerance, "allocations");
    expectClose(summary.at("peak_heap_bytes").get<std::uint64_t>(), reference.peakBytes,
                kPeakTolerance, "peak heap bytes");
}

bool heaptrackInstalled() { return findOnPath("heaptrack") && findOnPath("heaptrack_print"); }

TEST(HeaptrackFigures, SizesAreDecimal) {
    EXPECT_EQ(parseHeaptrackSize("0B"), 0u);
    EXPECT_EQ(parseHeaptrackSize("812B"), 812u);
    EXPECT_EQ(parseHeaptrackSize("72.70K"), 72700u);
    EXPECT_EQ(parseHeaptrackSize("67.11M"), 67110000u);
    EXPECT_EQ(parseHeaptrackSize("1.20G"), 1200000000u);
    EXPECT_FALSE(parseHeaptrackSize("12X"));
    EXPECT_FALSE(parseHeaptrackSize("M"));
}

TEST(HeaptrackFigures, SummaryLines) {
    const auto figures = parseHeaptrackPrint("total runtime: 0.75s.\n"
                                             "calls to allocation functions: 245370 (185605/s)\n"
                                             "temporary memory allocations: 709 (944/s)\n"
                                             "peak heap memory consumption: 6.44M\n");
    ASSERT_TRUE(figures);
    EXPECT_EQ(figures->allocations, 245370u);
    EXPECT_EQ(figures->peakBytes, 6440000u);
    EXPECT_FALSE(parseHeaptrackPrint("calls to allocation functions: 12\n"));
}

TEST(RealPrograms, Sqlite3MatchesHeaptrack) {
    const auto sqlite = findOnPath("sqlite3");
    if (!heaptrackInstalled() || !sqlite) {
        GTEST_SKIP() << "needs heaptrack and sqlite3";
    }
    TempDir dir;
    writeFile(dir.file("workload.sql"), sqliteWorkload());
    compareWithHeaptrack({{*sqlite, "-batch", ":memory:"}, {}, dir.file("workload.sql")}, dir);
}

TEST(RealPrograms, Python3MatchesHeaptrack) {
    constexpr const char* kPython = "/usr/bin/python3";
    if (!heaptrackInstalled() || !std::filesystem::exists(kPython)) {
        GTEST_SKIP() << "needs heaptrack and /usr/bin/python3";
    }
    TempDir dir;
    writeFile(dir.file("workload.py"), kPythonWorkload);
    // A fixed hash seed makes the interpreter's allocations the same from run to run.
    compareWithHeaptrack(
        {{kPython, dir.file("workload.py")}, {"PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1"}, {}},
        dir);
}

TEST(RealPrograms, Python3ObjectsInItsOwnArenasKeepTheirBlocks) {
    // Python keeps its small objects in arenas it maps itself; a list's items array (malloc'ed,
    // 800 KB) is held only by the list object there. os._exit leaves everything in place.
    constexpr const char* kPython = "/usr/bin/python3";
    if (!std::filesystem::exists(kPython)) GTEST_SKIP() << "needs /usr/bin/python3";
    TempDir dir;
    const std::string trace = dir.file("python.hst");
    const Result r =
        heapscopeRun(trace, {kPython, "-c",
                             "import os\nitems = [0] * 100000\n"
                             "table = {i: str(i) * 100 for i in range(2000)}\nos._exit(0)\n"});
    ASSERT_EQ(r.exitCode(), 0) << r.describe();
    const auto leaks = summaryJson(trace).at("leaks");
    EXPECT_EQ(leaks.at("definitely_lost").at("bytes"), 0) << leaks.dump();
    EXPECT_EQ(leaks.at("indirectly_lost").at("bytes"), 0) << leaks.dump();
    EXPECT_GE(leaks.at("still_reachable").at("bytes").get<std::uint64_t>(), 800000u);
}

TEST(RealPrograms, Python3ExtensionsOpenedWithDeepbindAreSeenAsWithout) {
    // sys.setdlopenflags(RTLD_DEEPBIND) makes Python open _sqlite3 and libsqlite3 with it, which
    // binds sqlite's malloc and free to the C library's first; the recording must not change.
    constexpr const char* kPython = "/usr/bin/python3";
    if (!std::filesystem::exists(kPython)) GTEST_SKIP() << "needs /usr/bin/python3";
    const auto script = [](const char* flags) {
        return std::string("import sys, os\n") + flags +
               "import sqlite3\n"
               "c = sqlite3.connect(':memory:')\n"
               "c.execute('create table t(a, b)')\n"
               "c.executemany('insert into t values(?, ?)', "
               "[(i, 'x' * (i % 100)) for i in range(20000)])\n"
               "print(c.execute('select count(*), sum(length(b)) from t').fetchone())\n";
    };
    TempDir dir;
    const auto record = [&](const std::string& name, const std::string& code) {
        const std::string trace = dir.file(name);
        // Fixed hashing and no bytecode written: both runs allocate alike.
        const Result r = run(
            Command{{heapscopeBinary(), "run", "--quiet", "-o", trace, "--", kPython, "-c", code},
                    {"PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1"},
                    ""});
        EXPECT_EQ(r.exitCode(), 0) << r.describe();
        EXPECT_EQ(r.out, "(20000, 990000)\n");
        return summaryJson(trace);
    };
    const auto plain = record("plain.hst", script(""));
    const auto deep =
        record("deep.hst", script("sys.setdlopenflags(os.RTLD_NOW | os.RTLD_DEEPBIND)\n"));
    expectClose(deep.at("allocations").get<std::uint64_t>(),
                plain.at("allocations").get<std::uint64_t>(), kAllocationTolerance, "allocations");
    EXPECT_EQ(deep.at("leaks").at("definitely_lost").at("bytes"), 0) << deep.at("leaks").dump();
    EXPECT_EQ(deep.at("leaks").at("indirectly_lost").at("bytes"), 0) << deep.at("leaks").dump();
}

} // namespace
} // namespace heapscope::e2e
