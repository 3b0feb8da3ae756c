// tests/unit/recorder: the byte sampler (--sample-rate): a block of s bytes is sampled with
// probability 1 - exp(-s/rate), whatever the order of sizes; rate 0 samples everything.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "recorder/sampler.h"

namespace heapscope::recorder {
namespace {

// The fraction of n blocks of size bytes that one thread samples (fixed seed: deterministic).
double sampledFraction(std::uint64_t rate, std::size_t size, int n, std::uint64_t seed) {
    SampleState state;
    seedSampler(state, seed, rate);
    int sampled = 0;
    for (int i = 0; i < n; ++i)
        sampled += sampleBytes(state, rate, size) ? 1 : 0;
    return static_cast<double>(sampled) / n;
}

TEST(Sampler, RateZeroSamplesEverything) {
    SampleState state;
    for (int i = 0; i < 1000; ++i)
        EXPECT_TRUE(sampleBytes(state, 0, 1));
}

TEST(Sampler, ProbabilityFollowsBlockSize) {
    constexpr std::uint64_t kRate = 4096;
    for (const std::size_t size : {16u, 100u, 1000u, 4096u, 20000u}) {
        const double expected = 1.0 - std::exp(-static_cast<double>(size) / kRate);
        for (const std::uint64_t seed : {1u, 42u, 1234567u}) {
            // 200000 draws: the standard error is under 0.0012; 5% relative (or 0.005) is far
            // outside it.
            const double found = sampledFraction(kRate, size, 200000, seed);
            EXPECT_NEAR(found, expected, std::max(0.05 * expected, 0.005))
                << "size " << size << " seed " << seed;
        }
    }
}

TEST(Sampler, MixedSizesEachKeepTheirOwnProbability) {
    // Small blocks between large ones are not favoured or starved by the countdown.
    constexpr std::uint64_t kRate = 8192;
    SampleState state;
    seedSampler(state, 7, kRate);
    int small = 0;
    int large = 0;
    constexpr int kRounds = 200000;
    for (int i = 0; i < kRounds; ++i) {
        small += sampleBytes(state, kRate, 64) ? 1 : 0;
        large += sampleBytes(state, kRate, 16384) ? 1 : 0;
    }
    EXPECT_NEAR(static_cast<double>(small) / kRounds, 1.0 - std::exp(-64.0 / kRate), 0.001);
    EXPECT_NEAR(static_cast<double>(large) / kRounds, 1.0 - std::exp(-2.0), 0.01);
}

} // namespace
} // namespace heapscope::recorder
