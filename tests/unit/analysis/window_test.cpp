// tests (analysis): time windows. Figures known by construction on a small trace, and on a
// generated one the indexed path (from a checkpoint) gives exactly what a pass over the whole
// trace gives, for windows inside, across and outside the checkpoints.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "analysis/analyze.h"
#include "analysis/trace_index_builder.h"
#include "analysis/window.h"
#include "trace_file.h"
#include "window_trace.h"

namespace heapscope::analysis::test {
namespace {

// A checkpoint at every frame boundary, so every window starts from one.
const IndexOptions kEveryFrame{1, {}};

// Writes one record per frame, so the windows below cross frame (and checkpoint) boundaries.
class SmallTrace : public TraceFile {
public:
    SmallTrace() : TraceFile("window_small_" + std::to_string(::getpid())) {
        stacks(4);
        *this << format::ThreadRecord{ThreadIndex{0}, 1, 100, "main"};
        flush();
        for (const auto& record :
             std::vector<format::Record>{alloc(10, 0xA000, 100, 1), alloc(20, 0xB000, 200, 2),
                                         release(30, 0xA000), alloc(40, 0xC000, 50, 3),
                                         release(50, 0xB000), alloc(60, 0xD000, 400, 4), end(70)}) {
            writer().write(record);
            flush();
        }
        close();
    }
    ~SmallTrace() { std::filesystem::remove(indexPathFor(path())); }
};

TEST(Window, FiguresKnownByConstruction) {
    SmallTrace trace;
    const LoadedIndex index = buildIndex(trace.path(), kEveryFrame);
    ASSERT_TRUE(index.saved);
    EXPECT_EQ(index.index.frames.size(), 8u);
    EXPECT_GE(index.index.checkpoints.size(), 2u);
    EXPECT_EQ(index.index.peakHeapBytes, 450u);
    EXPECT_EQ(index.index.peakTimeNs, 60u);

    // Live at 25: A (100) and B (200). Inside: free A, alloc C (50), free B.
    const Model model = analyzeWindow(trace.path(), TimeWindow{25, 55});
    EXPECT_EQ(model.summary.allocations, 1u);
    EXPECT_EQ(model.summary.frees, 2u);
    EXPECT_EQ(model.summary.bytesAllocated, 50u);
    EXPECT_EQ(model.summary.peakHeapBytes, 300u);
    EXPECT_EQ(model.summary.peakHeapTimeNs, 25u);
    EXPECT_EQ(model.summary.leakedBytes, 50u);
    EXPECT_EQ(model.summary.leakedBlocks, 1u);
    EXPECT_EQ(siteOf(model, 1).allocations, 0u);
    EXPECT_EQ(siteOf(model, 1).peakBytes, 100u);
    EXPECT_EQ(siteOf(model, 1).leakedBytes, 0u);
    EXPECT_EQ(siteOf(model, 2).peakBytes, 200u);
    EXPECT_EQ(siteOf(model, 3).allocations, 1u);
    EXPECT_EQ(siteOf(model, 3).leakedBytes, 50u);
    EXPECT_EQ(siteOf(model, 4).allocations, 0u);

    // The live set at 40 (C just allocated) and at the global peak (60).
    const Model at40 = analyzeWindow(trace.path(), TimeWindow::at(40));
    EXPECT_EQ(at40.summary.allocations, 0u);
    EXPECT_EQ(at40.summary.peakHeapBytes, 250u);
    EXPECT_EQ(siteOf(at40, 2).peakBytes, 200u);
    EXPECT_EQ(siteOf(at40, 3).peakBytes, 50u);
    const Model atPeak = analyzeWindow(trace.path(), TimeWindow::at(peakTime(trace.path())));
    EXPECT_EQ(atPeak.summary.peakHeapBytes, 450u);
    EXPECT_EQ(siteOf(atPeak, 3).peakBytes, 50u);
    EXPECT_EQ(siteOf(atPeak, 4).peakBytes, 400u);
    EXPECT_EQ(siteOf(atPeak, 1).peakBytes, 0u);
}

// RSS samples and allocations one per frame: the RSS in effect at a window's start is the last
// sample before it, however far back, and with a checkpoint at every frame it lies before the
// checkpoint the window starts from.
class RssTrace : public TraceFile {
public:
    RssTrace() : TraceFile("window_rss_" + std::to_string(::getpid())) {
        stacks(2);
        *this << format::ThreadRecord{ThreadIndex{0}, 1, 100, "main"};
        flush();
        for (const auto& record : std::vector<format::Record>{
                 rss(5, 1000), alloc(10, 0xA000, 100, 1), rss(15, 5000), rss(25, 3000),
                 alloc(30, 0xB000, 200, 2), rss(35, 2000), rss(45, 4000), end(50)}) {
            writer().write(record);
            flush();
        }
        close();
    }
    ~RssTrace() { std::filesystem::remove(indexPathFor(path())); }

private:
    static format::RssRecord rss(std::uint64_t timeNs, std::uint64_t bytes) {
        return format::RssRecord{timeNs, bytes};
    }
};

TEST(Window, RssInEffectAtTheStartCounts) {
    RssTrace trace;
    ASSERT_TRUE(buildIndex(trace.path(), kEveryFrame).saved);
    struct Case {
        TimeWindow window;
        std::uint64_t peakRss;
        WindowSpan span;
    };
    const Case cases[] = {
        {{30, 40}, 3000, {30, 40, 50}}, // 3000 from 25 on, then 2000 at 35
        {{26, 34}, 3000, {26, 34, 50}}, // no sample inside
        {{16, 24}, 5000, {16, 24, 50}},
        {{25, 34}, 3000, {25, 34, 50}}, // the sample at the start itself
        {{0, 4}, 0, {0, 4, 50}},        // before any sample
        {TimeWindow::at(27), 3000, {27, 27, 50}},
        {{46, 100}, 4000, {46, 50, 50}},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "window " << c.window.fromNs << ".." << c.window.toNs);
        for (const Model& model : {analyzeWindow(trace.path(), c.window),
                                   analyzeWindowSequential(trace.path(), c.window)}) {
            EXPECT_EQ(model.summary.peakRssBytes, c.peakRss);
            ASSERT_TRUE(model.window.has_value());
            EXPECT_EQ(model.window->fromNs, c.span.fromNs);
            EXPECT_EQ(model.window->toNs, c.span.toNs);
            EXPECT_EQ(model.window->traceEndNs, c.span.traceEndNs);
        }
    }
    // The window's timeline starts at its start with the RSS then in effect and the live heap.
    for (const Model& model : {analyzeWindow(trace.path(), TimeWindow{30, 40}),
                               analyzeWindowSequential(trace.path(), TimeWindow{30, 40})}) {
        ASSERT_FALSE(model.timeline.empty());
        EXPECT_EQ(model.timeline.front().timeNs, 30u);
        EXPECT_EQ(model.timeline.front().rssBytes, 3000u);
        EXPECT_EQ(model.timeline.back().rssBytes, 2000u);
        EXPECT_EQ(model.summary.peakHeapBytes, 300u);
        for (const TimelinePoint& p : model.timeline) {
            EXPECT_GE(p.timeNs, 30u);
            EXPECT_LE(p.timeNs, 40u);
            EXPECT_GE(p.rssBytes, 2000u);
        }
    }
}

TEST(Window, WholeTraceWindowIsTheWholeAnalysis) {
    SmallTrace trace;
    const Model whole = analyzeTrace(trace.path());
    const Model window = analyzeWindow(trace.path(), TimeWindow{});
    expectSameFigures(window, whole);
    EXPECT_EQ(window.summary.runtimeNs, whole.summary.runtimeNs);
}

TEST(Window, IndexedEqualsSequentialOnAGeneratedTrace) {
    GeneratedTrace trace("window_generated");
    const LoadedIndex index = buildIndex(trace.path(), IndexOptions{64u << 10, {}});
    ASSERT_TRUE(index.saved);
    ASSERT_GE(index.index.checkpoints.size(), 5u); // the windows below start from them
    const std::uint64_t last = trace.lastTimeNs();
    const std::uint64_t peak = index.index.peakTimeNs;
    const TimeWindow windows[] = {
        {0, last / 10},
        {last / 3, last / 3 + last / 50},
        {last / 2, last / 2}, // one instant
        {last / 4, 3 * last / 4},
        {index.index.checkpoints[2].maxTimeBeforeNs, index.index.checkpoints[4].maxTimeBeforeNs},
        {index.index.checkpoints[2].maxTimeBeforeNs + 1, last},
        {last + 1000, last + 2000}, // after the end: the live set at the end
        TimeWindow::at(peak),
        TimeWindow::at(last / 5),
        {},
    };
    for (const TimeWindow& w : windows) {
        SCOPED_TRACE(testing::Message() << "window " << w.fromNs << ".." << w.toNs);
        expectSameFigures(analyzeWindow(trace.path(), w), analyzeWindowSequential(trace.path(), w));
    }
    // The peak view holds the global peak.
    EXPECT_EQ(analyzeWindow(trace.path(), TimeWindow::at(peak)).summary.peakHeapBytes,
              analyzeTrace(trace.path()).summary.peakHeapBytes);
}

TEST(Window, TruncatedTraceIsIndexedUpToItsLastCompleteFrame) {
    GeneratedTrace trace("window_truncated");
    const auto size = std::filesystem::file_size(trace.path());
    std::filesystem::resize_file(trace.path(), size - size / 3 - 7);
    const LoadedIndex index = buildIndex(trace.path(), IndexOptions{64u << 10, {}});
    EXPECT_FALSE(index.index.readProblem.empty());
    const std::uint64_t last = index.index.frames.back().maxTimeNs;
    for (const TimeWindow& w : {TimeWindow{last / 3, last / 2}, TimeWindow{last / 2, last * 2}}) {
        const Model indexed = analyzeWindow(trace.path(), w);
        EXPECT_TRUE(indexed.summary.truncated);
        expectSameFigures(indexed, analyzeWindowSequential(trace.path(), w));
    }
}

} // namespace
} // namespace heapscope::analysis::test
