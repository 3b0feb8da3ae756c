// recorder: a test-and-test-and-set spinlock for the short critical sections of the hot path
// (a thread's buffer, a live-table shard). It never allocates and is safe to take in a hook.
#pragma once

#include <sched.h>

#include <atomic>

namespace heapscope::recorder {

class Spinlock {
public:
    constexpr Spinlock() = default;

    void lock() noexcept {
        for (unsigned spins = 0; m_locked.exchange(true, std::memory_order_acquire);) {
            while (m_locked.load(std::memory_order_relaxed)) {
                // Critical sections are a few dozen instructions; after a short spin the holder
                // was probably preempted, so give it the CPU.
                if (++spins < 64) {
                    __builtin_ia32_pause();
                } else {
                    sched_yield();
                }
            }
        }
    }

    bool try_lock() noexcept { return !m_locked.exchange(true, std::memory_order_acquire); }
    void unlock() noexcept { m_locked.store(false, std::memory_order_release); }

private:
    std::atomic<bool> m_locked{false};
};

} // namespace heapscope::recorder
