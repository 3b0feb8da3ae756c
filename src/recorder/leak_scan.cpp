// recorder: the flood fill of the leak scan (see leak_scan.h for the rules), over a sorted
// array of blocks with an explicit work stack, so deep lists cannot overflow the stack.
#include "recorder/leak_scan.h"

#include <algorithm>
#include <cstring>

#include "recorder/mapped_memory.h"

namespace heapscope::recorder {

LeakScan::~LeakScan() {
    unmapArray(m_blocks, m_capacity);
    unmapArray(m_state, m_capacity);
    unmapArray(m_owner, m_capacity);
    unmapArray(m_work, 2 * m_capacity + 1);
}

bool LeakScan::reserve(std::size_t count) noexcept {
    if (count == 0) count = 1;
    m_blocks = mapArray<Block>(count);
    m_state = mapArray<State>(count);
    m_owner = mapArray<std::uint32_t>(count);
    // Each block is pushed at most twice (unreached → possible → reachable; a clique claims a
    // block once), so the stack never overflows.
    m_work = mapArray<std::uint32_t>(2 * count + 1);
    m_capacity = count;
    return m_blocks != nullptr && m_state != nullptr && m_owner != nullptr && m_work != nullptr;
}

void LeakScan::addBlock(std::uint64_t address, std::uint64_t size) noexcept {
    if (m_count == m_capacity || m_blocks == nullptr) {
        ++m_dropped;
        return;
    }
    m_blocks[m_count++] = Block{address, size};
}

bool LeakScan::find(std::uint64_t address, std::size_t& index, bool& atStart) const noexcept {
    if (address < m_low || address >= m_high) return false;
    const Block* first = m_blocks;
    const Block* it =
        std::upper_bound(first, first + m_count, address,
                         [](std::uint64_t a, const Block& b) { return a < b.address; });
    if (it == first) return false;
    --it;
    atStart = address == it->address;
    if (!atStart && address - it->address >= it->size) return false;
    index = static_cast<std::size_t>(it - first);
    return true;
}

bool LeakScan::isChunkHeader(std::uint64_t pointer, std::size_t index) const noexcept {
    const Block& b = m_blocks[index];
    return pointer % 16 == 0 && pointer + 16 > b.address + b.size;
}

void LeakScan::push(std::uint32_t index) noexcept {
    if (m_workSize < 2 * m_capacity + 1) m_work[m_workSize++] = index;
}

void LeakScan::reach(std::uint64_t pointer, bool definite) noexcept {
    std::size_t i = 0;
    bool atStart = false;
    if (!find(pointer, i, atStart)) return;
    if (!atStart && isChunkHeader(pointer, i)) return;
    State& state = m_state[i];
    if (state == Reachable) return;
    if (atStart && definite) {
        state = Reachable;
    } else if (state == Unreached) {
        state = Possible;
    } else {
        return; // already possible, and this pointer does not make it better
    }
    push(static_cast<std::uint32_t>(i));
}

void LeakScan::claim(std::uint64_t pointer, std::uint32_t leader) noexcept {
    std::size_t i = 0;
    bool atStart = false;
    if (!find(pointer, i, atStart) || i == leader || (!atStart && isChunkHeader(pointer, i)))
        return;
    if (m_state[i] == Unreached) {
        // Unclaimed, or an earlier clique's start: either way it now belongs to this clique
        // (the earlier start's members follow it through their owner chain, see owner()).
        m_state[i] = Indirect;
        m_owner[i] = leader;
        // An earlier clique's start has been scanned already: its members are claimed.
        push(static_cast<std::uint32_t>(i));
    }
}

void LeakScan::scanRange(std::uint64_t start, std::uint64_t end, bool definite) noexcept {
    start = (start + 7) & ~std::uint64_t{7};
    for (std::uint64_t p = start; p + 8 <= end; p += 8) {
        std::uint64_t word;
        std::memcpy(&word, reinterpret_cast<const void*>(p), sizeof word);
        if (word >= m_low && word < m_high) reach(word, definite);
    }
}

void LeakScan::scanOutsideBlocks(std::uint64_t start, std::uint64_t end) noexcept {
    // The first block ending past start, then each gap between blocks up to end.
    const Block* first = m_blocks;
    const Block* last = m_blocks + m_count;
    const Block* it = std::upper_bound(
        first, last, start, [](std::uint64_t a, const Block& b) { return a < b.address; });
    if (it != first && it[-1].address + it[-1].size > start) --it;
    std::uint64_t p = start;
    for (; it != last && it->address < end; ++it) {
        if (it->address > p) scanRange(p, it->address, true);
        p = std::max(p, it->address + it->size);
    }
    if (p < end) scanRange(p, end, true);
}

void LeakScan::scanBlock(std::size_t index, bool definite, const ReadableMemory& memory) noexcept {
    const Block& b = m_blocks[index];
    if (!memory.contains(b.address, b.address + b.size)) return;
    scanRange(b.address, b.address + b.size, definite);
}

void LeakScan::scanClique(std::uint32_t leader, const ReadableMemory& memory) noexcept {
    push(leader);
    while (m_workSize > 0) {
        const std::uint32_t index = m_work[--m_workSize];
        const Block& b = m_blocks[index];
        if (!memory.contains(b.address, b.address + b.size)) continue;
        const std::uint64_t start = (b.address + 7) & ~std::uint64_t{7};
        for (std::uint64_t p = start; p + 8 <= b.address + b.size; p += 8) {
            std::uint64_t word;
            std::memcpy(&word, reinterpret_cast<const void*>(p), sizeof word);
            if (word >= m_low && word < m_high) claim(word, leader);
        }
    }
}

void LeakScan::run(ScanRoots& roots, const ReadableMemory& memory) noexcept {
    if (m_count == 0) return;
    std::sort(m_blocks, m_blocks + m_count,
              [](const Block& a, const Block& b) { return a.address < b.address; });
    m_low = m_blocks[0].address;
    m_high = 0;
    for (std::size_t i = 0; i < m_count; ++i) {
        m_state[i] = Unreached;
        m_owner[i] = kNoOwner;
        // A zero-size block still has its address (a pointer to it keeps it).
        m_high =
            std::max(m_high, m_blocks[i].address + std::max<std::uint64_t>(m_blocks[i].size, 1));
    }

    // Phase 1: what the roots reach.
    for (const AddressRange& anchor : roots.anchors) {
        std::size_t i = 0;
        bool atStart = false;
        if (!find(anchor.start, i, atStart) || m_state[i] == Reachable) continue;
        m_state[i] = Reachable;
        push(static_cast<std::uint32_t>(i));
    }
    for (const AddressRange& range : roots.ranges) {
        // A root range may cross unmapped pages (a segment's tail): scan its readable parts.
        for (std::uint64_t p = range.start; p < range.end;) {
            AddressRange mapping;
            if (!memory.mappingOf(p, mapping)) {
                p = (p | 4095) + 1;
                continue;
            }
            const std::uint64_t end = std::min(range.end, mapping.end);
            scanRange(p, end, true);
            p = end;
        }
    }
    for (const AddressRange& range : roots.mapped)
        scanOutsideBlocks(range.start, range.end);
    while (m_workSize > 0) {
        const std::uint32_t index = m_work[--m_workSize];
        scanBlock(index, m_state[index] == Reachable, memory);
    }

    // Phase 2: cliques of the blocks nothing reached, in address order.
    for (std::uint32_t i = 0; i < m_count; ++i)
        if (m_state[i] == Unreached) scanClique(i, memory);
}

format::LeakKind LeakScan::kind(std::size_t i) const {
    switch (m_state[i]) {
    case Reachable:
        return format::LeakKind::StillReachable;
    case Possible:
        return format::LeakKind::PossiblyLost;
    case Indirect:
        return format::LeakKind::IndirectlyLost;
    case Unreached:
        break;
    }
    return format::LeakKind::DefinitelyLost;
}

std::uint64_t LeakScan::owner(std::size_t i) const {
    if (m_state[i] != Indirect) return 0;
    // A clique start claimed by a later clique: follow to the start that stayed definite.
    std::uint32_t o = m_owner[i];
    for (std::size_t steps = 0; steps < m_count && m_state[o] == Indirect; ++steps)
        o = m_owner[o];
    return m_blocks[o].address;
}

std::array<format::LeakTotal, format::kLeakKindCount> LeakScan::totals() const {
    std::array<format::LeakTotal, format::kLeakKindCount> totals{};
    for (std::size_t i = 0; i < m_count; ++i) {
        format::LeakTotal& t = totals[static_cast<std::size_t>(kind(i))];
        t.bytes += m_blocks[i].size;
        t.blocks += 1;
    }
    return totals;
}

} // namespace heapscope::recorder
