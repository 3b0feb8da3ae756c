// recorder: the owner/newcomer protocol of OwnerElision, on membarrier(2).
#include "recorder/owner_elision.h"

#include <linux/membarrier.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace heapscope::recorder {
namespace {

#if defined(__SANITIZE_THREAD__)
constexpr bool kElisionPossible = false;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kElisionPossible = false;
#else
constexpr bool kElisionPossible = true;
#endif
#else
constexpr bool kElisionPossible = true;
#endif

const void* self() noexcept { return &OwnerElision::t_elisionIdentity; }

enum : int { kUntried = 0, kRegistered = 1, kUnavailable = 2 };
std::atomic<int> s_membarrier{kUntried};

long membarrier(int command) noexcept { return syscall(SYS_membarrier, command, 0U, 0); }

bool registerMembarrier() noexcept {
    int state = s_membarrier.load(std::memory_order_acquire);
    if (state == kUntried) {
        const long supported = membarrier(MEMBARRIER_CMD_QUERY);
        const bool ok = supported > 0 && (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
                        membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
        state = ok ? kRegistered : kUnavailable;
        s_membarrier.store(state, std::memory_order_release);
    }
    return state == kRegistered;
}

} // namespace

bool OwnerElision::available() noexcept { return kElisionPossible && registerMembarrier(); }

bool OwnerElision::enterSlow() noexcept {
    // The first thread claims the structure; it enters elided on its next access.
    if (m_owner.load(std::memory_order_relaxed) == nullptr && claim()) {
        return tryEnterElided();
    }
    share();
    return false;
}

bool OwnerElision::claim() noexcept {
    if (!available()) return false;
    const void* expected = nullptr;
    // A full barrier: a newcomer that saw no owner had marked the structure shared before it.
    return m_owner.compare_exchange_strong(expected, self(), std::memory_order_seq_cst);
}

void OwnerElision::share() noexcept {
    if (m_ready.load(std::memory_order_acquire)) return;
    // An exchange, a full barrier: either the owner's claim comes after it and its first access
    // sees m_shared, or the load below sees the owner.
    m_shared.exchange(true, std::memory_order_seq_cst);
    if (m_owner.load(std::memory_order_seq_cst) != nullptr) {
        // Registered, since there is an owner: the command cannot fail.
        (void)membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
        for (unsigned spins = 0; m_ownerBusy.load(std::memory_order_acquire); ++spins) {
            if (spins < 64) {
                __builtin_ia32_pause();
            } else {
                sched_yield();
            }
        }
    }
    m_ready.store(true, std::memory_order_release);
}

bool OwnerElision::callerOwns() const noexcept {
    return m_owner.load(std::memory_order_relaxed) == self();
}

void OwnerElision::afterForkInChild() noexcept {
    s_membarrier.store(kUntried, std::memory_order_relaxed);
    if (m_owner.load(std::memory_order_relaxed) != nullptr && !registerMembarrier()) {
        // The child's one thread is in no access now: sharing needs no waiting.
        m_shared.store(true, std::memory_order_relaxed);
        m_ready.store(true, std::memory_order_release);
    }
}

} // namespace heapscope::recorder
