// analysis: the allocation lifetimes of a trace, completed at each free and at the end, and the
// one reading pass that feeds them and the Replay.
#include "analysis/allocation_stream.h"

#include "analysis/analyze.h"
#include "analysis/replay.h"
#include "format/reader.h"

namespace heapscope::analysis {

bool LifetimeFilter::keeps(const AllocationLifetime& lifetime, std::uint64_t endNs) const {
    if (none) return false;
    if (liveAtEndOnly && lifetime.freeNs) return false;
    if (lifetime.allocNs < fromNs || lifetime.allocNs >= toNs) return false;
    const std::uint64_t until = lifetime.freeNs.value_or(endNs);
    const std::uint64_t lived = until > lifetime.allocNs ? until - lifetime.allocNs : 0;
    return lived >= minLifetimeNs;
}

AllocationStream::AllocationStream(const LifetimeFilter& filter, LifetimeSink& sink)
    : m_filter(filter), m_sink(sink) {}

AllocationLifetime AllocationStream::lifetimeOf(std::uint64_t address, const Pending& block) {
    AllocationLifetime lifetime;
    lifetime.allocNs = block.allocNs;
    lifetime.stack = block.stack;
    lifetime.size = block.size;
    lifetime.address = address;
    lifetime.allocThread = block.thread;
    lifetime.family = block.family;
    return lifetime;
}

void AllocationStream::complete(std::uint64_t address, const Pending& block, std::uint64_t freeNs,
                                std::optional<ThreadIndex> freeThread) {
    m_heapBytes -= block.size;
    AllocationLifetime lifetime = lifetimeOf(address, block);
    lifetime.freeNs = freeNs;
    lifetime.freeThread = freeThread;
    if (m_filter.keeps(lifetime, freeNs)) m_sink.onLifetime(lifetime);
}

void AllocationStream::apply(const format::Record& record) {
    if (const auto* alloc = std::get_if<format::AllocRecord>(&record)) {
        bool existed = false;
        Pending& block = m_live.emplace(alloc->address, existed);
        // An address handed out twice: the Replay takes the old block as freed then, so do we
        // (by no known call, hence no freeing thread).
        if (existed) complete(alloc->address, block, alloc->timeNs, std::nullopt);
        block = Pending{alloc->timeNs, alloc->size, alloc->stack, alloc->thread, alloc->family, {}};
        m_heapBytes += alloc->size;
    } else if (const auto* free = std::get_if<format::FreeRecord>(&record)) {
        Pending block;
        if (m_live.erase(free->address, block))
            complete(free->address, block, free->timeNs, free->thread);
    } else if (const auto* rss = std::get_if<format::RssRecord>(&record)) {
        m_sink.onSample(HeapSample{rss->timeNs, m_heapBytes, rss->rssBytes});
    } else if (const auto* check = std::get_if<format::LeakCheckRecord>(&record)) {
        if (check->atExit) m_inExitScan = true;
    } else if (const auto* verdict = std::get_if<format::LeakVerdictRecord>(&record)) {
        if (!m_inExitScan) return;
        // The first verdict for a block counts, as in the Replay.
        if (Pending* block = m_live.find(verdict->address); block != nullptr && !block->leak)
            block->leak = verdict->kind;
    }
}

void AllocationStream::finish(std::uint64_t endNs) {
    m_live.forEach([&](std::uint64_t address, const Pending& block) {
        AllocationLifetime lifetime = lifetimeOf(address, block);
        lifetime.leak = block.leak;
        if (m_filter.keeps(lifetime, endNs)) m_sink.onLifetime(lifetime);
    });
}

Model streamAllocations(const std::string& path, const LifetimeFilter& filter, LifetimeSink& sink) {
    format::TraceReader reader;
    if (!reader.open(path)) throw AnalysisError(reader.error());
    Replay replay(reader.header());
    AllocationStream stream(filter, sink);
    format::Record record;
    while (reader.next(record)) {
        replay.apply(record);
        stream.apply(record);
    }
    Model model = replay.finish(readProblem(reader));
    stream.finish(model.summary.runtimeNs);
    return model;
}

} // namespace heapscope::analysis
