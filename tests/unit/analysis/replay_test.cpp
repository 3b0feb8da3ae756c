// tests (analysis): totals, per-site figures, temporary allocations, realloc, unknown frees,
// threads, leaks and errors from synthetic traces analysed end to end.
#include <gtest/gtest.h>

#include "analysis/analyze.h"
#include "trace_file.h"

namespace heapscope::analysis::test {
namespace {

TEST(Replay, CountsBytesFreesAndLeaksPerSite) {
    TraceFile trace("counts");
    trace.stacks(2);
    trace << alloc(10, 0x1000, 100, 1) << alloc(20, 0x2000, 100, 1) << alloc(30, 0x3000, 100, 1)
          << alloc(40, 0x4000, 30, 2) << alloc(50, 0x5000, 20, 2) << release(60, 0x2000)
          << release(70, 0x5000) << end(80);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    const Summary& s = model.summary;
    EXPECT_EQ(s.program, "/usr/bin/victim");
    EXPECT_EQ(s.pid, 4242u);
    EXPECT_EQ(s.allocations, 5u);
    EXPECT_EQ(s.bytesAllocated, 350u);
    EXPECT_EQ(s.frees, 2u);
    EXPECT_EQ(s.leakedBytes, 230u);
    EXPECT_EQ(s.leakedBlocks, 3u);
    EXPECT_EQ(s.runtimeNs, 80u);
    EXPECT_FALSE(s.truncated);
    EXPECT_TRUE(model.readProblem.empty());
    EXPECT_EQ(s.threads, 1u);
    ASSERT_EQ(model.sites.size(), 2u);

    const SiteStats a = siteOf(model, 1);
    EXPECT_EQ(a.allocations, 3u);
    EXPECT_EQ(a.bytesAllocated, 300u);
    EXPECT_EQ(a.leakedBytes, 200u);
    EXPECT_EQ(a.leakedBlocks, 2u);
    const SiteStats b = siteOf(model, 2);
    EXPECT_EQ(b.allocations, 2u);
    EXPECT_EQ(b.bytesAllocated, 50u);
    EXPECT_EQ(b.leakedBytes, 30u);
    EXPECT_EQ(b.leakedBlocks, 1u);
}

TEST(Replay, TemporaryAllocationsArePerThread) {
    TraceFile trace("temporary");
    trace.stacks(3);
    // Thread 0 allocates and frees x while thread 1 allocates in between: still temporary.
    trace << alloc(1, 0x100, 8, 1, 0) << alloc(2, 0x200, 8, 2, 1) << release(3, 0x100, 0);
    // Thread 0 allocates p then q: p's free is not temporary, q's is.
    trace << alloc(4, 0x300, 8, 1, 0) << alloc(5, 0x400, 8, 3, 0) << release(6, 0x300, 0)
          << release(7, 0x400, 0);
    // Freed by another thread: not temporary.
    trace << alloc(8, 0x500, 8, 1, 0) << release(9, 0x500, 1);
    // Thread 1's own pair, after thread 0's traffic: temporary.
    trace << alloc(10, 0x600, 8, 2, 1) << release(11, 0x600, 1) << end(12);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.temporaryAllocations, 3u);
    EXPECT_EQ(siteOf(model, 1).temporaryAllocations, 1u);
    EXPECT_EQ(siteOf(model, 2).temporaryAllocations, 1u);
    EXPECT_EQ(siteOf(model, 3).temporaryAllocations, 1u);
    EXPECT_EQ(model.summary.frees, 5u);
    EXPECT_EQ(model.summary.leakedBlocks, 1u); // 0x200 on thread 1
    EXPECT_EQ(model.summary.threads, 2u);
}

TEST(Replay, ReallocCountsAsFreeAndAlloc) {
    TraceFile trace("realloc");
    trace.stacks(2);
    trace << alloc(1, 0x100, 100, 1)
          << alloc(2, 0x900, 8, 2)
          // realloc(0x100, 200) moving the block: written as Free + Alloc
          << release(3, 0x100) << alloc(3, 0x200, 200, 1) << end(4);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.allocations, 3u);
    EXPECT_EQ(model.summary.bytesAllocated, 308u);
    EXPECT_EQ(model.summary.frees, 1u);
    EXPECT_EQ(model.summary.leakedBytes, 208u);
    EXPECT_EQ(model.summary.leakedBlocks, 2u);
    EXPECT_EQ(model.summary.peakHeapBytes, 208u);
    EXPECT_EQ(model.summary.peakHeapTimeNs, 3u);
    EXPECT_EQ(siteOf(model, 1).allocations, 2u);
    EXPECT_EQ(siteOf(model, 1).leakedBytes, 200u);
}

TEST(Replay, UnknownFreesAreIgnoredAndDoubleAllocsRepaired) {
    TraceFile trace("unknown");
    trace.stacks(2);
    trace << release(1, 0xdead)
          << alloc(2, 0x100, 100, 1)
          // the same address handed out again without a free in between (a lost free record)
          << alloc(3, 0x100, 50, 2) << release(4, 0xbeef) << end(5);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.frees, 0u);
    EXPECT_EQ(model.summary.allocations, 2u);
    EXPECT_EQ(model.summary.bytesAllocated, 150u);
    EXPECT_EQ(model.summary.leakedBytes, 50u);
    EXPECT_EQ(model.summary.leakedBlocks, 1u);
    EXPECT_EQ(model.summary.peakHeapBytes, 100u);
    EXPECT_EQ(model.diagnostics.unknownFrees, 2u);
    EXPECT_EQ(model.diagnostics.allocOfLiveAddress, 1u);
    EXPECT_EQ(siteOf(model, 1).leakedBytes, 0u);
    EXPECT_EQ(siteOf(model, 2).leakedBytes, 50u);
}

TEST(Replay, ExitStatusFromRecord) {
    {
        TraceFile trace("exit-signal");
        trace << end(5) << format::ExitStatusRecord{true, 9};
        trace.close();
        EXPECT_EQ(analyzeTrace(trace.path()).summary.exitStatus, std::optional<int>(137));
    }
    {
        TraceFile trace("exit-code");
        trace << end(5) << format::ExitStatusRecord{false, 3};
        trace.close();
        EXPECT_EQ(analyzeTrace(trace.path()).summary.exitStatus, std::optional<int>(3));
    }
    {
        TraceFile trace("exit-none");
        trace << end(5);
        trace.close();
        EXPECT_FALSE(analyzeTrace(trace.path()).summary.exitStatus.has_value());
    }
}

TEST(Replay, ThreadsModulesMarksAndRss) {
    TraceFile trace("threads");
    trace.stacks(1);
    trace << format::ModuleRecord{ModuleId{1},       0,          0x5000,
                                  "/usr/bin/victim", "\x01\x02", {{0x6000, 0x100}}}
          << format::ModuleRecord{ModuleId{2}, 5, 0x7000, "/usr/lib/libplugin.so", "", {}}
          << format::ThreadRecord{ThreadIndex{0}, 0, 100, "main"}
          << format::ThreadRecord{ThreadIndex{1}, 10, 101, "worker"}
          << format::ThreadRecord{ThreadIndex{1}, 15, 101, "worker-renamed"}
          << format::RssRecord{20, 1u << 20} << alloc(25, 0x100, 10, 1, 1)
          << format::MarkRecord{ThreadIndex{0}, 30, "phase 2"} << format::RssRecord{40, 3u << 20}
          << format::RssRecord{50, 2u << 20} << format::ModuleUnloadRecord{ModuleId{2}, 55}
          << format::ThreadEndRecord{ThreadIndex{1}, 60}
          << format::ThreadRecord{ThreadIndex{2}, 61, 102, "late"} << end(70);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(model.summary.threads, 3u);
    ASSERT_EQ(model.threads.size(), 3u);
    EXPECT_EQ(model.threads[1].name, "worker-renamed");
    EXPECT_EQ(model.threads[1].tid, 101u);
    EXPECT_EQ(model.threads[1].endNs, std::optional<std::uint64_t>(60));
    EXPECT_FALSE(model.threads[0].endNs.has_value());
    EXPECT_EQ(model.summary.peakRssBytes, 3u << 20);
    ASSERT_EQ(model.marks.size(), 1u);
    EXPECT_EQ(model.marks[0].name, "phase 2");
    EXPECT_EQ(model.marks[0].timeNs, 30u);
    ASSERT_EQ(model.modules.size(), 2u);
    EXPECT_EQ(model.modules[0].bias, 0x5000u);
    EXPECT_EQ(model.modules[0].buildId, "\x01\x02");
    ASSERT_EQ(model.modules[0].segments.size(), 1u);
    EXPECT_EQ(model.modules[0].segments[0].start, 0x6000u);
    EXPECT_FALSE(model.modules[0].unloadTimeNs.has_value());
    EXPECT_EQ(model.modules[1].unloadTimeNs, std::optional<std::uint64_t>(55));
}

TEST(Replay, LeakVerdictsPartitionLeakedBlocksAndErrorsAreCounted) {
    TraceFile trace("verdicts");
    trace.stacks(2);
    trace << alloc(1, 0x100, 100, 1) << alloc(2, 0x200, 100, 1) << alloc(3, 0x300, 40, 2)
          << alloc(4, 0x400, 7, 2) << alloc(5, 0x500, 1, 2) << release(6, 0x500)
          << format::ErrorRecord{ThreadIndex{0}, 7,         format::ErrorKind::DoubleFree,
                                 0x500,          1,         StackId{2},
                                 StackId{2},     StackId{2}}
          << format::ErrorRecord{ThreadIndex{0}, 8,         format::ErrorKind::MismatchedFree,
                                 0x400,          7,         StackId{1},
                                 StackId{2},     StackId{0}}
          << format::LeakCheckRecord{9, true, {}}
          << format::LeakVerdictRecord{0x100, format::LeakKind::DefinitelyLost}
          << format::LeakVerdictRecord{0x200, format::LeakKind::DefinitelyLost}
          << format::LeakVerdictRecord{0x300, format::LeakKind::IndirectlyLost}
          << format::LeakVerdictRecord{0x400, format::LeakKind::StillReachable}
          << format::LeakVerdictRecord{0x999, format::LeakKind::PossiblyLost} << end(9);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    const LeakTotals& leaks = model.summary.leaks;
    EXPECT_EQ(leaks.definitelyLost.bytes, 200u);
    EXPECT_EQ(leaks.definitelyLost.blocks, 2u);
    EXPECT_EQ(leaks.indirectlyLost.bytes, 40u);
    EXPECT_EQ(leaks.stillReachable.bytes, 7u);
    EXPECT_EQ(leaks.possiblyLost.blocks, 0u);
    EXPECT_EQ(model.summary.leakedBytes, 247u);
    EXPECT_EQ(model.summary.leakedBlocks, 4u);
    EXPECT_EQ(model.diagnostics.verdictsForUnknownBlocks, 1u);
    ASSERT_EQ(model.lossRecords.size(), 3u);
    EXPECT_EQ(model.lossRecords[0].kind, format::LeakKind::DefinitelyLost);
    EXPECT_EQ(model.lossRecords[0].stack, StackId{1});
    EXPECT_EQ(model.lossRecords[0].leaked.bytes, 200u);
    EXPECT_EQ(model.lossRecords[0].leaked.blocks, 2u);
    EXPECT_EQ(model.lossRecords[1].leaked.bytes, 40u);
    EXPECT_EQ(model.lossRecords[2].kind, format::LeakKind::StillReachable);

    EXPECT_EQ(model.summary.errors.doubleFree, 1u);
    EXPECT_EQ(model.summary.errors.mismatchedFree, 1u);
    EXPECT_EQ(model.summary.errors.invalidFree, 0u);
    ASSERT_EQ(model.errors.size(), 2u);
    EXPECT_EQ(model.errors[1].allocStack, StackId{2});
}

TEST(Replay, ReturnAddressesWalkTheTrieInnermostFirst) {
    TraceFile trace("trie");
    // main (0xa) -> run (0xb) -> parse (0xc), and main -> other (0xd)
    trace << format::StackNodeRecord{StackId{1}, StackId{0}, 0xa}
          << format::StackNodeRecord{StackId{2}, StackId{1}, 0xb}
          << format::StackNodeRecord{StackId{3}, StackId{2}, 0xc}
          << format::StackNodeRecord{StackId{4}, StackId{1}, 0xd} << end(1);
    trace.close();

    const Model model = analyzeTrace(trace.path());
    EXPECT_EQ(returnAddresses(model, StackId{3}), (std::vector<std::uint64_t>{0xc, 0xb, 0xa}));
    EXPECT_EQ(returnAddresses(model, StackId{4}), (std::vector<std::uint64_t>{0xd, 0xa}));
    EXPECT_TRUE(returnAddresses(model, StackId{0}).empty());
    EXPECT_TRUE(returnAddresses(model, StackId{99}).empty());
}

} // namespace
} // namespace heapscope::analysis::test
