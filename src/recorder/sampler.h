// recorder: sampling of allocations by bytes (--sample-rate), as tcmalloc and jemalloc do: each
// thread counts down the bytes to its next sample point, the gaps drawn from an exponential
// distribution of mean `rate`, so a block of s bytes is sampled with probability 1 - exp(-s/rate).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace heapscope::recorder {

// One thread's sampling state; all zero until its first allocation. No lock and no malloc.
struct SampleState {
    std::uint64_t rng = 0;       // xorshift64* state, never 0 once seeded
    std::uint64_t bytesLeft = 0; // to the next sample point
};

namespace detail {

inline std::uint64_t nextRandom(std::uint64_t& state) noexcept {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

// An exponentially distributed gap of mean rate, at least 1 byte.
inline std::uint64_t nextGap(std::uint64_t& state, std::uint64_t rate) noexcept {
    // 53 random bits as a double in (0, 1]: log() never sees 0.
    const double u = static_cast<double>((nextRandom(state) >> 11) + 1) * 0x1.0p-53;
    const double gap = -std::log(u) * static_cast<double>(rate);
    return gap < 1.0 ? 1 : static_cast<std::uint64_t>(gap);
}

} // namespace detail

// Seeds a thread's state (seed: anything that differs between threads and runs).
inline void seedSampler(SampleState& s, std::uint64_t seed, std::uint64_t rate) noexcept {
    // splitmix64 spreads a seed of few distinct bits over the whole state.
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    s.rng = z != 0 ? z : 1;
    s.bytesLeft = detail::nextGap(s.rng, rate);
}

// True when an allocation of size bytes reaches the next sample point (then the next gap is
// drawn). rate 0 samples everything. The state must be seeded when rate is not 0.
inline bool sampleBytes(SampleState& s, std::uint64_t rate, std::size_t size) noexcept {
    if (rate == 0) return true;
    if (size < s.bytesLeft) {
        s.bytesLeft -= size;
        return false;
    }
    // Memoryless: the bytes of this block past the sample point start no new count.
    s.bytesLeft = detail::nextGap(s.rng, rate);
    return true;
}

} // namespace heapscope::recorder
