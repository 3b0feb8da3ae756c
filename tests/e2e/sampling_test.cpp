// e2e: a sampled recording's estimates against the full run of the same known workload
// (victim_pause "sample": 10000 x malloc(100), every tenth definitely lost, the others freed at
// once; tests/victims/pause.cpp), and its exact leak totals.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "heapscope_cli.h"

namespace heapscope::e2e {
namespace {

constexpr double kRate = 256; // --sample-rate 256
constexpr double kSize = 100;

// The estimate of a count is the sum of 1/p over the recorded blocks, p = 1 - exp(-size/rate)
// each, independently (exponential gaps make the sample points a Poisson process over the
// bytes). For n blocks of one size its variance is n (1 - p) / p, and the bytes' is size^2 times
// that. At rate 256 a 100-byte block has p = 0.323: for the 10000 blocks one standard deviation
// is 145 blocks (1.45%). The bound is 6 standard deviations, so that a correct estimator fails
// about once in 5e8 runs; a biased one (no weights: about 3230 blocks) is far outside it.
double sixSigma(double blocks) {
    const double p = -std::expm1(-kSize / kRate);
    return 6 * std::sqrt(blocks * (1 - p) / p);
}

std::uint64_t field(const nlohmann::json& json, const char* name) {
    return json.at(name).get<std::uint64_t>();
}

TEST(SampledEstimates, WithinSixSigmaOfTheFullRunAndLeakTotalsExact) {
    const TempDir dir;
    const std::string victim = victimPath("victim_pause");
    const std::string fullTrace = dir.file("full.hst");
    const std::string sampledTrace = dir.file("sampled.hst");
    ASSERT_TRUE(exitedCleanly(heapscopeRun(fullTrace, {victim, "sample"})));
    ASSERT_TRUE(
        exitedCleanly(heapscopeRun(sampledTrace, {victim, "sample"}, {"--sample-rate", "256"})));
    const auto full = summaryJson(fullTrace);
    const auto sampled = summaryJson(sampledTrace);
    ASSERT_EQ(field(sampled, "sample_rate"), 256u);
    ASSERT_GE(field(full, "allocations"), 10000u);

    // The victim's blocks dominate the run (anything else the runtime allocates is a few blocks
    // far larger than the rate, recorded with weight about 1).
    const double countBound = sixSigma(10000);
    EXPECT_NEAR(static_cast<double>(field(sampled, "allocations")),
                static_cast<double>(field(full, "allocations")), countBound);
    EXPECT_NEAR(static_cast<double>(field(sampled, "bytes_allocated")),
                static_cast<double>(field(full, "bytes_allocated")), kSize * countBound);
    EXPECT_NEAR(static_cast<double>(field(sampled, "frees")),
                static_cast<double>(field(full, "frees")), sixSigma(9000));

    // Every block is in the recorder's live table: the exit scan's totals are exact.
    EXPECT_EQ(sampled.at("leaks"), full.at("leaks"));
    EXPECT_EQ(field(sampled.at("leaks").at("definitely_lost"), "bytes"), 100000u);
    EXPECT_EQ(field(sampled.at("leaks").at("definitely_lost"), "blocks"), 1000u);
    EXPECT_EQ(field(sampled, "leaked_bytes"), field(full, "leaked_bytes"));

    // The lost site's loss record is an estimate over the 1000 lost blocks.
    const Result leaks = heapscope({"leaks", sampledTrace, "--json"});
    ASSERT_EQ(leaks.exitCode(), 0) << leaks.describe();
    const auto records = nlohmann::json::parse(leaks.out).at("records");
    ASSERT_FALSE(records.empty());
    double lostBytes = 0;
    for (const auto& record : records) {
        if (stackContains(record.at("stack"), "victim_lose"))
            lostBytes += record.at("bytes").get<double>();
    }
    EXPECT_NEAR(lostBytes, 100000, kSize * sixSigma(1000));

    // The SQL rows carry the weights: their sums are the same estimates.
    const Result query = heapscope({"query", sampledTrace,
                                    "SELECT CAST(ROUND(SUM(weight)) AS INTEGER) FROM allocations",
                                    "--format", "csv"});
    ASSERT_EQ(query.exitCode(), 0) << query.describe();
    EXPECT_NE(query.out.find(std::to_string(field(sampled, "allocations"))), std::string::npos)
        << query.out;
}

} // namespace
} // namespace heapscope::e2e
