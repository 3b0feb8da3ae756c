// common: the one clock every timestamp in heapscope comes from.
#pragma once

#include <cstdint>
#include <ctime>

namespace heapscope {

// CLOCK_MONOTONIC is consistent across CPUs, so timestamps taken on different threads order
// causally related events (an alloc on one thread, its free on another) correctly.
inline std::uint64_t monotonicNowNs() noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

inline std::uint64_t realtimeNowNs() noexcept {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

} // namespace heapscope
