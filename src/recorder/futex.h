// recorder: thin futex wrappers for the few places a thread must sleep until another one acts
// (the writer waiting for work, a thread waiting for its full buffer to be swapped).
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

namespace heapscope::recorder {

// Sleeps while *word == expected, at most timeoutNs (< 1 s); spurious returns are possible.
inline void futexWait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                      long timeoutNs) noexcept {
    timespec timeout{0, timeoutNs};
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected,
              &timeout, nullptr, 0);
}

inline void futexWakeAll(std::atomic<std::uint32_t>& word) noexcept {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX,
              nullptr, nullptr, 0);
}

} // namespace heapscope::recorder
