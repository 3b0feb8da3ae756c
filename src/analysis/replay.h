// analysis: Replay applies trace records in time order to a live set and per-site aggregates,
// and hands out the finished Model. Memory grows with the live set and the distinct stacks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "analysis/growth.h"
#include "analysis/live_map.h"
#include "analysis/model.h"
#include "analysis/sample_weight.h"
#include "analysis/site_lifetimes.h"
#include "analysis/timeline.h"
#include "format/records.h"

namespace heapscope::analysis {

class Replay {
public:
    explicit Replay(const format::TraceHeader& header);

    void apply(const format::Record& record);
    // Applies records in order. The live-map slots of the allocs and frees a few records ahead
    // are loaded while the current ones are applied, so that their cache misses overlap.
    void apply(std::span<const format::Record> records);

    // A time window (analysis/window.h) starts from the live set at its start: each block is
    // put in the heap and its site's live bytes without counting as an allocation, then
    // openWindow() makes the heap held at timeNs the window's starting peak.
    void seedLive(std::uint64_t address, const LiveBlock& block, std::uint64_t timeNs);
    void openWindow(std::uint64_t timeNs);

    // Ends the replay. readProblem is empty for a complete trace, else why reading stopped.
    Model finish(std::string readProblem);

    // Structural figures, so tests can show the state stays bounded by the live set.
    std::size_t liveBlocks() const { return m_live.size(); }
    std::size_t liveMapCapacity() const { return m_live.capacity(); }
    std::size_t siteSlots() const { return m_sites.size(); }
    std::size_t threadSlots() const { return m_threads.size(); }

    void on(const format::AllocRecord& r);
    void on(const format::FreeRecord& r);
    void on(const format::ModuleRecord& r);
    void on(const format::ModuleUnloadRecord& r);
    void on(const format::StackNodeRecord& r);
    void on(const format::ThreadRecord& r);
    void on(const format::ThreadEndRecord& r);
    void on(const format::RssRecord& r);
    void on(const format::MarkRecord& r);
    void on(const format::ErrorRecord& r);
    void on(const format::LeakVerdictRecord& r);
    void on(const format::EndRecord& r);
    void on(const format::ExitStatusRecord& r);
    void on(const format::LeakCheckRecord& r);
    void on(const format::RecordingRecord& r);

private:
    // Per-site running figures. epoch is the peak epoch of the site's last change: while it is
    // older than the current one, liveBytes is still what the site held at the latest peak.
    // Counts are sums of block weights (sample_weight.h): whole numbers, exact in a double, when
    // every block was recorded.
    struct SiteAccum {
        double allocations = 0;
        std::uint64_t bytesAllocated = 0;
        std::uint64_t liveBytes = 0;
        double liveBlocks = 0;
        std::uint64_t peakBytes = 0;
        double temporary = 0;
        std::uint64_t epoch = 0;
    };
    struct ThreadState {
        std::uint64_t lastAlloc = kNoAddress;
        std::int64_t infoIndex = -1; // into m_model.threads
        bool seen = false;
    };
    static constexpr std::uint64_t kNoAddress = ~std::uint64_t{0};

    // Starts loading the live-map slot that applying record will touch. Inline: it runs once
    // per record, ahead of apply().
    void prefetch(const format::Record& record) const {
        if (const auto* alloc = std::get_if<format::AllocRecord>(&record))
            m_live.prefetch(alloc->address);
        else if (const auto* free = std::get_if<format::FreeRecord>(&record))
            m_live.prefetch(free->address);
    }

    // The hot paths look up an id already in range; growing the state is kept out of line.
    SiteAccum& site(StackId stack) {
        return stack.value < m_sites.size() ? m_sites[stack.value] : growSites(stack);
    }
    SiteAccum& growSites(StackId stack);
    SiteAccum& touchSite(StackId stack);
    ThreadState& thread(ThreadIndex thread) {
        ThreadState& t =
            thread.value < m_threads.size() ? m_threads[thread.value] : growThreads(thread);
        t.seen = true;
        return t;
    }
    ThreadState& growThreads(ThreadIndex thread);
    void noteTime(std::uint64_t timeNs) {
        if (timeNs > m_lastTimeNs) m_lastTimeNs = timeNs;
    }
    // What a recorded block of size bytes stands for, worked out once per event: a sampled
    // trace's weight costs an expm1.
    struct Weighed {
        std::uint64_t bytes;
        double weight;
    };
    Weighed weighed(std::uint64_t size) const {
        return {m_weights.bytes(size), m_weights.weight(size)};
    }
    // Takes a block out of the heap figures (a free, or an address allocated twice); owner is
    // the state of the block's thread.
    void release(std::uint64_t address, StackId stack, Weighed w, ThreadState& owner);

    Model m_model;
    SampleWeights m_weights;
    LiveMap m_live;
    std::vector<SiteAccum> m_sites;
    std::vector<ThreadState> m_threads;
    TimelineBuilder m_timeline;
    SiteLifetimes m_lifetimes;
    GrowthTracker m_growth;
    std::uint64_t m_heapBytes = 0; // estimated when sampled, as every byte figure below
    double m_allocations = 0;      // estimated counts, rounded into the Summary at the end
    double m_frees = 0;
    double m_temporary = 0;
    double m_liveBlocks = 0;
    std::uint64_t m_rssBytes = 0;
    std::uint64_t m_peakEpoch = 0;
    std::uint64_t m_lastTimeNs = 0;
    std::uint64_t m_endTimeNs = 0;
    bool m_sawEnd = false;
    bool m_paused = false;
    std::uint64_t m_pausedSinceNs = 0;
    std::unordered_set<std::uint64_t> m_verdictAddresses;
    std::unordered_map<std::uint64_t, std::size_t> m_lossRecordIndex; // (stack, kind) -> index
    // Per loss record, its estimated leaked and indirect blocks (rounded into it at the end).
    std::vector<std::pair<double, double>> m_lossBlocks;
    // Verdicts count only after the at-exit LeakCheck that announces them.
    bool m_inExitScan = false;
    // Definitely lost block -> its loss record; indirectly lost blocks as (owner, size), joined
    // at the end because an owner's verdict may come after the blocks it owns.
    std::unordered_map<std::uint64_t, std::size_t> m_definiteRecord;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> m_indirect;
    void attributeIndirect();
};

} // namespace heapscope::analysis
