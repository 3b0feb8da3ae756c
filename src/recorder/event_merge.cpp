// recorder: k-way merge of per-thread runs with a binary heap, holding back the young events.
#include "recorder/event_merge.h"

#include <algorithm>

namespace heapscope::recorder {

void EventMerger::add(ThreadIndex thread, std::span<const Event> events) {
    if (events.empty()) return;
    auto it = std::find_if(m_runs.begin(), m_runs.end(),
                           [&](const Run& r) { return r.thread == thread; });
    if (it == m_runs.end()) {
        m_runs.push_back(Run{thread, {}, 0});
        it = m_runs.end() - 1;
    }
    it->events.insert(it->events.end(), events.begin(), events.end());
}

std::size_t EventMerger::pendingEvents() const {
    std::size_t n = 0;
    for (const Run& r : m_runs) n += r.events.size() - r.next;
    return n;
}

bool EventMerger::before(std::size_t a, std::size_t b) const {
    const Run& ra = m_runs[a];
    const Run& rb = m_runs[b];
    const std::uint64_t ta = ra.events[ra.next].ticks;
    const std::uint64_t tb = rb.events[rb.next].ticks;
    return ta != tb ? ta < tb : ra.thread < rb.thread;
}

void EventMerger::buildHeap(std::uint64_t limit) {
    m_heap.clear();
    for (std::size_t i = 0; i < m_runs.size(); ++i) {
        const Run& r = m_runs[i];
        if (r.next < r.events.size() && r.events[r.next].ticks < limit) pushHeap(i);
    }
}

void EventMerger::pushHeap(std::size_t run) {
    m_heap.push_back(run);
    for (std::size_t i = m_heap.size() - 1; i > 0;) {
        const std::size_t parent = (i - 1) / 2;
        if (!before(m_heap[i], m_heap[parent])) break;
        std::swap(m_heap[i], m_heap[parent]);
        i = parent;
    }
}

std::size_t EventMerger::popHeap() {
    const std::size_t top = m_heap.front();
    m_heap.front() = m_heap.back();
    m_heap.pop_back();
    for (std::size_t i = 0;;) {
        const std::size_t l = 2 * i + 1;
        const std::size_t r = l + 1;
        std::size_t best = i;
        if (l < m_heap.size() && before(m_heap[l], m_heap[best])) best = l;
        if (r < m_heap.size() && before(m_heap[r], m_heap[best])) best = r;
        if (best == i) break;
        std::swap(m_heap[i], m_heap[best]);
        i = best;
    }
    return top;
}

void EventMerger::compact() {
    for (Run& r : m_runs) {
        r.events.erase(r.events.begin(), r.events.begin() + static_cast<std::ptrdiff_t>(r.next));
        r.next = 0;
    }
    std::erase_if(m_runs, [](const Run& r) { return r.events.empty(); });
}

} // namespace heapscope::recorder
