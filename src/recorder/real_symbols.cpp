// recorder: dlsym(RTLD_NEXT) resolution of the real functions and the bootstrap arena.
#include "recorder/real_symbols.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdint>

#include "recorder/log.h"

namespace heapscope::recorder {
namespace {

// dlsym allocates a few hundred bytes (its error buffer); a little more covers other early
// callers such as libraries whose constructors run before ours.
constexpr std::size_t kArenaBytes = 64 * 1024;
constexpr std::size_t kHeaderBytes = 16; // the block's size, kept just before it

alignas(64) unsigned char s_arena[kArenaBytes];
std::atomic<std::size_t> s_arenaUsed{0};

RealFunctions s_real;
std::atomic<int> s_resolveState{0}; // 0: not started, 1: resolving, 2: ready

template <typename Fn>
void resolve(Fn& slot, const char* name) noexcept {
    slot = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

void resolveAll() noexcept {
    resolve(s_real.malloc, "malloc");
    resolve(s_real.free, "free");
    resolve(s_real.calloc, "calloc");
    resolve(s_real.realloc, "realloc");
    resolve(s_real.posix_memalign, "posix_memalign");
    resolve(s_real.aligned_alloc, "aligned_alloc");
    resolve(s_real.memalign, "memalign");
    resolve(s_real.valloc, "valloc");
    resolve(s_real.pvalloc, "pvalloc");
    resolve(s_real.malloc_usable_size, "malloc_usable_size");
    resolve(s_real.dlclose, "dlclose");
}

} // namespace

const RealFunctions* realFunctions() noexcept {
    if (s_resolveState.load(std::memory_order_acquire) == 2) return &s_real;
    int expected = 0;
    if (!s_resolveState.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
        // Another call is resolving: this one may be dlsym's own allocation on the same
        // thread, so it must not wait.
        return nullptr;
    }
    resolveAll();
    if (s_real.malloc == nullptr || s_real.free == nullptr) {
        logLine("cannot find the real malloc");
        // Without a real allocator only the arena is left; keep answering from it.
        s_resolveState.store(0, std::memory_order_release);
        return nullptr;
    }
    s_resolveState.store(2, std::memory_order_release);
    return &s_real;
}

void* bootstrapAllocate(std::size_t size, std::size_t alignment) noexcept {
    if (alignment < kHeaderBytes) alignment = kHeaderBytes;
    std::size_t used = s_arenaUsed.load(std::memory_order_relaxed);
    for (;;) {
        const std::size_t start = (used + kHeaderBytes + alignment - 1) / alignment * alignment;
        const std::size_t end = start + size;
        if (end > kArenaBytes || end < start) return nullptr;
        if (s_arenaUsed.compare_exchange_weak(used, end, std::memory_order_relaxed)) {
            *reinterpret_cast<std::size_t*>(s_arena + start - sizeof(std::size_t)) = size;
            return s_arena + start;
        }
    }
}

bool isBootstrap(const void* p) noexcept {
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    const auto base = reinterpret_cast<std::uintptr_t>(s_arena);
    return a >= base && a < base + kArenaBytes;
}

std::size_t bootstrapSize(const void* p) noexcept {
    return *reinterpret_cast<const std::size_t*>(static_cast<const unsigned char*>(p) -
                                                 sizeof(std::size_t));
}

} // namespace heapscope::recorder
