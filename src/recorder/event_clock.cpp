// recorder: the event clock's choice and its ticks-to-nanoseconds conversion.
#include "recorder/event_clock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace heapscope::recorder {

namespace detail {
constinit bool g_tscTicks = false;
} // namespace detail

namespace {

bool kernelClocksourceIsTsc() noexcept {
    const int fd =
        ::open("/sys/devices/system/clocksource/clocksource0/current_clocksource", O_RDONLY);
    if (fd < 0) return false;
    char name[16] = {};
    const ssize_t n = ::read(fd, name, sizeof name - 1);
    ::close(fd);
    return n >= 3 && std::strncmp(name, "tsc\n", static_cast<std::size_t>(n)) == 0;
}

} // namespace

void chooseEventClock(bool allowTsc) noexcept {
#if defined(__x86_64__)
    detail::g_tscTicks = allowTsc && kernelClocksourceIsTsc();
#else
    (void)allowTsc;
    detail::g_tscTicks = false;
#endif
}

bool eventClockIsTsc() noexcept { return detail::g_tscTicks; }

std::uint64_t TickConverter::calibrate() noexcept {
    if (!detail::g_tscTicks) return monotonicNowNs();
    // The clock read is bracketed by two TSC reads and the point's tick is their middle. Of
    // three tries the tightest bracket wins: one preempted inside would be off by half the
    // time the thread was away.
    Point point;
    std::uint64_t narrowest = ~std::uint64_t{0};
    for (int attempt = 0; attempt < 3; ++attempt) {
        const std::uint64_t before = readTsc();
        const std::uint64_t ns = monotonicNowNs();
        const std::uint64_t after = readTsc();
        if (after - before < narrowest) {
            narrowest = after - before;
            point = Point{before + (after - before) / 2, ns};
        }
    }
    if (!m_calibrated) m_first = m_latest = point;
    m_calibrated = true;
    m_previous = m_latest;
    m_latest = point;
    // Rates are worked out here, once per cycle, so a conversion is a multiplication.
    m_segmentNsPerTick = ratio(m_previous, m_latest);
    m_nsPerTick = ratio(m_first, m_latest);
    return point.ticks;
}

double TickConverter::ratio(const Point& from, const Point& to) noexcept {
    // Before any interval is measured there is no rate: a nominal 1 GHz keeps the order.
    if (to.ticks <= from.ticks) return 1.0;
    return static_cast<double>(to.ns - from.ns) / static_cast<double>(to.ticks - from.ticks);
}

std::uint64_t TickConverter::along(const Point& from, std::uint64_t ticks,
                                   double nsPerTick) noexcept {
    const double delta = ticks >= from.ticks ? static_cast<double>(ticks - from.ticks)
                                             : -static_cast<double>(from.ticks - ticks);
    const double ns = static_cast<double>(from.ns) + delta * nsPerTick;
    return ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
}

std::uint64_t TickConverter::toNs(std::uint64_t ticks) const noexcept {
    if (!detail::g_tscTicks) return ticks;
    if (m_previous.ticks <= ticks && ticks <= m_latest.ticks) {
        return m_previous.ns +
               static_cast<std::uint64_t>(static_cast<double>(ticks - m_previous.ticks) *
                                          m_segmentNsPerTick);
    }
    return along(ticks < m_previous.ticks ? m_previous : m_latest, ticks, m_nsPerTick);
}

} // namespace heapscope::recorder
