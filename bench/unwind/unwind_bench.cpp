// bench/unwind: measures ns per captured stack at ~20 frames for libunwind unw_backtrace
// (with and without per-thread caching), glibc backtrace() (libgcc's DWARF unwinder), the
// recorder's walk over cached .eh_frame rules and a frame-pointer walk, and checks each against
// libunwind's frames.
#define UNW_LOCAL_ONLY
#include <execinfo.h>
#include <libunwind.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "recorder/unwind_walk.h"

namespace {

constexpr int kDepth = 20;
constexpr int kMaxFrames = 64;
constexpr int kIterations = 100000;
constexpr int kRounds = 7;

using Method = int (*)(void** out, int max);

int viaLibunwind(void** out, int max) { return unw_backtrace(out, max); }

int viaGlibc(void** out, int max) { return backtrace(out, max); }

// The recorder's fast path; -1 (the stack needs libunwind) would show as a frame count of -1.
int viaFrameRules(void** out, int max) {
    return heapscope::recorder::walkStack(reinterpret_cast<std::uintptr_t*>(out),
                                          static_cast<std::size_t>(max));
}

// Follows saved frame pointers; correct only while every frame keeps one, which Debian's
// libraries (built without frame pointers) do not.
__attribute__((noinline)) int viaFramePointers(void** out, int max) {
    auto* fp = static_cast<void**>(__builtin_frame_address(0));
    int n = 0;
    while (fp != nullptr && n < max) {
        void* ret = fp[1];
        if (ret == nullptr) break;
        out[n++] = ret;
        auto* next = static_cast<void**>(fp[0]);
        if (next <= fp) break;
        fp = next;
    }
    return n;
}

struct Result {
    void* frames[kMaxFrames];
    int count;
};

__attribute__((noinline)) void descend(int level, Method method, Result& result) {
    if (level == 0) {
        result.count = method(result.frames, kMaxFrames);
        return;
    }
    descend(level - 1, method, result);
    asm volatile("" ::: "memory"); // keeps the recursion from becoming a tail call
}

// The best of several rounds: on a shared machine the minimum is the least disturbed figure.
double nsPerStack(Method method, int& frames) {
    Result result{};
    descend(kDepth, method, result); // warm caches and lazy initialisation
    double best = 0;
    for (int round = 0; round < kRounds; ++round) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kIterations; ++i)
            descend(kDepth, method, result);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        const double ns =
            static_cast<double>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) /
            kIterations;
        if (round == 0 || ns < best) best = ns;
    }
    frames = result.count;
    return best;
}

// Counts the frames of `test` (after its own innermost method frame) that match the reference.
int matchingFrames(Method test, const Result& reference) {
    Result result{};
    descend(kDepth, test, result);
    int matched = 0;
    // Both arrays start inside the method wrappers; align them on the first descend() frame.
    for (int i = 0; i < result.count; ++i) {
        for (int j = 0; j < reference.count; ++j) {
            if (result.frames[i] != reference.frames[j]) continue;
            while (i + matched < result.count && j + matched < reference.count &&
                   result.frames[i + matched] == reference.frames[j + matched]) {
                ++matched;
            }
            return matched;
        }
    }
    return 0;
}

} // namespace

int main() {
    Result reference{};
    descend(kDepth, viaLibunwind, reference);

    struct Entry {
        const char* name;
        Method method;
        bool cached;
    } entries[] = {
        {"libunwind unw_backtrace, no cache", viaLibunwind, false},
        {"libunwind unw_backtrace, per-thread cache", viaLibunwind, true},
        {"glibc backtrace (libgcc unwinder)", viaGlibc, true},
        {"cached .eh_frame rules (recorder walk)", viaFrameRules, true},
        {"frame-pointer walk", viaFramePointers, true},
    };
    std::printf("%-45s %12s %8s %10s\n", "method", "ns/stack", "frames", "matching");
    for (const Entry& e : entries) {
        unw_set_caching_policy(unw_local_addr_space,
                               e.cached ? UNW_CACHE_PER_THREAD : UNW_CACHE_NONE);
        int frames = 0;
        const double ns = nsPerStack(e.method, frames);
        std::printf("%-45s %12.1f %8d %10d\n", e.name, ns, frames,
                    matchingFrames(e.method, reference));
    }
    return EXIT_SUCCESS;
}
