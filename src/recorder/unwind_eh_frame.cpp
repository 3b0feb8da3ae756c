// recorder: the unwinder: the fast walk over cached frame rules (unwind_walk.h), with libunwind
// (unw_backtrace, per-thread caching) for every stack the walk cannot vouch for, so correctness
// never rests on the walk. Built with HEAPSCOPE_UNWIND_WALK=0, libunwind does every stack.
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "recorder/unwind.h"
#include "recorder/unwind_walk.h"

#ifndef HEAPSCOPE_UNWIND_WALK
#define HEAPSCOPE_UNWIND_WALK 1
#endif

namespace heapscope::recorder {
namespace {

constexpr bool kWalk = HEAPSCOPE_UNWIND_WALK != 0;

std::uintptr_t s_selfStart = 0;
std::uintptr_t s_selfEnd = 0;

} // namespace

void unwindInit(std::uintptr_t selfStart, std::uintptr_t selfEnd) noexcept {
    s_selfStart = selfStart;
    s_selfEnd = selfEnd;
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

StackView unwindStack(std::uintptr_t* scratch, std::size_t maxDepth,
                      const void* entryFrame) noexcept {
    const std::size_t capacity = maxDepth + kUnwindSlack;
    int n = kWalk ? walkStackFrom(entryFrame, scratch, capacity) : -1;
    if (n < 0) n = unw_backtrace(reinterpret_cast<void**>(scratch), static_cast<int>(capacity));
    return programFrames(scratch, n > 0 ? static_cast<std::size_t>(n) : 0, maxDepth, s_selfStart,
                         s_selfEnd);
}

void unwindModulesChanged() noexcept {
    if (kWalk) dropFrameRules();
    unw_flush_cache(unw_local_addr_space, 0, 0);
}

} // namespace heapscope::recorder
