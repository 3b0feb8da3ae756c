// analysis: the replay of trace records into the Model (live set, sites, peak, temporary
// allocations, leaks, errors, threads, modules, timeline).
#include "analysis/replay.h"

#include <algorithm>
#include <type_traits>

namespace heapscope::analysis {
namespace {

// Ids are dense, so per-stack and per-thread state live in vectors indexed by id. A hostile
// trace could name a huge id; growth past what has been defined is limited to this slack.
constexpr std::size_t kIdSlack = 1u << 16;
constexpr std::size_t kMaxThreadSlots = 1u << 20;
// How many records ahead the live map is prefetched: far enough for a miss to memory (a live
// set larger than the caches) to complete while the records in between are applied.
constexpr std::size_t kPrefetchAhead = 16;

// The position of T among the record kinds, for a switch-free test of the common ones.
template <typename T, std::size_t I = 0>
constexpr std::size_t variantIndex() {
    if constexpr (std::is_same_v<std::variant_alternative_t<I, format::Record>, T>)
        return I;
    else
        return variantIndex<T, I + 1>();
}

LeakTotals leakTotals(const format::LeakCheckRecord& r) {
    LeakTotals totals;
    for (std::uint8_t kind = 0; kind < format::kLeakKindCount; ++kind) {
        ByteCount& total = totals.of(static_cast<format::LeakKind>(kind));
        total.bytes = r.totals[kind].bytes;
        total.blocks = r.totals[kind].blocks;
    }
    return totals;
}

} // namespace

Replay::Replay(const format::TraceHeader& header) : m_weights(header.sampleRate) {
    m_model.header = header;
    m_model.summary.program = header.executable;
    m_model.summary.pid = header.pid;
    m_model.summary.sampleRate = header.sampleRate;
    m_model.stacks.resize(1); // the root, the empty stack
}

void Replay::apply(const format::Record& record) {
    // Allocs and frees are nearly every record: test them before the general dispatch.
    constexpr std::size_t kAlloc = variantIndex<format::AllocRecord>();
    constexpr std::size_t kFree = variantIndex<format::FreeRecord>();
    if (record.index() == kAlloc) {
        on(*std::get_if<kAlloc>(&record));
    } else if (record.index() == kFree) {
        on(*std::get_if<kFree>(&record));
    } else {
        std::visit([this](const auto& r) { on(r); }, record);
    }
}

void Replay::apply(std::span<const format::Record> records) {
    const std::size_t ahead = std::min(records.size(), kPrefetchAhead);
    for (std::size_t i = 0; i < ahead; ++i)
        prefetch(records[i]);
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (i + kPrefetchAhead < records.size()) prefetch(records[i + kPrefetchAhead]);
        apply(records[i]);
    }
}

Replay::SiteAccum& Replay::growSites(StackId stack) {
    std::size_t index = stack.value;
    if (index >= m_model.stacks.size() + kIdSlack) {
        ++m_model.diagnostics.unknownStacks;
        index = 0;
    }
    if (index >= m_sites.size()) m_sites.resize(std::max(index + 1, m_model.stacks.size()));
    return m_sites[index];
}

// Before a site changes, its bytes at the latest peak are saved if not already: O(1) per event
// instead of a walk over all sites at every new peak.
Replay::SiteAccum& Replay::touchSite(StackId stack) {
    SiteAccum& s = site(stack);
    if (s.epoch != m_peakEpoch) {
        s.peakBytes = s.liveBytes;
        s.epoch = m_peakEpoch;
    }
    return s;
}

Replay::ThreadState& Replay::growThreads(ThreadIndex thread) {
    const std::size_t index = std::min<std::size_t>(thread.value, kMaxThreadSlots - 1);
    if (index >= m_threads.size()) m_threads.resize(index + 1);
    return m_threads[index];
}

void Replay::release(std::uint64_t address, StackId stack, Weighed w, ThreadState& owner) {
    SiteAccum& s = touchSite(stack);
    s.liveBytes -= w.bytes;
    s.liveBlocks -= w.weight;
    m_heapBytes -= w.bytes;
    m_liveBlocks -= w.weight;
    if (owner.lastAlloc == address) owner.lastAlloc = kNoAddress;
}

void Replay::seedLive(std::uint64_t address, const LiveBlock& block, std::uint64_t timeNs) {
    bool existed = false;
    LiveBlock& slot = m_live.emplace(address, existed);
    if (existed) release(address, slot.stack, weighed(slot.size), thread(slot.thread));
    SiteAccum& s = touchSite(block.stack);
    const StackId stack{static_cast<std::uint32_t>(&s - m_sites.data())};
    slot = LiveBlock{block.size, stack, block.thread};
    const auto [bytes, weight] = weighed(block.size);
    m_lifetimes.onAlloc(stack, timeNs, bytes, weight, m_peakEpoch);
    m_growth.onAlloc(stack, timeNs, bytes);
    s.liveBytes += bytes;
    s.liveBlocks += weight;
    m_heapBytes += bytes;
    m_liveBlocks += weight;
}

void Replay::openWindow(std::uint64_t timeNs) {
    noteTime(timeNs);
    m_model.summary.peakHeapBytes = m_heapBytes;
    m_model.summary.peakHeapTimeNs = timeNs;
    ++m_peakEpoch;
    m_timeline.observe(timeNs, m_heapBytes, m_rssBytes);
}

void Replay::on(const format::AllocRecord& r) {
    noteTime(r.timeNs);
    bool existed = false;
    LiveBlock& block = m_live.emplace(r.address, existed);
    if (existed) {
        ++m_model.diagnostics.allocOfLiveAddress;
        const Weighed old = weighed(block.size);
        m_lifetimes.onFree(block.stack, r.timeNs, old.bytes, old.weight, m_peakEpoch);
        m_growth.onFree(block.stack, r.timeNs, old.bytes);
        release(r.address, block.stack, old, thread(block.thread));
    }
    // A stack id out of range is put on the root; keep the block's stack consistent with that.
    SiteAccum& s = touchSite(r.stack);
    const StackId stack{static_cast<std::uint32_t>(&s - m_sites.data())};
    block = LiveBlock{r.size, stack, r.thread};
    const auto [bytes, weight] = weighed(r.size);
    m_lifetimes.onAlloc(stack, r.timeNs, bytes, weight, m_peakEpoch);
    m_growth.onAlloc(stack, r.timeNs, bytes);
    s.allocations += weight;
    s.bytesAllocated += bytes;
    s.liveBytes += bytes;
    s.liveBlocks += weight;

    Summary& sum = m_model.summary;
    m_allocations += weight;
    m_liveBlocks += weight;
    sum.bytesAllocated += bytes;
    m_heapBytes += bytes;
    if (m_heapBytes > sum.peakHeapBytes) {
        sum.peakHeapBytes = m_heapBytes;
        sum.peakHeapTimeNs = r.timeNs;
        ++m_peakEpoch;
    }
    thread(r.thread).lastAlloc = r.address;
    m_timeline.observe(r.timeNs, m_heapBytes, m_rssBytes);
}

void Replay::on(const format::FreeRecord& r) {
    noteTime(r.timeNs);
    ThreadState& freer = thread(r.thread);
    LiveBlock block;
    if (!m_live.erase(r.address, block)) {
        ++m_model.diagnostics.unknownFrees;
        return;
    }
    // Temporary: freed by the thread that allocated it, with no allocation on that thread since
    // (heaptrack's definition, made per thread so other threads' work does not hide it).
    const bool temporary = freer.lastAlloc == r.address && block.thread == r.thread;
    const Weighed w = weighed(block.size);
    m_lifetimes.onFree(block.stack, r.timeNs, w.bytes, w.weight, m_peakEpoch);
    m_growth.onFree(block.stack, r.timeNs, w.bytes);
    // Nearly always the freeing thread allocated the block: its state is at hand.
    release(r.address, block.stack, w, block.thread == r.thread ? freer : thread(block.thread));
    m_frees += w.weight;
    if (temporary) {
        m_sites[block.stack.value].temporary += w.weight;
        m_temporary += w.weight;
    }
    m_timeline.observe(r.timeNs, m_heapBytes, m_rssBytes);
}

void Replay::on(const format::ModuleRecord& r) {
    noteTime(r.timeNs);
    m_model.modules.push_back(
        ModuleInfo{r.id, r.path, r.buildId, r.bias, r.segments, r.timeNs, std::nullopt});
}

void Replay::on(const format::ModuleUnloadRecord& r) {
    noteTime(r.timeNs);
    // Ids may be reused after an unload: the latest still-loaded module with the id is meant.
    for (auto it = m_model.modules.rbegin(); it != m_model.modules.rend(); ++it) {
        if (it->id == r.id && !it->unloadTimeNs) {
            it->unloadTimeNs = r.timeNs;
            return;
        }
    }
}

void Replay::on(const format::StackNodeRecord& r) {
    std::vector<StackNode>& stacks = m_model.stacks;
    const std::size_t index = r.id.value;
    if (index == 0 || index >= stacks.size() + kIdSlack) {
        ++m_model.diagnostics.badStackNodes;
        return;
    }
    if (index >= stacks.size()) stacks.resize(index + 1);
    stacks[index] = StackNode{r.parent, r.returnAddress};
}

void Replay::on(const format::ThreadRecord& r) {
    noteTime(r.timeNs);
    ThreadState& t = thread(r.thread);
    if (t.infoIndex >= 0) {
        m_model.threads[static_cast<std::size_t>(t.infoIndex)].name = r.name; // a rename
        return;
    }
    t.infoIndex = static_cast<std::int64_t>(m_model.threads.size());
    m_model.threads.push_back(ThreadInfo{r.thread, r.tid, r.name, r.timeNs, std::nullopt});
}

void Replay::on(const format::ThreadEndRecord& r) {
    noteTime(r.timeNs);
    const ThreadState& t = thread(r.thread);
    if (t.infoIndex >= 0) m_model.threads[static_cast<std::size_t>(t.infoIndex)].endNs = r.timeNs;
}

void Replay::on(const format::RssRecord& r) {
    noteTime(r.timeNs);
    m_rssBytes = r.rssBytes;
    m_model.summary.peakRssBytes = std::max(m_model.summary.peakRssBytes, r.rssBytes);
    m_timeline.observe(r.timeNs, m_heapBytes, m_rssBytes);
}

void Replay::on(const format::MarkRecord& r) {
    noteTime(r.timeNs);
    thread(r.thread);
    m_model.marks.push_back(Mark{r.timeNs, r.thread, r.name});
}

void Replay::on(const format::ErrorRecord& r) {
    noteTime(r.timeNs);
    thread(r.thread);
    ErrorTotals& e = m_model.summary.errors;
    switch (r.kind) {
    case format::ErrorKind::DoubleFree:
        ++e.doubleFree;
        break;
    case format::ErrorKind::InvalidFree:
        ++e.invalidFree;
        break;
    case format::ErrorKind::MismatchedFree:
        ++e.mismatchedFree;
        break;
    }
    if (m_model.errors.size() < Model::kMaxErrors)
        m_model.errors.push_back(r);
    else
        ++m_model.diagnostics.errorsNotKept;
}

void Replay::on(const format::LeakCheckRecord& r) {
    noteTime(r.timeNs);
    const LeakCheck check{r.timeNs, leakTotals(r)};
    if (r.atExit) {
        m_model.exitLeakCheck = check;
        m_inExitScan = true;
    } else {
        m_model.leakChecks.push_back(check);
    }
}

void Replay::on(const format::RecordingRecord& r) {
    noteTime(r.timeNs);
    if (!r.on && !m_paused) {
        m_paused = true;
        m_pausedSinceNs = r.timeNs;
    } else if (r.on && m_paused) {
        m_paused = false;
        m_model.paused.push_back(
            PausedInterval{m_pausedSinceNs, std::max(m_pausedSinceNs, r.timeNs)});
    }
}

void Replay::on(const format::LeakVerdictRecord& r) {
    if (!m_inExitScan) {
        ++m_model.diagnostics.verdictsWithoutCheck;
        return;
    }
    const LiveBlock* block = m_live.find(r.address);
    if (block == nullptr || !m_verdictAddresses.insert(r.address).second) {
        ++m_model.diagnostics.verdictsForUnknownBlocks;
        return;
    }
    // Exact only when every block was recorded; finish() takes a sampled trace's totals from
    // its exit LeakCheck instead, which counted every block.
    ByteCount& total = m_model.summary.leaks.of(r.kind);
    total.bytes += block->size;
    ++total.blocks;
    const std::uint64_t key =
        (std::uint64_t{block->stack.value} << 8) | static_cast<std::uint8_t>(r.kind);
    const auto [it, inserted] = m_lossRecordIndex.try_emplace(key, m_model.lossRecords.size());
    if (inserted) {
        m_model.lossRecords.push_back(LossRecord{r.kind, block->stack, {}, {}});
        m_lossBlocks.emplace_back(0.0, 0.0);
    }
    m_model.lossRecords[it->second].leaked.bytes += m_weights.bytes(block->size);
    m_lossBlocks[it->second].first += m_weights.weight(block->size);
    if (r.kind == format::LeakKind::DefinitelyLost) m_definiteRecord.emplace(r.address, it->second);
    if (r.kind == format::LeakKind::IndirectlyLost && r.owner != 0)
        m_indirect.emplace_back(r.owner, block->size);
}

void Replay::attributeIndirect() {
    for (const auto& [owner, size] : m_indirect) {
        const auto it = m_definiteRecord.find(owner);
        if (it == m_definiteRecord.end()) continue; // an owner without its verdict: not counted
        m_model.lossRecords[it->second].indirect.bytes += m_weights.bytes(size);
        m_lossBlocks[it->second].second += m_weights.weight(size);
    }
    for (std::size_t i = 0; i < m_lossBlocks.size(); ++i) {
        m_model.lossRecords[i].leaked.blocks = roundedCount(m_lossBlocks[i].first);
        m_model.lossRecords[i].indirect.blocks = roundedCount(m_lossBlocks[i].second);
    }
}

void Replay::on(const format::EndRecord& r) {
    noteTime(r.timeNs);
    m_endTimeNs = r.timeNs;
    m_sawEnd = true;
}

void Replay::on(const format::ExitStatusRecord& r) {
    m_model.summary.exitStatus = r.signaled ? 128 + r.code : r.code;
}

Model Replay::finish(std::string readProblem) {
    Summary& sum = m_model.summary;
    sum.truncated = !readProblem.empty();
    m_model.readProblem = std::move(readProblem);
    sum.runtimeNs = m_sawEnd ? m_endTimeNs : m_lastTimeNs;
    if (m_paused) {
        m_model.paused.push_back(
            PausedInterval{m_pausedSinceNs, std::max(m_pausedSinceNs, sum.runtimeNs)});
    }
    for (const PausedInterval& p : m_model.paused)
        sum.pausedNs += p.endNs - p.startNs;
    sum.threads = static_cast<std::uint64_t>(
        std::count_if(m_threads.begin(), m_threads.end(), [](const auto& t) { return t.seen; }));
    sum.allocations = roundedCount(m_allocations);
    sum.frees = roundedCount(m_frees);
    sum.temporaryAllocations = roundedCount(m_temporary);
    sum.leakedBytes = m_heapBytes;
    sum.leakedBlocks = roundedCount(m_liveBlocks);
    // The recorder's live table knows every block, sampled or not: its exit scan's totals are
    // exact where the verdicts (on recorded blocks only) are not.
    if (m_weights.sampled() && m_model.exitLeakCheck) {
        sum.leaks = m_model.exitLeakCheck->totals;
        const LeakTotals& t = sum.leaks;
        sum.leakedBytes = t.definitelyLost.bytes + t.indirectlyLost.bytes + t.possiblyLost.bytes +
                          t.stillReachable.bytes;
        sum.leakedBlocks = t.definitelyLost.blocks + t.indirectlyLost.blocks +
                           t.possiblyLost.blocks + t.stillReachable.blocks;
    }

    for (std::size_t i = 0; i < m_sites.size(); ++i) {
        const SiteAccum& s = m_sites[i];
        // Sites of a window's starting live set may hold bytes without allocating in it.
        if (s.allocations == 0 && s.liveBytes == 0 && s.peakBytes == 0) continue;
        // A site unchanged since the latest peak still holds what it held then.
        const std::uint64_t peakBytes = s.epoch != m_peakEpoch ? s.liveBytes : s.peakBytes;
        m_model.sites.push_back(SiteStats{
            StackId{static_cast<std::uint32_t>(i)}, roundedCount(s.allocations), s.bytesAllocated,
            peakBytes, s.liveBytes, roundedCount(s.liveBlocks), roundedCount(s.temporary)});
    }
    attributeIndirect();
    std::sort(m_model.lossRecords.begin(), m_model.lossRecords.end(),
              [](const LossRecord& a, const LossRecord& b) {
                  if (a.leaked.bytes != b.leaked.bytes) return a.leaked.bytes > b.leaked.bytes;
                  return a.stack < b.stack;
              });
    m_model.timeline = m_timeline.points();
    m_model.siteLifetimes = m_lifetimes.finish(sum.runtimeNs, m_peakEpoch);
    m_model.growth = m_growth.finish(sum.runtimeNs);
    return std::move(m_model);
}

} // namespace heapscope::analysis
