// tests (analysis): sampled traces. The weights are the formula, every figure of the replay is
// the sum of its blocks' weights, leak totals come from the exact exit scan, and an unsampled
// trace keeps the plain integer figures.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/analyze.h"
#include "analysis/sample_weight.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

using format::LeakKind;

constexpr std::uint64_t kRate = 1000;

// The weight written independently of sample_weight.h: 1 / P(a countdown lands in the block).
double expectedWeight(double size) { return 1.0 / (1.0 - std::exp(-size / kRate)); }
std::uint64_t expectedBytes(double size) {
    return static_cast<std::uint64_t>(std::llround(size * expectedWeight(size)));
}
std::uint64_t rounded(double count) { return static_cast<std::uint64_t>(std::llround(count)); }

TEST(SampleWeights, FollowTheFormulaAndAreOneWhenUnsampled) {
    const SampleWeights sampled(kRate);
    EXPECT_TRUE(sampled.sampled());
    EXPECT_DOUBLE_EQ(sampled.weight(1000), 1.0 / (1.0 - std::exp(-1.0))); // 1.5819767...
    EXPECT_DOUBLE_EQ(sampled.weight(100), expectedWeight(100));
    // About rate / size for small blocks (1 - exp loses digits there; expm1 does not).
    EXPECT_NEAR(sampled.weight(1), expectedWeight(1), 1e-9);
    EXPECT_NEAR(sampled.weight(1), 1000.5, 0.01);
    EXPECT_NEAR(sampled.weight(100'000), 1.0, 1e-12);
    EXPECT_EQ(sampled.bytes(1000), 1582u);
    EXPECT_EQ(sampled.bytes(100), expectedBytes(100));

    const SampleWeights all(0);
    EXPECT_FALSE(all.sampled());
    EXPECT_EQ(all.weight(100), 1.0);
    EXPECT_EQ(all.bytes(123456789), 123456789u);
}

// Stack 1: three blocks of 100 bytes, the first freed at once (temporary); stack 2: one block
// of 5000 bytes. Two of stack 1 and the one of stack 2 are live at the end.
void writeWorkload(TraceFile& trace) {
    trace.stacks(2);
    trace << alloc(1, 0x100, 100, 1) << release(2, 0x100) << alloc(3, 0x200, 100, 1)
          << alloc(4, 0x300, 100, 1) << alloc(5, 0x400, 5000, 2);
}

TEST(Sampling, EveryFigureIsTheSumOfItsBlocksWeights) {
    TraceFile trace("sampled_figures", kRate);
    writeWorkload(trace);
    trace << end(10);
    trace.close();
    const Model model = analyzeTrace(trace.path());

    const double w100 = expectedWeight(100);
    const double w5000 = expectedWeight(5000);
    const std::uint64_t b100 = expectedBytes(100);
    const std::uint64_t b5000 = expectedBytes(5000);
    const Summary& s = model.summary;
    EXPECT_EQ(s.sampleRate, kRate);
    EXPECT_EQ(s.allocations, rounded(3 * w100 + w5000)); // 33, not 4
    EXPECT_EQ(s.bytesAllocated, 3 * b100 + b5000);
    EXPECT_EQ(s.frees, rounded(w100));
    EXPECT_EQ(s.temporaryAllocations, rounded(w100));
    EXPECT_EQ(s.peakHeapBytes, 2 * b100 + b5000);
    EXPECT_EQ(s.peakHeapTimeNs, 5u);
    // No exit scan: what was live at the end is the estimate too.
    EXPECT_EQ(s.leakedBytes, 2 * b100 + b5000);
    EXPECT_EQ(s.leakedBlocks, rounded(2 * w100 + w5000));

    const SiteStats small = siteOf(model, 1);
    EXPECT_EQ(small.allocations, rounded(3 * w100));
    EXPECT_EQ(small.bytesAllocated, 3 * b100);
    EXPECT_EQ(small.peakBytes, 2 * b100);
    EXPECT_EQ(small.leakedBytes, 2 * b100);
    EXPECT_EQ(small.leakedBlocks, rounded(2 * w100));
    EXPECT_EQ(small.temporaryAllocations, rounded(w100));
    const SiteStats large = siteOf(model, 2);
    EXPECT_EQ(large.allocations, 1u);
    EXPECT_EQ(large.bytesAllocated, b5000);

    ASSERT_FALSE(model.timeline.empty());
    EXPECT_EQ(model.timeline.back().heapBytes, 2 * b100 + b5000);
    ASSERT_GT(model.siteLifetimes.size(), 1u);
    EXPECT_EQ(model.siteLifetimes[1].max.bytes, 2 * b100);
    EXPECT_EQ(model.siteLifetimes[1].max.blocks, rounded(2 * w100));
    EXPECT_EQ(model.siteLifetimes[1].peakBlocks, rounded(2 * w100));
    // Recorded lifetimes 1 + 7 + 6 ns over three recorded blocks, standing for 3 * w100 blocks.
    EXPECT_EQ(model.siteLifetimes[1].totalLifetimeNs, rounded(14.0 * w100));
}

TEST(Sampling, LeakTotalsAreTheExactScanAndLossRecordsAreWeighted) {
    TraceFile trace("sampled_leaks", kRate);
    writeWorkload(trace);
    // The recorder's scan saw every block, recorded or not.
    format::LeakCheckRecord check{8, true, {}};
    check.totals[static_cast<std::size_t>(LeakKind::DefinitelyLost)] = {12345, 40};
    check.totals[static_cast<std::size_t>(LeakKind::StillReachable)] = {700, 3};
    trace << check << format::LeakVerdictRecord{0x400, LeakKind::DefinitelyLost, 0}
          << format::LeakVerdictRecord{0x200, LeakKind::DefinitelyLost, 0}
          << format::LeakVerdictRecord{0x300, LeakKind::IndirectlyLost, 0x400} << end(10);
    trace.close();
    const Model model = analyzeTrace(trace.path());

    const Summary& s = model.summary;
    EXPECT_EQ(s.leaks.definitelyLost.bytes, 12345u);
    EXPECT_EQ(s.leaks.definitelyLost.blocks, 40u);
    EXPECT_EQ(s.leaks.indirectlyLost.bytes, 0u);
    EXPECT_EQ(s.leaks.stillReachable.bytes, 700u);
    EXPECT_EQ(s.leakedBytes, 12345u + 700u);
    EXPECT_EQ(s.leakedBlocks, 43u);

    ASSERT_EQ(model.lossRecords.size(), 3u);
    const LossRecord& big = model.lossRecords[0]; // largest first
    EXPECT_EQ(big.kind, LeakKind::DefinitelyLost);
    EXPECT_EQ(big.stack, StackId{2});
    EXPECT_EQ(big.leaked.bytes, expectedBytes(5000));
    EXPECT_EQ(big.leaked.blocks, 1u);
    EXPECT_EQ(big.indirect.bytes, expectedBytes(100));
    EXPECT_EQ(big.indirect.blocks, rounded(expectedWeight(100)));
    EXPECT_EQ(model.lossRecords[1].leaked.bytes, expectedBytes(100));
    EXPECT_EQ(model.lossRecords[1].leaked.blocks, rounded(expectedWeight(100)));
}

TEST(Sampling, UnsampledTraceKeepsThePlainCounts) {
    TraceFile trace("unsampled_figures");
    writeWorkload(trace);
    format::LeakCheckRecord check{8, true, {}};
    check.totals[static_cast<std::size_t>(LeakKind::DefinitelyLost)] = {12345, 40};
    trace << check << format::LeakVerdictRecord{0x400, LeakKind::DefinitelyLost, 0} << end(10);
    trace.close();
    const Model model = analyzeTrace(trace.path());

    const Summary& s = model.summary;
    EXPECT_EQ(s.sampleRate, 0u);
    EXPECT_EQ(s.allocations, 4u);
    EXPECT_EQ(s.bytesAllocated, 5300u);
    EXPECT_EQ(s.frees, 1u);
    EXPECT_EQ(s.temporaryAllocations, 1u);
    EXPECT_EQ(s.peakHeapBytes, 5200u);
    EXPECT_EQ(s.leakedBytes, 5200u);
    EXPECT_EQ(s.leakedBlocks, 3u);
    // Unsampled, the verdicts are the totals (the LeakCheck's figures are not copied in).
    EXPECT_EQ(s.leaks.definitelyLost.bytes, 5000u);
    EXPECT_EQ(s.leaks.definitelyLost.blocks, 1u);
    EXPECT_EQ(siteOf(model, 1).leakedBlocks, 2u);
    EXPECT_EQ(model.siteLifetimes[1].totalLifetimeNs, 14u);
}

} // namespace
} // namespace heapscope::analysis::test
