// format: the latest freed addresses of the current frame, kept alike by the writer and the
// decoder, so that an Alloc handed one of them again (allocators reuse a freed block first) is
// written as its rank here (an AllocReuse record) instead of as an address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace heapscope::format {

class RecentFrees {
public:
    // With 64, 69 % of bench_w1's Allocs, 86 % of bench_w2's and 99 % of the W3 sqlite
    // workload's are written as AllocReuse; an offline re-encoding of bench traces with 32
    // instead took 7 % more bytes on bench_w1 and 1 % more on bench_w2.
    static constexpr std::uint32_t kCapacity = 64;

    std::uint32_t size() const { return m_size; }

    void clear() {
        m_begin = 0;
        m_size = 0;
    }

    // A Free of address: it becomes rank 1; past kCapacity the oldest is dropped.
    void noteFree(std::uint64_t address) {
        if (m_size == kCapacity) {
            ++m_begin;
            --m_size;
        }
        if (m_begin + m_size == kSlots) {
            std::memmove(m_slots, m_slots + m_begin, m_size * sizeof m_slots[0]);
            m_begin = 0;
        }
        m_slots[m_begin + m_size++] = address;
    }

    // The rank of address (1: the latest free), or 0 when it is not here.
    std::uint32_t rankOf(std::uint64_t address) const {
        const std::uint64_t* newest = m_slots + m_begin + m_size - 1;
        for (std::uint32_t rank = 1; rank <= m_size; ++rank)
            if (newest[1 - static_cast<std::ptrdiff_t>(rank)] == address) return rank;
        return 0;
    }

    // Removes and returns the address of rank (1 to size()): it was handed out again. The
    // shorter side of the window closes the gap.
    std::uint64_t take(std::uint32_t rank) {
        const std::uint32_t index = m_begin + m_size - rank;
        const std::uint64_t address = m_slots[index];
        const std::uint32_t older = index - m_begin;
        if (rank - 1 <= older) {
            std::memmove(m_slots + index, m_slots + index + 1, (rank - 1) * sizeof m_slots[0]);
        } else {
            std::memmove(m_slots + m_begin + 1, m_slots + m_begin, older * sizeof m_slots[0]);
            ++m_begin;
        }
        --m_size;
        return address;
    }

private:
    // The window [m_begin, m_begin + m_size) runs oldest to newest and slides right; twice
    // the capacity means it is moved back to the start only once per kCapacity frees. A ring
    // instead made take() shift element by element: 11 % of `summary`'s CPU on a bench_w1
    // trace.
    static constexpr std::uint32_t kSlots = 2 * kCapacity;

    std::uint64_t m_slots[kSlots] = {};
    std::uint32_t m_begin = 0;
    std::uint32_t m_size = 0;
};

} // namespace heapscope::format
