// analysis: the Model, everything the reports need from one replay of a trace. Reports are
// functions of a Model (plus a Symbolizer for stacks); they never re-read the trace.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "format/records.h"

namespace heapscope::analysis {

struct ByteCount {
    std::uint64_t bytes = 0;
    std::uint64_t blocks = 0;
};

struct LeakTotals {
    ByteCount definitelyLost;
    ByteCount indirectlyLost;
    ByteCount possiblyLost;
    ByteCount stillReachable;
    ByteCount suppressed;

    ByteCount& of(format::LeakKind kind) {
        switch (kind) {
        case format::LeakKind::DefinitelyLost:
            return definitelyLost;
        case format::LeakKind::IndirectlyLost:
            return indirectlyLost;
        case format::LeakKind::PossiblyLost:
            return possiblyLost;
        case format::LeakKind::StillReachable:
            break;
        }
        return stillReachable;
    }
    const ByteCount& of(format::LeakKind kind) const {
        return const_cast<LeakTotals*>(this)->of(kind);
    }
};

struct ErrorTotals {
    std::uint64_t doubleFree = 0;
    std::uint64_t invalidFree = 0;
    std::uint64_t mismatchedFree = 0;
};

// The whole-run figures, field for field what `summary --json` prints.
struct Summary {
    std::string program;
    std::uint64_t pid = 0;
    std::uint64_t runtimeNs = 0;
    // The program's exit code, or 128 + signal when a signal killed it; empty when unknown
    // (the trace was not recorded by `heapscope run`).
    std::optional<int> exitStatus;
    bool truncated = false;
    std::uint64_t sampleRate = 0;
    std::uint64_t pausedNs = 0;   // recording paused (the sum of Model::paused)
    std::uint64_t threads = 0;
    std::uint64_t allocations = 0;
    std::uint64_t frees = 0;
    std::uint64_t bytesAllocated = 0;
    std::uint64_t peakHeapBytes = 0;
    std::uint64_t peakHeapTimeNs = 0;
    std::uint64_t peakRssBytes = 0;
    std::uint64_t temporaryAllocations = 0;
    std::uint64_t leakedBytes = 0;
    std::uint64_t leakedBlocks = 0;
    LeakTotals leaks;
    ErrorTotals errors;
};

// Per call site: one entry per distinct allocation stack.
struct SiteStats {
    StackId stack;
    std::uint64_t allocations = 0;
    std::uint64_t bytesAllocated = 0;
    std::uint64_t peakBytes = 0;   // bytes of this site live at the global peak
    std::uint64_t leakedBytes = 0; // live at the end
    std::uint64_t leakedBlocks = 0;
    std::uint64_t temporaryAllocations = 0;
};

// Per call site, what DHAT reports beside the totals of SiteStats.
struct SiteLifetime {
    std::uint64_t totalLifetimeNs = 0; // over its blocks: (free, or end of run) - allocation
    ByteCount max;                     // the most the site held live at once, and its blocks then
    std::uint64_t peakBlocks = 0;      // its blocks live at the global peak
};

struct StackNode {
    StackId parent;
    std::uint64_t returnAddress = 0;
};

struct ModuleInfo {
    ModuleId id;
    std::string path;
    std::string buildId; // raw bytes
    std::uint64_t bias = 0;
    std::vector<format::Segment> segments;
    std::uint64_t loadTimeNs = 0;
    std::optional<std::uint64_t> unloadTimeNs;
};

struct ThreadInfo {
    ThreadIndex thread;
    std::uint64_t tid = 0;
    std::string name;
    std::uint64_t startNs = 0;
    std::optional<std::uint64_t> endNs;
};

// Heap and RSS over time, downsampled to a bounded number of points.
struct TimelinePoint {
    std::uint64_t timeNs = 0;
    std::uint64_t heapBytes = 0;
    std::uint64_t rssBytes = 0;
};

struct Mark {
    std::uint64_t timeNs = 0;
    ThreadIndex thread;
    std::string name;
};

// One memcheck-style loss record: the leaked blocks of one kind allocated at one stack.
struct LossRecord {
    format::LeakKind kind = format::LeakKind::StillReachable;
    StackId stack;
    ByteCount leaked;
    // Definitely lost records only: the indirectly lost blocks reached through these blocks.
    ByteCount indirect;
};

// A call site whose live bytes kept growing through the run, even if all was freed at exit
// (analysis/growth.h says how that is decided).
struct GrowthSite {
    StackId stack;
    std::uint64_t bytesPerSecond = 0; // the trend of its live bytes
    std::uint64_t liveBytesAtEnd = 0;
    std::uint64_t peakLiveBytes = 0;
};

// One leak scan's totals per kind (the trace's LeakCheck record); suppressed stays 0.
struct LeakCheck {
    std::uint64_t timeNs = 0;
    LeakTotals totals;
};

// A time span during which recording was off (heapscope_stop, `heapscope ctl PID stop`,
// --start-paused): allocations made then are not in the trace.
struct PausedInterval {
    std::uint64_t startNs = 0;
    std::uint64_t endNs = 0; // the run's end when recording never resumed
};

// Oddities the replay worked around; a trace from a sound recording has none of them.
struct ReplayDiagnostics {
    std::uint64_t allocOfLiveAddress = 0;       // the old block was taken as freed first
    std::uint64_t unknownFrees = 0;             // blocks allocated before tracing began (ignored)
    std::uint64_t unknownStacks = 0;            // allocations naming an undefined stack (on root)
    std::uint64_t badStackNodes = 0;            // stack nodes with an out-of-range id (dropped)
    std::uint64_t verdictsForUnknownBlocks = 0; // leak verdicts for no live block (ignored)
    std::uint64_t verdictsWithoutCheck = 0;     // leak verdicts before any at-exit LeakCheck
    std::uint64_t errorsNotKept = 0;            // heap errors counted beyond Model::kMaxErrors
};

// The time span a Model covers when it was made for a window (analysis/window.h). An instant
// (`top --at`) has fromNs == toNs; toNs is at most the recording's end.
struct WindowSpan {
    std::uint64_t fromNs = 0;
    std::uint64_t toNs = 0;
    std::uint64_t traceEndNs = 0; // the last time stamp of the whole recording
};

struct Model {
    // Heap errors beyond this many are counted in the summary but not kept one by one.
    static constexpr std::size_t kMaxErrors = 10000;

    format::TraceHeader header;
    Summary summary;
    std::vector<SiteStats> sites;     // one per stack that allocated, in no particular order
    std::vector<SiteLifetime> siteLifetimes; // indexed by StackId value (may be shorter)
    std::vector<StackNode> stacks;    // indexed by StackId value; [0] is the empty root
    std::vector<ModuleInfo> modules;
    std::vector<ThreadInfo> threads;
    std::vector<TimelinePoint> timeline;
    std::vector<Mark> marks;
    std::vector<PausedInterval> paused;       // in time order
    std::vector<LossRecord> lossRecords;      // from the leak verdicts, largest first
    std::vector<GrowthSite> growth;           // growing call sites, fastest first
    std::optional<LeakCheck> exitLeakCheck;   // the scan at exit, if the recorder made one
    std::vector<LeakCheck> leakChecks;        // heapscope_leak_check() calls, in time order
    std::vector<format::ErrorRecord> errors;  // heap misuse in time order (up to kMaxErrors)
    ReplayDiagnostics diagnostics;
    // Where and why reading stopped early, empty for a complete trace.
    std::string readProblem;
    // Set only for a window: the reports then say which span they show.
    std::optional<WindowSpan> window;
};

// The return addresses of a stack, innermost first (walks the trie up to the root).
std::vector<std::uint64_t> returnAddresses(const Model& model, StackId stack);

} // namespace heapscope::analysis
