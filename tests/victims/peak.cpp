// victim `peak`: a heap peak of known size at a known site.
// Ground truth (checked by tests/e2e/peak_test.cpp):
//   peak_site_first:  64 x malloc(1 MiB), all live together, then all freed
//                     -> 64 allocations, 64 MiB allocated, peak_bytes exactly 64 MiB
//   peak_site_second: 32 x malloc(1 MiB) after that, then all freed
//                     -> 32 allocations, 32 MiB allocated, peak_bytes 0 (the global peak is
//                        during the first phase)
//   summary: peak_heap_bytes >= 64 MiB and equal to the sum of every site's peak_bytes.
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr int kFirstBlocks = 64;
constexpr int kSecondBlocks = 32;

void* g_blocks[kFirstBlocks];

} // namespace

__attribute__((noinline)) void* peak_site_first() { return std::malloc(kMiB); }

__attribute__((noinline)) void* peak_site_second() { return std::malloc(kMiB); }

// Touch every block so the pages are really used, as a real program would.
__attribute__((noinline)) void fillAndFree(int count, void* (*allocate)()) {
    for (int i = 0; i < count; ++i) {
        g_blocks[i] = allocate();
        std::memset(g_blocks[i], i, kMiB);
    }
    for (int i = 0; i < count; ++i) {
        std::free(g_blocks[i]);
    }
}

int main() {
    fillAndFree(kFirstBlocks, peak_site_first);
    fillAndFree(kSecondBlocks, peak_site_second);
    std::puts("peak: done");
    return 0;
}
