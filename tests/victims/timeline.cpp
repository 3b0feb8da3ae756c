// victim `timeline`: a heap that rises to a 64 MiB peak between two marks and falls again.
// Ground truth (checked by tests/e2e/visual_test.cpp):
//   mark "base" at start; 8 x malloc(1 MiB) held through the run (timeline_base)
//   mark "rise"; 56 x malloc(1 MiB) more (timeline_rise): 64 MiB live, the peak; mark "fall"
//   the 56 are freed; mark "after"; 16 x malloc(1 MiB) (timeline_after), freed; the 8 freed.
//   -> the peak heap lies between the marks "rise" and "fall"; its site is timeline_rise for
//      56 MiB and timeline_base for 8 MiB; nothing is allocated before "base" or between
//      "rise"/"fall" besides these blocks (no output until the end).
// The marks are found with dlsym so the program runs with or without the recorder.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr int kBase = 8;
constexpr int kRise = 56;
constexpr int kAfter = 16;

void* g_base[kBase];
void* g_rise[kRise];
void* g_after[kAfter];

void mark(const char* name) {
    using MarkFunction = void (*)(const char*);
    static auto* function = reinterpret_cast<MarkFunction>(dlsym(RTLD_DEFAULT, "heapscope_mark"));
    if (function != nullptr) function(name);
}

// Touching every page makes the heap's rise take time, so the graph has a slope.
void* touched(void* block) {
    std::memset(block, 0x5A, kMiB);
    return block;
}

} // namespace

__attribute__((noinline)) void* timeline_base() { return touched(std::malloc(kMiB)); }
__attribute__((noinline)) void* timeline_rise() { return touched(std::malloc(kMiB)); }
__attribute__((noinline)) void* timeline_after() { return touched(std::malloc(kMiB)); }

int main() {
    mark("base");
    for (auto& block : g_base)
        block = timeline_base();
    mark("rise");
    for (auto& block : g_rise)
        block = timeline_rise();
    mark("fall");
    for (auto* block : g_rise)
        std::free(block);
    mark("after");
    for (auto& block : g_after)
        block = timeline_after();
    for (auto* block : g_after)
        std::free(block);
    for (auto* block : g_base)
        std::free(block);
    std::puts("timeline: done");
    return 0;
}
