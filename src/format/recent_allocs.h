// format: the writer's memory of the current frame's Alloc records by address, so that a Free of
// one of them is written as how many Allocs back it was (a FreeRecent record) instead of as an
// address: most blocks die young, and a small distance compresses far better than an address.
#pragma once

#include <cstdint>
#include <vector>

namespace heapscope::format {

class RecentAllocs {
public:
    // Direct-mapped and lossy: an Alloc overwrites whatever shared its slot, and a Free that
    // misses is written with its address. On bench_w1 (frames of ~30 k Allocs, ~10 k live
    // blocks) 256 Ki slots (4 MiB, taken at the first Alloc) left 33 % of Frees with their
    // address against 39 % with 64 Ki slots, for the same recorder CPU time; the rest are
    // blocks allocated in an earlier frame.
    static constexpr std::uint32_t kSlotBits = 18;

    // Forgets every Alloc: the next frame starts with none.
    void newFrame() {
        m_allocs = 0;
        if (++m_frame == 0) { // wrapped: slots of a frame 2^32 frames ago must not match
            m_slots.assign(m_slots.size(), Slot{});
            m_frame = 1;
        }
    }

    // An Alloc record of the current frame at address.
    void noteAlloc(std::uint64_t address) {
        if (m_slots.empty()) m_slots.resize(std::size_t{1} << kSlotBits);
        m_slots[slotOf(address)] = Slot{address, ++m_allocs, m_frame};
    }

    // How many Alloc records back (1: the frame's latest) the current frame's latest Alloc at
    // address was, or 0 when it is not known.
    std::uint32_t distanceTo(std::uint64_t address) const {
        if (m_slots.empty()) return 0;
        const Slot& s = m_slots[slotOf(address)];
        return s.address == address && s.frame == m_frame ? m_allocs - s.ordinal + 1 : 0;
    }

private:
    struct Slot {
        std::uint64_t address = 0;
        std::uint32_t ordinal = 0; // 1 for the frame's first Alloc
        std::uint32_t frame = 0;   // 0 never matches: frames count from 1
    };

    static std::size_t slotOf(std::uint64_t address) {
        // Blocks are 16-byte aligned; the multiply spreads the remaining bits over the top.
        return static_cast<std::size_t>(((address >> 4) * 0x9E3779B97F4A7C15ull) >>
                                        (64 - kSlotBits));
    }

    std::vector<Slot> m_slots;
    std::uint32_t m_allocs = 0;
    std::uint32_t m_frame = 1;
};

} // namespace heapscope::format
