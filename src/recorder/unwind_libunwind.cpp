// recorder: the libunwind backend (unw_backtrace with per-thread caching of unwind info),
// chosen by measurement in bench/unwind: the fastest method that is correct without frame
// pointers.
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "recorder/unwind.h"

namespace heapscope::recorder {
namespace {

std::uintptr_t s_selfStart = 0;
std::uintptr_t s_selfEnd = 0;

} // namespace

void unwindInit(std::uintptr_t selfStart, std::uintptr_t selfEnd) noexcept {
    s_selfStart = selfStart;
    s_selfEnd = selfEnd;
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

StackView unwindStack(std::uintptr_t* scratch, std::size_t maxDepth) noexcept {
    const int n =
        unw_backtrace(reinterpret_cast<void**>(scratch), static_cast<int>(maxDepth + kUnwindSlack));
    std::size_t first = 0;
    const std::size_t total = n > 0 ? static_cast<std::size_t>(n) : 0;
    while (first < total && scratch[first] >= s_selfStart && scratch[first] < s_selfEnd) ++first;
    const std::size_t depth = total - first;
    return StackView{scratch + first, depth < maxDepth ? depth : maxDepth};
}

} // namespace heapscope::recorder
