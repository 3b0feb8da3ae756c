// e2e: the queryable heap, `heapscope sql` and `heapscope query`, on victim `sql_sizes` (ground
// truth in tests/victims/sql_sizes.cpp): rheaper's queries give the known count, sum, average,
// minimum and maximum, the sqlite3 shell reads the same database and agrees, writing statements
// are refused and SQL errors are one line with exit status 2.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

namespace fs = std::filesystem;

const Recording& sizes() { return recordOnce({victimPath("victim_sql_sizes")}); }

// The line of the victim's malloc marked "sql-site: <name>".
int siteLine(std::string_view name) {
    std::ifstream source(HEAPSCOPE_SOURCE_DIR "/tests/victims/sql_sizes.cpp");
    const std::string marker = "sql-site: " + std::string(name);
    std::string line;
    for (int number = 1; std::getline(source, line); ++number) {
        if (line.find(marker) != std::string::npos) return number;
    }
    ADD_FAILURE() << "no line marked '" << marker << "' in the victim";
    return 0;
}

// `heapscope sql TRACE -o DIR/NAME OPTIONS...`; the database's path.
std::string sqlDatabase(const TempDir& dir, const std::string& name,
                        const std::vector<std::string>& options = {}) {
    const std::string db = dir.file(name);
    std::vector<std::string> args = {"sql", sizes().trace, "-o", db};
    args.insert(args.end(), options.begin(), options.end());
    const Result result = heapscope(args);
    EXPECT_TRUE(exitedCleanly(result));
    EXPECT_TRUE(result.err.empty()) << result.err;
    return db;
}

// One database for the tests that only read it.
const std::string& fullDatabase() {
    static const TempDir* dir = new TempDir; // lives until the process ends, as recordOnce's
    static const std::string db = sqlDatabase(*dir, "sizes.db");
    return db;
}

nlohmann::json queryJson(const std::string& input, const std::string& sql) {
    const Result result = heapscope({"query", input, sql, "--format", "json"});
    EXPECT_TRUE(exitedCleanly(result)) << sql;
    try {
        return nlohmann::json::parse(result.out);
    } catch (const nlohmann::json::exception& e) {
        ADD_FAILURE() << sql << ": not JSON: " << e.what() << "\n" << result.out;
        return nlohmann::json::array();
    }
}

std::int64_t queryNumber(const std::string& input, const std::string& sql) {
    const nlohmann::json rows = queryJson(input, sql);
    if (rows.size() != 1 || rows[0].size() != 1) {
        ADD_FAILURE() << sql << " gave " << rows.dump();
        return -1;
    }
    return rows[0].begin()->get<std::int64_t>();
}

// rheaper's one-liner: the statistics of the allocations made at a line of a source file.
std::string statsAtLine(int line) {
    return "SELECT count(*) AS n, sum(size) AS total, avg(size) AS mean, min(size) AS smallest, "
           "max(size) AS largest FROM allocations WHERE bt = (SELECT id FROM backtraces WHERE "
           "file LIKE '%sql_sizes.cpp' AND line = " +
           std::to_string(line) + ")";
}

TEST(SqlVictim, RheaperQueriesGiveTheKnownSizes) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    const nlohmann::json small = queryJson(fullDatabase(), statsAtLine(siteLine("small")));
    ASSERT_EQ(small.size(), 1u) << small.dump();
    EXPECT_EQ(small[0]["n"], 100);
    EXPECT_EQ(small[0]["total"], 14950);
    EXPECT_DOUBLE_EQ(small[0]["mean"].get<double>(), 149.5);
    EXPECT_EQ(small[0]["smallest"], 100);
    EXPECT_EQ(small[0]["largest"], 199);

    const nlohmann::json large = queryJson(fullDatabase(), statsAtLine(siteLine("large")));
    ASSERT_EQ(large.size(), 1u) << large.dump();
    EXPECT_EQ(large[0]["n"], 50);
    EXPECT_EQ(large[0]["total"], 62250);
    EXPECT_DOUBLE_EQ(large[0]["mean"].get<double>(), 1245.0);
    EXPECT_EQ(large[0]["smallest"], 1000);
    EXPECT_EQ(large[0]["largest"], 1490);
}

TEST(SqlVictim, BacktraceIdAsAStringLiteralAsInRheaper) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    // rheaper's readers write the id as a string: `WHERE bt = '1285...'`.
    const std::int64_t id =
        queryNumber(fullDatabase(),
                    "SELECT id FROM backtraces WHERE sym LIKE '%sql_site_small%' AND frame_no = 0");
    const nlohmann::json rows = queryJson(
        fullDatabase(), "SELECT avg(size), min(size), max(size) FROM allocations WHERE bt = '" +
                            std::to_string(id) + "'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_DOUBLE_EQ(rows[0]["avg(size)"].get<double>(), 149.5);
    EXPECT_EQ(rows[0]["min(size)"], 100);
    EXPECT_EQ(rows[0]["max(size)"], 199);
    // Its stack, innermost first, goes on through main.
    const nlohmann::json frames = queryJson(
        fullDatabase(), "SELECT frame_no, sym FROM backtraces WHERE id = " + std::to_string(id) +
                            " ORDER BY frame_no");
    ASSERT_GE(frames.size(), 2u);
    EXPECT_EQ(frames[0]["frame_no"], 0);
    EXPECT_NE(frames[1]["sym"].get<std::string>().find("main"), std::string::npos) << frames.dump();
}

TEST(SqlVictim, BlocksNeverFreedHaveNoDeallocationTime) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    const std::string live = "SELECT count(*) AS n, sum(size) AS total FROM allocations WHERE "
                             "dealloc_after IS NULL AND bt = (SELECT id FROM backtraces WHERE "
                             "sym LIKE '%sql_site_large%' AND frame_no = 0)";
    const nlohmann::json rows = queryJson(fullDatabase(), live);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["n"], 10);
    EXPECT_EQ(rows[0]["total"], 14450);
    // A freed block has no leak verdict, and its free comes after its allocation.
    EXPECT_EQ(queryNumber(fullDatabase(), "SELECT count(*) FROM allocations WHERE dealloc_after "
                                          "IS NOT NULL AND (leak IS NOT NULL OR dealloc_after < "
                                          "alloc_after)"),
              0);
    // When the recorder scanned for leaks, the ten forgotten blocks are definitely lost.
    const auto summary = summaryJson(sizes().trace);
    if (summary.at("leaks").at("definitely_lost").at("blocks").get<std::uint64_t>() > 0) {
        EXPECT_EQ(queryNumber(fullDatabase(),
                              "SELECT count(*) FROM allocations WHERE leak = 'definitely_lost' "
                              "AND size BETWEEN 1400 AND 1490 AND dealloc_after IS NULL"),
                  10);
    }
}

TEST(SqlVictim, FreedByAnotherThread) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    const nlohmann::json rows = queryJson(
        fullDatabase(), "SELECT alloc_thread, dealloc_thread, family FROM allocations WHERE "
                        "size = 4242 AND bt = (SELECT id FROM backtraces WHERE sym LIKE "
                        "'%sql_site_handoff%' AND frame_no = 0)");
    ASSERT_EQ(rows.size(), 1u) << rows.dump();
    EXPECT_FALSE(rows[0]["dealloc_thread"].is_null());
    EXPECT_NE(rows[0]["alloc_thread"], rows[0]["dealloc_thread"]);
    EXPECT_EQ(rows[0]["family"], "malloc");
    EXPECT_EQ(queryNumber(fullDatabase(), "SELECT count(*) FROM threads WHERE id IN (" +
                                              rows[0]["alloc_thread"].dump() + ", " +
                                              rows[0]["dealloc_thread"].dump() + ")"),
              2);
}

TEST(SqlVictim, SitesAndMetaMatchTheSummary) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    const auto summary = summaryJson(sizes().trace);
    EXPECT_EQ(queryNumber(fullDatabase(), "SELECT count(*) FROM allocations"),
              summary.at("allocations").get<std::int64_t>());
    EXPECT_EQ(queryNumber(fullDatabase(), "SELECT sum(size) FROM allocations"),
              summary.at("bytes_allocated").get<std::int64_t>());
    EXPECT_EQ(queryNumber(fullDatabase(), "SELECT sum(allocations) FROM sites"),
              summary.at("allocations").get<std::int64_t>());
    EXPECT_EQ(queryNumber(fullDatabase(), "SELECT value FROM meta WHERE key = 'pid'"),
              summary.at("pid").get<std::int64_t>());
    const nlohmann::json large = queryJson(
        fullDatabase(), "SELECT allocations, bytes_allocated, leaked_bytes FROM sites WHERE bt = "
                        "(SELECT id FROM backtraces WHERE sym LIKE '%sql_site_large%' AND "
                        "frame_no = 0)");
    ASSERT_EQ(large.size(), 1u);
    EXPECT_EQ(large[0]["allocations"], 50);
    EXPECT_EQ(large[0]["bytes_allocated"], 62250);
    EXPECT_EQ(large[0]["leaked_bytes"], 14450);
}

TEST(SqlVictim, Sqlite3ShellAgrees) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    if (!fs::exists("/usr/bin/sqlite3")) GTEST_SKIP() << "the sqlite3 shell is not installed";
    const std::string sql = "SELECT bt, count(*) AS n, sum(size) AS total, min(alloc_after) AS "
                            "first FROM allocations GROUP BY bt ORDER BY bt";
    Command command;
    command.argv = {"/usr/bin/sqlite3", "-json", "-readonly", fullDatabase(), sql};
    const Result shell = run(command);
    ASSERT_TRUE(exitedCleanly(shell));
    const nlohmann::json expected = nlohmann::json::parse(shell.out);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(queryJson(fullDatabase(), sql), expected);
    command.argv = {"/usr/bin/sqlite3", "-readonly", fullDatabase(), "PRAGMA integrity_check"};
    EXPECT_EQ(run(command).out, "ok\n");
}

TEST(SqlVictim, CsvAndTableOutputs) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    const std::string sql = "SELECT size, family, 'a,\"b\"' AS quoted, NULL AS missing FROM "
                            "allocations WHERE size IN (100, 101) ORDER BY size";
    const Result csv = heapscope({"query", fullDatabase(), sql, "--format", "csv"});
    ASSERT_TRUE(exitedCleanly(csv));
    EXPECT_EQ(csv.out, "size,family,quoted,missing\r\n"
                       "100,malloc,\"a,\"\"b\"\"\",\r\n"
                       "101,malloc,\"a,\"\"b\"\"\",\r\n");
    const Result table = heapscope({"query", fullDatabase(), sql});
    ASSERT_TRUE(exitedCleanly(table));
    EXPECT_EQ(table.out, "size  family  quoted  missing\n"
                         "----  ------  ------  -------\n"
                         " 100  malloc  a,\"b\"\n"
                         " 101  malloc  a,\"b\"\n");
}

TEST(SqlQuery, WritingStatementsAreRefused) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    TempDir dir;
    const std::string db = sqlDatabase(dir, "refuse.db");
    const std::int64_t before = queryNumber(db, "SELECT count(*) FROM allocations");
    for (const char* sql : {"DELETE FROM allocations", "DROP TABLE backtraces", "CREATE TABLE x(a)",
                            "UPDATE allocations SET size = 0"}) {
        const Result result = heapscope({"query", db, sql});
        EXPECT_EQ(result.exitCode(), 2) << sql;
        EXPECT_EQ(result.err, "heapscope: query: only read-only statements are allowed\n") << sql;
        EXPECT_TRUE(result.out.empty()) << sql;
    }
    EXPECT_EQ(queryNumber(db, "SELECT count(*) FROM allocations"), before);
}

TEST(SqlQuery, SqlErrorsAreOneLineWithStatusTwo) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    for (const char* sql : {"SELEC 1", "SELECT nope FROM allocations", "SELECT * FROM nowhere",
                            "SELECT 1; SELECT 2", "   "}) {
        const Result result = heapscope({"query", fullDatabase(), sql});
        EXPECT_EQ(result.exitCode(), 2) << sql;
        EXPECT_TRUE(result.err.starts_with("heapscope: query: ")) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
    const Result missing = heapscope({"query", "/nonexistent/x.hst", "SELECT 1"});
    EXPECT_EQ(missing.exitCode(), 2);
    EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
    const Result badFormat = heapscope({"query", fullDatabase(), "SELECT 1", "--format", "xml"});
    EXPECT_EQ(badFormat.exitCode(), 2);
}

TEST(SqlQuery, ATraceIsQueriedThroughACacheBesideIt) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    if (!fs::exists("/usr/bin/sqlite3")) GTEST_SKIP() << "the sqlite3 shell is not installed";
    TempDir dir;
    const std::string trace = dir.file("copy.hst");
    fs::copy_file(sizes().trace, trace);
    const std::string cache = trace + ".db";
    const std::string count = "SELECT count(*) FROM allocations";
    const std::int64_t expected = queryNumber(fullDatabase(), count);
    EXPECT_EQ(queryNumber(trace, count), expected);
    ASSERT_TRUE(fs::exists(cache));
    // Reused while the trace is unchanged: a row added by hand is still there.
    Command shell;
    shell.argv = {"/usr/bin/sqlite3", cache, "INSERT INTO marks VALUES (1, 0, 'by hand')"};
    ASSERT_TRUE(exitedCleanly(run(shell)));
    EXPECT_EQ(queryNumber(trace, "SELECT count(*) FROM marks WHERE name = 'by hand'"), 1);
    // Remade once the trace changes.
    fs::last_write_time(trace, fs::last_write_time(trace) + std::chrono::seconds(5));
    EXPECT_EQ(queryNumber(trace, "SELECT count(*) FROM marks WHERE name = 'by hand'"), 0);
    EXPECT_EQ(queryNumber(trace, count), expected);
    // A filtered database at that place is not taken for the whole one.
    const Result filtered = heapscope({"sql", trace, "-o", cache, "--live-at-end"});
    ASSERT_TRUE(exitedCleanly(filtered));
    EXPECT_EQ(queryNumber(trace, count), expected);
}

TEST(SqlFilters, LiveAtEndMinLifetimeWindowAndAggregate) {
    ASSERT_TRUE(exitedCleanly(sizes().result));
    TempDir dir;
    const std::string& full = fullDatabase();
    const std::int64_t neverFreed =
        queryNumber(full, "SELECT count(*) FROM allocations WHERE dealloc_after IS NULL");
    EXPECT_GE(neverFreed, 10);
    const std::string live = sqlDatabase(dir, "live.db", {"--live-at-end"});
    EXPECT_EQ(queryNumber(live, "SELECT count(*) FROM allocations"), neverFreed);
    EXPECT_EQ(queryNumber(live, "SELECT count(*) FROM allocations WHERE dealloc_after IS NOT "
                                "NULL"),
              0);

    // The median lifetime as threshold: the filtered rows are those of the full database that
    // lived at least that long (a block never freed lives until the end of the run).
    const std::int64_t runtime =
        queryNumber(full, "SELECT value FROM meta WHERE key = 'runtime_ns'");
    const std::string lifetime =
        "coalesce(dealloc_after, " + std::to_string(runtime) + ") - alloc_after";
    const std::int64_t median =
        queryNumber(full, "SELECT " + lifetime +
                              " FROM allocations ORDER BY 1 LIMIT 1 OFFSET (SELECT "
                              "count(*) / 2 FROM allocations)");
    const std::string longLived =
        sqlDatabase(dir, "long.db", {"--min-lifetime", std::to_string(median)});
    EXPECT_EQ(queryNumber(longLived, "SELECT count(*) FROM allocations"),
              queryNumber(full, "SELECT count(*) FROM allocations WHERE " + lifetime +
                                    " >= " + std::to_string(median)));

    const std::int64_t middle = queryNumber(
        full, "SELECT alloc_after FROM allocations ORDER BY alloc_after LIMIT 1 OFFSET 60");
    const std::string window = sqlDatabase(
        dir, "window.db", {"--from", std::to_string(middle), "--to", std::to_string(runtime)});
    EXPECT_EQ(queryNumber(window, "SELECT count(*) FROM allocations"),
              queryNumber(full, "SELECT count(*) FROM allocations WHERE alloc_after >= " +
                                    std::to_string(middle)));

    const std::string aggregate = sqlDatabase(dir, "aggregate.db", {"--aggregate"});
    EXPECT_EQ(queryNumber(aggregate, "SELECT count(*) FROM allocations"), 0);
    EXPECT_EQ(queryNumber(aggregate, "SELECT sum(bytes_allocated) FROM sites"),
              queryNumber(full, "SELECT sum(size) FROM allocations"));
    EXPECT_GT(queryNumber(aggregate, "SELECT count(*) FROM backtraces"), 0);
}

TEST(SqlCommand, BadInputIsOneLineWithStatusTwo) {
    TempDir dir;
    const std::string garbage = dir.file("garbage.hst");
    std::ofstream(garbage) << "not a trace";
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"sql", "/nonexistent/x.hst", "-o", dir.file("a.db")},
          std::vector<std::string>{"sql", garbage, "-o", dir.file("b.db")},
          std::vector<std::string>{"sql", garbage},
          std::vector<std::string>{"sql", garbage, "-o", dir.file("c.db"), "--min-lifetime",
                                   "soon"}}) {
        const Result result = heapscope(args);
        EXPECT_EQ(result.exitCode(), 2) << args[1];
        EXPECT_TRUE(result.err.starts_with("heapscope: ")) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
    EXPECT_FALSE(fs::exists(dir.file("b.db")));
}

} // namespace
} // namespace heapscope::e2e
