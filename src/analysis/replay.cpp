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

ByteCount& leakTotal(LeakTotals& totals, format::LeakKind kind) {
    switch (kind) {
    case format::LeakKind::DefinitelyLost:
        return totals.definitelyLost;
    case format::LeakKind::IndirectlyLost:
        return totals.indirectlyLost;
    case format::LeakKind::PossiblyLost:
        return totals.possiblyLost;
    case format::LeakKind::StillReachable:
        break;
    }
    return totals.stillReachable;
}

LeakTotals leakTotals(const format::LeakCheckRecord& r) {
    LeakTotals totals;
    for (std::uint8_t kind = 0; kind < format::kLeakKindCount; ++kind) {
        ByteCount& total = leakTotal(totals, static_cast<format::LeakKind>(kind));
        total.bytes = r.totals[kind].bytes;
        total.blocks = r.totals[kind].blocks;
    }
    return totals;
}

} // namespace

Replay::Replay(const format::TraceHeader& header) {
    m_model.header = header;
    m_model.summary.program = header.executable;
    m_model.summary.pid = header.pid;
    m_model.summary.sampleRate = header.sampleRate;
    m_model.stacks.resize(1); // the root, the empty stack
}

void Replay::apply(const format::Record& record) {
    // Allocs and frees are nearly every record: test them before the general dispatch.
    if (const auto* alloc = std::get_if<format::AllocRecord>(&record)) {
        on(*alloc);
    } else if (const auto* free = std::get_if<format::FreeRecord>(&record)) {
        on(*free);
    } else {
        std::visit([this](const auto& r) { on(r); }, record);
    }
}

Replay::SiteAccum& Replay::site(StackId stack) {
    std::size_t index = stack.value;
    if (index >= m_sites.size()) {
        if (index >= m_model.stacks.size() + kIdSlack) {
            ++m_model.diagnostics.unknownStacks;
            index = 0;
        }
        if (index >= m_sites.size()) m_sites.resize(std::max(index + 1, m_model.stacks.size()));
    }
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

Replay::ThreadState& Replay::thread(ThreadIndex thread) {
    const std::size_t index = std::min<std::size_t>(thread.value, kMaxThreadSlots - 1);
    if (index >= m_threads.size()) m_threads.resize(index + 1);
    ThreadState& t = m_threads[index];
    t.seen = true;
    return t;
}

void Replay::release(std::uint64_t address, const LiveBlock& block) {
    SiteAccum& s = touchSite(block.stack);
    s.liveBytes -= block.size;
    --s.liveBlocks;
    m_heapBytes -= block.size;
    ThreadState& owner = thread(block.thread);
    if (owner.lastAlloc == address) owner.lastAlloc = kNoAddress;
}

void Replay::on(const format::AllocRecord& r) {
    noteTime(r.timeNs);
    bool existed = false;
    LiveBlock& block = m_live.emplace(r.address, existed);
    if (existed) {
        ++m_model.diagnostics.allocOfLiveAddress;
        m_lifetimes.onFree(block.stack, r.timeNs, block.size, m_peakEpoch);
        m_growth.onFree(block.stack, r.timeNs, block.size);
        release(r.address, block);
    }
    // A stack id out of range is put on the root; keep the block's stack consistent with that.
    SiteAccum& s = touchSite(r.stack);
    const StackId stack{static_cast<std::uint32_t>(&s - m_sites.data())};
    block = LiveBlock{r.size, stack, r.thread};
    m_lifetimes.onAlloc(stack, r.timeNs, r.size, m_peakEpoch);
    m_growth.onAlloc(stack, r.timeNs, r.size);
    ++s.allocations;
    s.bytesAllocated += r.size;
    s.liveBytes += r.size;
    ++s.liveBlocks;

    Summary& sum = m_model.summary;
    ++sum.allocations;
    sum.bytesAllocated += r.size;
    m_heapBytes += r.size;
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
    m_lifetimes.onFree(block.stack, r.timeNs, block.size, m_peakEpoch);
    m_growth.onFree(block.stack, r.timeNs, block.size);
    release(r.address, block);
    ++m_model.summary.frees;
    if (temporary) {
        ++m_sites[block.stack.value].temporary;
        ++m_model.summary.temporaryAllocations;
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
    ByteCount& total = leakTotal(m_model.summary.leaks, r.kind);
    total.bytes += block->size;
    ++total.blocks;
    const std::uint64_t key =
        (std::uint64_t{block->stack.value} << 8) | static_cast<std::uint8_t>(r.kind);
    const auto [it, inserted] = m_lossRecordIndex.try_emplace(key, m_model.lossRecords.size());
    if (inserted) m_model.lossRecords.push_back(LossRecord{r.kind, block->stack, {}, {}});
    ByteCount& record = m_model.lossRecords[it->second].leaked;
    record.bytes += block->size;
    ++record.blocks;
    if (r.kind == format::LeakKind::DefinitelyLost) m_definiteRecord.emplace(r.address, it->second);
    if (r.kind == format::LeakKind::IndirectlyLost && r.owner != 0)
        m_indirect.emplace_back(r.owner, block->size);
}

void Replay::attributeIndirect() {
    for (const auto& [owner, size] : m_indirect) {
        const auto it = m_definiteRecord.find(owner);
        if (it == m_definiteRecord.end()) continue; // an owner without its verdict: not counted
        ByteCount& indirect = m_model.lossRecords[it->second].indirect;
        indirect.bytes += size;
        ++indirect.blocks;
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
    sum.threads = static_cast<std::uint64_t>(
        std::count_if(m_threads.begin(), m_threads.end(), [](const auto& t) { return t.seen; }));
    sum.leakedBytes = m_heapBytes;
    sum.leakedBlocks = m_live.size();

    for (std::size_t i = 0; i < m_sites.size(); ++i) {
        const SiteAccum& s = m_sites[i];
        if (s.allocations == 0) continue;
        // A site unchanged since the latest peak still holds what it held then.
        const std::uint64_t peakBytes = s.epoch != m_peakEpoch ? s.liveBytes : s.peakBytes;
        m_model.sites.push_back(SiteStats{StackId{static_cast<std::uint32_t>(i)}, s.allocations,
                                          s.bytesAllocated, peakBytes, s.liveBytes, s.liveBlocks,
                                          s.temporary});
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
