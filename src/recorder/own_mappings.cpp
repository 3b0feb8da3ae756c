// recorder: the own-mappings registry: a fixed table of slots in the library's .bss (which the
// leak scan never reads), each claimed with a compare-and-swap.
#include "recorder/own_mappings.h"

#include <algorithm>
#include <atomic>

namespace heapscope::recorder {
namespace {

// Far beyond what the recorder maps (a table per live-table shard, the trie's chunks, a buffer
// per thread, the scan's arrays); past it the registry says Unknown.
constexpr std::size_t kSlots = 1u << 16;
constexpr std::uint64_t kFree = 0;
constexpr std::uint64_t kClaimed = 1; // being filled in: no mapping starts at address 1

struct Slot {
    std::atomic<std::uint64_t> start{kFree};
    std::atomic<std::uint64_t> end{0};
};

Slot s_slots[kSlots];
std::atomic<std::size_t> s_used{0}; // slots at or past it were never used
std::atomic<bool> s_overflowed{false};

bool tryClaim(Slot& slot) noexcept {
    if (slot.start.load(std::memory_order_relaxed) != kFree) return false;
    std::uint64_t expected = kFree;
    return slot.start.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel);
}

} // namespace

void noteOwnMapping(const void* start, std::size_t bytes) noexcept {
    if (start == nullptr) return;
    const auto address = reinterpret_cast<std::uint64_t>(start);
    for (;;) {
        // A slot freed earlier, else a new one (which a reuser may take first: then again).
        const std::size_t used = std::min(s_used.load(std::memory_order_acquire), kSlots);
        std::size_t i = 0;
        while (i < used && !tryClaim(s_slots[i]))
            ++i;
        if (i == used) {
            i = s_used.fetch_add(1, std::memory_order_acq_rel);
            if (i >= kSlots) {
                s_overflowed.store(true, std::memory_order_release);
                return;
            }
            if (!tryClaim(s_slots[i])) continue;
        }
        s_slots[i].end.store(address + bytes, std::memory_order_relaxed);
        s_slots[i].start.store(address, std::memory_order_release);
        return;
    }
}

void forgetOwnMapping(const void* start) noexcept {
    const auto address = reinterpret_cast<std::uint64_t>(start);
    const std::size_t used = std::min(s_used.load(std::memory_order_acquire), kSlots);
    for (std::size_t i = 0; i < used; ++i) {
        std::uint64_t expected = address;
        if (s_slots[i].start.compare_exchange_strong(expected, kClaimed,
                                                     std::memory_order_acq_rel)) {
            s_slots[i].end.store(0, std::memory_order_relaxed);
            s_slots[i].start.store(kFree, std::memory_order_release);
            return;
        }
    }
}

OwnMappingAnswer overlapsOwnMapping(std::uint64_t start, std::uint64_t end) noexcept {
    if (s_overflowed.load(std::memory_order_acquire)) return OwnMappingAnswer::Unknown;
    const std::size_t used = std::min(s_used.load(std::memory_order_acquire), kSlots);
    bool unknown = false;
    for (std::size_t i = 0; i < used; ++i) {
        const std::uint64_t s = s_slots[i].start.load(std::memory_order_acquire);
        if (s == kFree) continue;
        if (s == kClaimed) {
            unknown = true;
            continue;
        }
        if (s < end && start < s_slots[i].end.load(std::memory_order_relaxed))
            return OwnMappingAnswer::Yes;
    }
    return unknown ? OwnMappingAnswer::Unknown : OwnMappingAnswer::No;
}

} // namespace heapscope::recorder
