// recorder: the per-thread front of stack interning: a direct-mapped cache from a hash of a
// stack's return addresses to its StackId, so a repeated stack costs a hash and no lock.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/ids.h"

namespace heapscope::recorder {

class StackCache {
public:
    static constexpr std::size_t kEntries = 4096;

    static std::uint64_t hashFrames(const std::uintptr_t* frames, std::size_t depth) noexcept {
        std::uint64_t h = depth * 0xC2B2AE3D27D4EB4Full;
        for (std::size_t i = 0; i < depth; ++i) {
            h = (h ^ frames[i]) * 0x9E3779B97F4A7C15ull;
            h ^= h >> 29;
        }
        return h;
    }

    // A hit must match the 64-bit hash, the depth and the innermost address, which makes a
    // false hit practically impossible; returns StackId 0 on a miss.
    StackId find(std::uint64_t hash, std::size_t depth, std::uintptr_t innermost) const noexcept {
        const Entry& e = m_entries[hash % kEntries];
        if (e.hash == hash && e.depth == depth && e.innermost == innermost) return e.id;
        return StackId{};
    }

    void store(std::uint64_t hash, std::size_t depth, std::uintptr_t innermost,
               StackId id) noexcept {
        m_entries[hash % kEntries] = Entry{hash, innermost, static_cast<std::uint32_t>(depth), id};
    }

private:
    struct Entry {
        std::uint64_t hash;
        std::uintptr_t innermost;
        std::uint32_t depth;
        StackId id;
    };
    Entry m_entries[kEntries]; // lives in mmap'ed per-thread memory, zero-filled
};

} // namespace heapscope::recorder
