// recorder: the writer thread's merge of per-thread event runs into one global time order.
// Each cycle the writer reads W0, swaps every buffer, adds the runs here and emits only events
// older than W0; younger ones are held back, because another thread may still append an event
// stamped before them (every event stamped before W0 is already in a buffer when it is swapped).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/ids.h"
#include "recorder/event.h"

namespace heapscope::recorder {

class EventMerger {
public:
    // Appends a thread's newly drained events (already in time order) behind its held-back ones.
    void add(ThreadIndex thread, std::span<const Event> events);

    // Calls sink(thread, event) for every pending event with ticks < limit, oldest first
    // (ties broken by thread index), and keeps the rest.
    template <typename Sink>
    void emitBefore(std::uint64_t limit, Sink&& sink) {
        buildHeap(limit);
        while (!m_heap.empty()) {
            Run& run = m_runs[popHeap()];
            sink(run.thread, run.events[run.next]);
            ++run.next;
            if (run.next < run.events.size() && run.events[run.next].ticks < limit) {
                pushHeap(static_cast<std::size_t>(&run - m_runs.data()));
            }
        }
        compact();
    }

    std::size_t pendingEvents() const;
    void clear() { m_runs.clear(); }

private:
    struct Run {
        ThreadIndex thread;
        std::vector<Event> events;
        std::size_t next = 0; // first event not yet emitted
    };

    bool before(std::size_t a, std::size_t b) const;
    void buildHeap(std::uint64_t limit);
    void pushHeap(std::size_t run);
    std::size_t popHeap();
    void compact();

    std::vector<Run> m_runs;
    std::vector<std::size_t> m_heap; // indices into m_runs, ordered by their next event
};

} // namespace heapscope::recorder
