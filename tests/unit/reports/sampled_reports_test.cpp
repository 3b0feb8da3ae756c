// tests (reports): a sampled trace, known by construction, through the replay into the reports:
// top, DHAT, folded stacks and pprof show the weighted figures of the Model, and the SQL rows
// carry each block's weight so that SUM(weight) and SUM(size * weight) agree with them.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "../analysis/trace_file.h"
#include "analysis/allocation_stream.h"
#include "gunzip.h"
#include "reports/collapsed.h"
#include "reports/dhat_json.h"
#include "reports/pprof.h"
#include "reports/pprof/profile.pb.h"
#include "reports/sqlite_connection.h"
#include "reports/sqlite_export.h"
#include "reports/summary_text.h"
#include "reports/top_json.h"

namespace heapscope::reports::test {
namespace {

using analysis::test::alloc;
using analysis::test::end;
using analysis::test::release;
using analysis::test::TraceFile;

constexpr std::uint64_t kRate = 1000;
constexpr int kSmallBlocks = 10;

// Written independently of sample_weight.h: 1 / (1 - exp(-size / rate)).
double weightOf(double size) { return 1.0 / (1.0 - std::exp(-size / kRate)); }
std::uint64_t bytesOf(double size) {
    return static_cast<std::uint64_t>(std::llround(size * weightOf(size)));
}

std::vector<analysis::Frame> oneFrame(StackId stack) {
    analysis::Frame frame;
    frame.address = 0x1000 * stack.value;
    frame.function = "site_" + std::to_string(stack.value);
    return {frame};
}

// Stack 1: ten blocks of 100 bytes, all live at the end; stack 2: one of 3000 bytes, freed.
class SampledTrace : public ::testing::Test {
protected:
    void SetUp() override {
        m_trace.stacks(2);
        for (int i = 0; i < kSmallBlocks; ++i)
            m_trace << alloc(1 + static_cast<std::uint64_t>(i), 0x100 + 0x100 * i, 100, 1);
        m_trace << alloc(20, 0x9000, 3000, 2) << release(21, 0x9000) << end(30);
        m_trace.close();
        std::filesystem::remove(m_db);
        SqliteExport database(m_db);
        m_model = analysis::streamAllocations(m_trace.path(), {}, database);
        database.finish(m_model, oneFrame, {});
    }
    void TearDown() override { std::filesystem::remove(m_db); }

    // The one value of a query's one row.
    double scalar(const std::string& sql) const {
        SqliteConnection db(m_db, SQLITE_OPEN_READONLY);
        SqliteStatement statement = db.prepare(sql);
        EXPECT_EQ(sqlite3_step(statement.get()), SQLITE_ROW) << sql;
        return sqlite3_column_double(statement.get(), 0);
    }

    TraceFile m_trace{"sampled_reports", kRate};
    std::string m_db =
        ::testing::TempDir() + "sampled_reports." + std::to_string(::getpid()) + ".db";
    analysis::Model m_model;
};

TEST_F(SampledTrace, ModelFiguresAreTheWeightedSums) {
    const analysis::Summary& s = m_model.summary;
    EXPECT_EQ(s.allocations, std::llround(kSmallBlocks * weightOf(100) + weightOf(3000)));
    EXPECT_EQ(s.bytesAllocated, kSmallBlocks * bytesOf(100) + bytesOf(3000));
    EXPECT_EQ(s.leakedBytes, kSmallBlocks * bytesOf(100));
    EXPECT_NE(summaryText(m_model).find("every 1000 B: allocation, byte and heap figures are "
                                        "estimates\n"),
              std::string::npos)
        << summaryText(m_model);
}

TEST_F(SampledTrace, TopDhatAndFoldedStacksShowTheModelsEstimates) {
    const auto top = topJson(m_model.sites, oneFrame);
    const std::uint64_t smallCount = std::llround(kSmallBlocks * weightOf(100));
    bool sawSmall = false;
    for (const auto& row : top) {
        if (row.at("stack").at(0).at("function") != "site_1") continue;
        sawSmall = true;
        EXPECT_EQ(row.at("allocations"), smallCount);
        EXPECT_EQ(row.at("bytes_allocated"), kSmallBlocks * bytesOf(100));
        EXPECT_EQ(row.at("leaked_bytes"), kSmallBlocks * bytesOf(100));
    }
    EXPECT_TRUE(sawSmall);

    const auto dhat = dhatJson(m_model, oneFrame);
    std::uint64_t totalBytes = 0;
    for (const auto& pp : dhat.at("pps"))
        totalBytes += pp.at("tb").get<std::uint64_t>();
    EXPECT_EQ(totalBytes, m_model.summary.bytesAllocated);

    EXPECT_EQ(collapsedStacks(m_model, SiteOrder::Count, oneFrame),
              fmt::format("site_1 {}\nsite_2 1\n", smallCount));
}

TEST_F(SampledTrace, PprofValuesAreWeightedOnce) {
    pprof::Profile profile;
    ASSERT_TRUE(profile.ParseFromString(gunzip(pprofProfile(m_model, oneFrame))));
    EXPECT_EQ(profile.period(), static_cast<std::int64_t>(kRate));
    ASSERT_EQ(profile.sample_size(), 2);
    std::int64_t objects = 0, space = 0, inuseObjects = 0, inuseSpace = 0;
    for (const auto& sample : profile.sample()) {
        objects += sample.value(0);
        space += sample.value(1);
        inuseObjects += sample.value(2);
        inuseSpace += sample.value(3);
    }
    const analysis::Summary& s = m_model.summary;
    // Rounding per site: the sum of two rounded counts is within 1 of the rounded total.
    EXPECT_NEAR(static_cast<double>(objects), static_cast<double>(s.allocations), 1.0);
    EXPECT_EQ(space, static_cast<std::int64_t>(s.bytesAllocated));
    EXPECT_EQ(inuseObjects, std::llround(kSmallBlocks * weightOf(100)));
    EXPECT_EQ(inuseSpace, static_cast<std::int64_t>(kSmallBlocks * bytesOf(100)));
}

TEST_F(SampledTrace, SqlRowsCarryTheirWeight) {
    EXPECT_NEAR(scalar("SELECT weight FROM allocations WHERE size = 100 LIMIT 1"), weightOf(100),
                1e-9);
    EXPECT_NEAR(scalar("SELECT weight FROM allocations WHERE size = 3000"), weightOf(3000), 1e-9);
    EXPECT_EQ(scalar("SELECT count(*) FROM allocations"), kSmallBlocks + 1);
    const analysis::Summary& s = m_model.summary;
    EXPECT_EQ(std::llround(scalar("SELECT SUM(weight) FROM allocations")),
              static_cast<long long>(s.allocations));
    // The Model rounds each block's bytes once: at most half a byte apart per row.
    EXPECT_NEAR(scalar("SELECT SUM(size * weight) FROM allocations"),
                static_cast<double>(s.bytesAllocated), 0.5 * (kSmallBlocks + 1));
    EXPECT_EQ(scalar("SELECT value FROM meta WHERE key = 'sample_rate'"), kRate);
}

} // namespace
} // namespace heapscope::reports::test
