// recorder: the clock hooks stamp events with, and its conversion to the trace's monotonic
// nanoseconds on the writer thread. Where the kernel itself keeps time with the TSC, a hook
// reads the TSC (9 ns here) instead of calling clock_gettime (22 ns, a few percent of a fully
// recorded sqlite3 run); the writer maps ticks to nanoseconds between calibration points.
#pragma once

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "common/clock.h"

namespace heapscope::recorder {

namespace detail {
extern bool g_tscTicks; // set once by chooseEventClock(), before any event
} // namespace detail

// Uses the TSC when the kernel's clocksource is "tsc": the kernel checked that it runs at a
// constant rate and in step on every CPU. Anything else (or false) keeps clock_gettime, whose
// ticks are nanoseconds already.
void chooseEventClock(bool allowTsc) noexcept;
bool eventClockIsTsc() noexcept;

inline std::uint64_t readTsc() noexcept {
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0; // never read: chooseEventClock() keeps clock_gettime elsewhere
#endif
}

inline std::uint64_t eventTicks() noexcept {
    return detail::g_tscTicks ? readTsc() : monotonicNowNs();
}

// Ticks to CLOCK_MONOTONIC nanoseconds. Between the two latest calibration points the map is
// linear and passes through both, so the times of consecutive cycles join without a step;
// outside them it follows the rate measured since the first point.
class TickConverter {
public:
    // Takes a calibration point and returns its ticks.
    std::uint64_t calibrate() noexcept;
    std::uint64_t toNs(std::uint64_t ticks) const noexcept;

private:
    struct Point {
        std::uint64_t ticks = 0;
        std::uint64_t ns = 0;
    };
    static double ratio(const Point& from, const Point& to) noexcept; // ns per tick
    static std::uint64_t along(const Point& from, std::uint64_t ticks, double nsPerTick) noexcept;

    bool m_calibrated = false;
    Point m_first;
    Point m_previous;
    Point m_latest;
    double m_segmentNsPerTick = 1.0; // from m_previous to m_latest
    double m_nsPerTick = 1.0;        // from m_first to m_latest
};

} // namespace heapscope::recorder
