// analysis: the lifetime of every allocation (when, where and by which thread it was allocated
// and freed, its leak verdict), streamed out of one pass over a trace that also builds the Model.
// The queryable heap (`heapscope sql`) is written from it: one row per allocation.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "analysis/live_map.h"
#include "analysis/model.h"
#include "format/records.h"

namespace heapscope::analysis {

struct AllocationLifetime {
    std::uint64_t allocNs = 0;
    std::optional<std::uint64_t> freeNs; // empty: still live at the end of the trace
    StackId stack;
    std::uint64_t size = 0;
    std::uint64_t address = 0;
    ThreadIndex allocThread;
    std::optional<ThreadIndex> freeThread; // empty when never freed or freed by no known call
    format::AllocFamily family = format::AllocFamily::Malloc;
    // The exit leak scan's verdict, for blocks live at the end of a trace that has verdicts.
    std::optional<format::LeakKind> leak;
};

// The heap and the resident set size at one RSS sample of the trace.
struct HeapSample {
    std::uint64_t timeNs = 0;
    std::uint64_t heapBytes = 0;
    std::uint64_t rssBytes = 0;
};

// Which lifetimes are handed on, for traces too large to keep a row per allocation.
struct LifetimeFilter {
    bool liveAtEndOnly = false;
    // A block never freed lives until the end of the trace.
    std::uint64_t minLifetimeNs = 0;
    // Only blocks allocated in [fromNs, toNs).
    std::uint64_t fromNs = 0;
    std::uint64_t toNs = std::numeric_limits<std::uint64_t>::max();
    // Lifetimes are not wanted at all (only the Model and the samples).
    bool none = false;

    bool keeps(const AllocationLifetime& lifetime, std::uint64_t endNs) const;
};

class LifetimeSink {
public:
    virtual ~LifetimeSink() = default;
    virtual void onLifetime(const AllocationLifetime& lifetime) = 0;
    virtual void onSample(const HeapSample& sample) = 0;
};

// Follows the records of a trace in order: a lifetime is complete when its block is freed, and
// the blocks still live are completed by finish(). Memory grows with the live set only.
class AllocationStream {
public:
    AllocationStream(const LifetimeFilter& filter, LifetimeSink& sink);

    void apply(const format::Record& record);
    // Hands on the blocks still live at endNs (the end of the trace), with their verdicts.
    void finish(std::uint64_t endNs);

private:
    struct Pending {
        std::uint64_t allocNs = 0;
        std::uint64_t size = 0;
        StackId stack;
        ThreadIndex thread;
        format::AllocFamily family = format::AllocFamily::Malloc;
        std::optional<format::LeakKind> leak;
    };
    static AllocationLifetime lifetimeOf(std::uint64_t address, const Pending& block);
    void complete(std::uint64_t address, const Pending& block, std::uint64_t freeNs,
                  std::optional<ThreadIndex> freeThread);

    const LifetimeFilter& m_filter;
    LifetimeSink& m_sink;
    BasicLiveMap<Pending> m_live;
    std::uint64_t m_heapBytes = 0;
    bool m_inExitScan = false; // verdicts count only after the at-exit LeakCheck
};

// Reads the trace at path once, feeding the AllocationStream and the Replay; returns the Model.
// Throws AnalysisError when the trace cannot be read at all, as analyzeTrace does.
Model streamAllocations(const std::string& path, const LifetimeFilter& filter, LifetimeSink& sink);

} // namespace heapscope::analysis
