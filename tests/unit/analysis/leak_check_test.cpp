// tests (analysis): LeakCheck records and the exit verdicts that follow them: on-demand checks,
// indirect bytes of definitely lost loss records, verdicts without a check ignored.
#include <gtest/gtest.h>

#include "analysis/analyze.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

using format::LeakKind;
using format::LeakVerdictRecord;

format::LeakCheckRecord check(std::uint64_t timeNs, bool atExit, std::uint64_t definiteBytes) {
    format::LeakCheckRecord r{timeNs, atExit, {}};
    r.totals[static_cast<std::size_t>(LeakKind::DefinitelyLost)] = {definiteBytes, 1};
    return r;
}

TEST(LeakCheck, OnDemandChecksAreListedInOrderAndTheExitCheckApart) {
    TraceFile trace("on_demand");
    trace.stacks(1);
    trace << alloc(1, 0x100, 10, 1) << check(5, false, 10) << check(7, false, 20)
          << check(9, true, 30) << end(10);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    ASSERT_EQ(model.leakChecks.size(), 2u);
    EXPECT_EQ(model.leakChecks[0].timeNs, 5u);
    EXPECT_EQ(model.leakChecks[0].totals.definitelyLost.bytes, 10u);
    EXPECT_EQ(model.leakChecks[1].totals.definitelyLost.bytes, 20u);
    EXPECT_EQ(model.leakChecks[1].totals.definitelyLost.blocks, 1u);
    EXPECT_EQ(model.leakChecks[1].totals.possiblyLost.blocks, 0u);
    ASSERT_TRUE(model.exitLeakCheck.has_value());
    EXPECT_EQ(model.exitLeakCheck->timeNs, 9u);
    EXPECT_EQ(model.exitLeakCheck->totals.definitelyLost.bytes, 30u);
}

TEST(LeakCheck, IndirectBlocksCountUnderTheirOwnersLossRecord) {
    TraceFile trace("indirect");
    trace.stacks(3);
    // Two definitely lost roots at stack 1; 0x100 owns 0x300 and 0x400 (stack 2), 0x200 owns
    // 0x500 (stack 3). The owner 0x200's verdict comes after the block it owns.
    trace << alloc(1, 0x100, 16, 1) << alloc(2, 0x200, 16, 1) << alloc(3, 0x300, 100, 2)
          << alloc(4, 0x400, 50, 2) << alloc(5, 0x500, 7, 3) << check(6, true, 32)
          << LeakVerdictRecord{0x100, LeakKind::DefinitelyLost, 0}
          << LeakVerdictRecord{0x300, LeakKind::IndirectlyLost, 0x100}
          << LeakVerdictRecord{0x400, LeakKind::IndirectlyLost, 0x100}
          << LeakVerdictRecord{0x500, LeakKind::IndirectlyLost, 0x200}
          << LeakVerdictRecord{0x200, LeakKind::DefinitelyLost, 0} << end(7);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.leaks.definitelyLost.bytes, 32u);
    EXPECT_EQ(model.summary.leaks.indirectlyLost.bytes, 157u);
    EXPECT_EQ(model.summary.leaks.indirectlyLost.blocks, 3u);
    ASSERT_EQ(model.lossRecords.size(), 3u);
    std::size_t found = 0;
    for (const LossRecord& r : model.lossRecords) {
        if (r.kind != LeakKind::DefinitelyLost) {
            EXPECT_EQ(r.indirect.blocks, 0u);
            continue;
        }
        ++found;
        EXPECT_EQ(r.stack, StackId{1});
        EXPECT_EQ(r.leaked.bytes, 32u);
        EXPECT_EQ(r.leaked.blocks, 2u);
        EXPECT_EQ(r.indirect.bytes, 157u);
        EXPECT_EQ(r.indirect.blocks, 3u);
    }
    EXPECT_EQ(found, 1u);
}

TEST(LeakCheck, VerdictsBeforeAnyExitCheckAreIgnored) {
    TraceFile trace("no_check");
    trace.stacks(1);
    trace << alloc(1, 0x100, 16, 1) << check(2, false, 16)
          << LeakVerdictRecord{0x100, LeakKind::DefinitelyLost, 0} << end(3);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.leaks.definitelyLost.blocks, 0u);
    EXPECT_TRUE(model.lossRecords.empty());
    EXPECT_EQ(model.diagnostics.verdictsWithoutCheck, 1u);
    EXPECT_FALSE(model.exitLeakCheck.has_value());
}

TEST(LeakCheck, IndirectBlockWhoseOwnerHasNoVerdictIsNotAttributed) {
    TraceFile trace("orphan");
    trace.stacks(2);
    trace << alloc(1, 0x100, 16, 1) << alloc(2, 0x200, 8, 2) << check(3, true, 16)
          << LeakVerdictRecord{0x100, LeakKind::DefinitelyLost, 0}
          << LeakVerdictRecord{0x200, LeakKind::IndirectlyLost, 0x999} << end(4);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.leaks.indirectlyLost.bytes, 8u);
    for (const LossRecord& r : model.lossRecords)
        EXPECT_EQ(r.indirect.bytes, 0u);
}

} // namespace
} // namespace heapscope::analysis::test
