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

    // Frame i goes into lane i % 4, and the lanes are mixed together at the end: four short
    // chains of multiplications overlap where one long chain would wait on each in turn. Four
    // named lanes, not an array: an array invites the vectoriser, and x86-64 has no 64-bit
    // vector multiply below AVX-512, so its emulation was slower than the scalar chains.
    static std::uint64_t hashFrames(const std::uintptr_t* frames, std::size_t depth) noexcept {
        std::uint64_t a = depth * 0xC2B2AE3D27D4EB4Full;
        std::uint64_t b = 0x165667B19E3779F9ull;
        std::uint64_t c = 0x27D4EB2F165667C5ull;
        std::uint64_t d = 0x85EBCA77C2B2AE63ull;
        std::size_t i = 0;
        for (; i + 4 <= depth; i += 4) {
            a = mix(a, frames[i]);
            b = mix(b, frames[i + 1]);
            c = mix(c, frames[i + 2]);
            d = mix(d, frames[i + 3]);
        }
        if (i < depth) a = mix(a, frames[i++]);
        if (i < depth) b = mix(b, frames[i++]);
        if (i < depth) c = mix(c, frames[i]);
        return mix(mix(mix(a, b), c), d);
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
    static std::uint64_t mix(std::uint64_t h, std::uint64_t value) noexcept {
        h = (h ^ value) * 0x9E3779B97F4A7C15ull;
        return h ^ (h >> 29);
    }

    struct Entry {
        std::uint64_t hash;
        std::uintptr_t innermost;
        std::uint32_t depth;
        StackId id;
    };
    Entry m_entries[kEntries]; // lives in mmap'ed per-thread memory, zero-filled
};

} // namespace heapscope::recorder
