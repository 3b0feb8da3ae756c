// tests (reports): the SQLite export on hand-made lifetimes and a hand-built Model (row values,
// batching, backtraces, meta), the read-only query, and the table/CSV/JSON outputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "reports/sqlite_export.h"
#include "reports/sqlite_query.h"
#include "reports/sqlite_query_output.h"
#include "sample_model.h"

namespace heapscope::reports::test {
namespace {

std::string fresh(const std::string& name) {
    const std::string path = ::testing::TempDir() + name;
    std::filesystem::remove(path);
    return path;
}

std::string query(const std::string& db, const std::string& sql,
                  QueryFormat format = QueryFormat::Csv) {
    std::ostringstream out;
    const auto output = makeQueryOutput(format, out);
    runReadOnlyQuery(db, sql, *output);
    return out.str();
}

// Every stack resolves to two frames, the inner one inlined into the outer.
std::vector<analysis::Frame> twoFrames(StackId stack) {
    analysis::Frame inner;
    inner.address = 0x1000 + stack.value;
    inner.function = "inner_" + std::to_string(stack.value);
    inner.file = "/src/a.cpp";
    inner.line = 10 + stack.value;
    inner.module = "/usr/bin/app";
    inner.inlined = true;
    analysis::Frame outer = inner;
    outer.function = "outer";
    outer.line = std::nullopt;
    outer.inlined = false;
    return {inner, outer};
}

// 100 rows (three full batches and four single rows): size = 10 + i, stack 1 + i % 2, freed
// (at 1000 + i by thread 1) when i is even, else live and definitely lost.
std::string writeSample(const std::string& name) {
    const std::string db = fresh(name);
    SqliteExport database(db);
    for (std::uint64_t i = 0; i < 100; ++i) {
        analysis::AllocationLifetime l;
        l.allocNs = i;
        l.stack = StackId{static_cast<std::uint32_t>(1 + i % 2)};
        l.size = 10 + i;
        l.address = 0x10000 + 16 * i;
        l.allocThread = ThreadIndex{0};
        if (i % 2 == 0) {
            l.freeNs = 1000 + i;
            l.freeThread = ThreadIndex{1};
        } else {
            l.leak = format::LeakKind::DefinitelyLost;
            l.family = format::AllocFamily::NewArray;
        }
        database.onLifetime(l);
    }
    database.onSample({5, 100, 4096});
    analysis::Model model = sampleModel();
    model.header.pid = 4242;
    model.sites = {site(1, 50, 2975, 0, 0, 0), site(2, 50, 2975, 0, 2975, 0)};
    database.finish(model, twoFrames, {{"content", "all allocations"}});
    EXPECT_EQ(database.allocationRows(), 100u);
    return db;
}

TEST(SqliteExport, RowsKeepEveryValue) {
    const std::string db = writeSample("rows.db");
    EXPECT_EQ(query(db, "SELECT count(*), sum(size), min(size), max(size) FROM allocations"),
              "count(*),sum(size),min(size),max(size)\r\n100,5950,10,109\r\n");
    EXPECT_EQ(query(db, "SELECT * FROM allocations WHERE size IN (10, 11) ORDER BY size"),
              "alloc_after,dealloc_after,bt,size,addr,alloc_thread,dealloc_thread,family,leak,"
              "weight\r\n"
              "0,1000,1,10,65536,0,1,malloc,,1\r\n"
              "1,,2,11,65552,0,,new[],definitely_lost,1\r\n");
    EXPECT_EQ(query(db, "SELECT count(*) FROM allocations WHERE dealloc_after IS NULL AND leak = "
                        "'definitely_lost'"),
              "count(*)\r\n50\r\n");
    EXPECT_EQ(query(db, "SELECT * FROM samples"), "time,heap_bytes,rss_bytes\r\n5,100,4096\r\n");
}

TEST(SqliteExport, BacktracesMetaAndIndexes) {
    const std::string db = writeSample("model.db");
    // The sample model's sites and errors name the stacks; each gets its two frames.
    EXPECT_EQ(query(db, "SELECT * FROM backtraces WHERE id = 1 ORDER BY frame_no"),
              "id,frame_no,file,line,sym,module,address,inlined\r\n"
              "1,0,/src/a.cpp,11,inner_1,/usr/bin/app,4097,1\r\n"
              "1,1,/src/a.cpp,,outer,/usr/bin/app,4097,0\r\n");
    EXPECT_EQ(query(db, "SELECT value FROM meta WHERE key IN ('pid', 'content') ORDER BY key"),
              "value\r\nall allocations\r\n4242\r\n");
    EXPECT_EQ(query(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE "
                        "'allocations_%'"),
              "count(*)\r\n3\r\n");
}

TEST(SqliteQuery, WritingIsRefusedAndErrorsThrow) {
    const std::string db = writeSample("refuse.db");
    EXPECT_THROW(query(db, "DELETE FROM allocations"), QueryRefused);
    EXPECT_THROW(query(db, "INSERT INTO meta VALUES ('a', 1)"), QueryRefused);
    EXPECT_THROW(query(db, "SELEC 1"), SqliteError);
    EXPECT_THROW(query(db, "SELECT 1; SELECT 2"), SqliteError);
    EXPECT_THROW(query(db, ""), SqliteError);
    EXPECT_NO_THROW(query(db, "SELECT 1;  "));
    EXPECT_EQ(readDatabaseMeta(db).at("content"), "all allocations");
}

TEST(SqliteQueryOutput, JsonKeepsTypes) {
    const std::string db = writeSample("json.db");
    const auto rows = nlohmann::json::parse(
        query(db, "SELECT 1 AS i, 2.5 AS r, 'x' AS t, NULL AS n, x'00ff' AS b", QueryFormat::Json));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["i"], 1);
    EXPECT_EQ(rows[0]["r"], 2.5);
    EXPECT_EQ(rows[0]["t"], "x");
    EXPECT_TRUE(rows[0]["n"].is_null());
    EXPECT_EQ(rows[0]["b"], "00ff");
    EXPECT_EQ(nlohmann::json::parse(query(db, "SELECT 1 WHERE 0", QueryFormat::Json)),
              nlohmann::json::array());
}

TEST(SqliteQueryOutput, TableAlignsNumbersRight) {
    const std::string db = writeSample("table.db");
    EXPECT_EQ(query(db,
                    "SELECT size, family FROM allocations WHERE size IN (10, 100) ORDER BY size",
                    QueryFormat::Table),
              "size  family\n"
              "----  ------\n"
              "  10  malloc\n"
              " 100  malloc\n");
}

} // namespace
} // namespace heapscope::reports::test
