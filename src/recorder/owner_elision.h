// recorder: lock elision for the one thread a structure has seen. While a single thread uses a
// lock-protected structure, it skips the locks (an atomic exchange costs as much as the rest of a
// live-table update); the first other thread to come makes every later access lock, after waiting
// for the owner's access in flight. glibc's pthread_mutex_lock skips its atomics the same way in a
// single-threaded process, but the recorder's own threads defeat that check.
//
// The owner announces an access with plain stores; the newcomer reads them after
// membarrier(PRIVATE_EXPEDITED), which makes every running thread of the process execute a full
// barrier: the owner then either is seen busy, or sees the structure shared and locks. Without
// membarrier (old kernel, seccomp) or under ThreadSanitizer (which cannot see that ordering),
// nothing is elided.
#pragma once

#include <atomic>

#include "recorder/spinlock.h"

namespace heapscope::recorder {

class OwnerElision {
public:
    constexpr OwnerElision() = default;

    // True when the calling thread may access without locks (it then calls leaveElided()
    // after); the first caller becomes the owner. Any other caller shares the structure.
    bool tryEnterElided() noexcept {
        if (m_ready.load(std::memory_order_acquire)) return false;
        if (m_owner.load(std::memory_order_relaxed) != &t_elisionIdentity) return enterSlow();
        m_ownerBusy.store(true, std::memory_order_relaxed);
        // Only the compiler is fenced: a newcomer's membarrier orders the CPU (see above).
        std::atomic_signal_fence(std::memory_order_seq_cst);
        if (!m_shared.load(std::memory_order_relaxed)) return true;
        m_ownerBusy.store(false, std::memory_order_release);
        return false;
    }
    void leaveElided() noexcept {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        m_ownerBusy.store(false, std::memory_order_release);
    }
    // Makes every later access take locks, once the owner's access in flight is over. Not to be
    // called by the owner during an elided access.
    void share() noexcept;
    // Whether the calling thread is the owner (and so shares nothing by accessing).
    bool callerOwns() const noexcept;
    bool shared() const noexcept { return m_ready.load(std::memory_order_acquire); }
    // Whether anything can be elided in this process: membarrier is there, and no
    // ThreadSanitizer is watching.
    static bool available() noexcept;
    // In a fork child, whose one thread is the forking thread: re-registers for membarrier in the
    // new process, or shares if it cannot.
    void afterForkInChild() noexcept;

    // A live thread's identity: the address of its copy of this thread-local (initial-exec TLS:
    // one instruction, never an allocation). A thread reusing a dead thread's TLS block inherits
    // its ownership, harmlessly: the dead one accesses nothing.
    static inline constinit thread_local char t_elisionIdentity = 0;

private:
    bool enterSlow() noexcept; // not the owner (yet)
    bool claim() noexcept;

    std::atomic<bool> m_shared{false};    // a second thread came: the owner stops eliding
    std::atomic<bool> m_ready{false};     // and the owner's last elided access is over
    std::atomic<bool> m_ownerBusy{false}; // the owner is inside an elided access
    std::atomic<const void*> m_owner{nullptr};
};

// Holds lock unless the access is elided.
class ElidableLockGuard {
public:
    ElidableLockGuard(OwnerElision& elision, Spinlock& lock) noexcept
        : m_elision(elision), m_lock(lock), m_elided(elision.tryEnterElided()) {
        if (!m_elided) m_lock.lock();
    }
    ~ElidableLockGuard() {
        if (m_elided) {
            m_elision.leaveElided();
        } else {
            m_lock.unlock();
        }
    }
    ElidableLockGuard(const ElidableLockGuard&) = delete;
    ElidableLockGuard& operator=(const ElidableLockGuard&) = delete;

private:
    OwnerElision& m_elision;
    Spinlock& m_lock;
    bool m_elided;
};

} // namespace heapscope::recorder
