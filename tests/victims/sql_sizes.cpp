// victim `sql_sizes`: allocation sizes exact by construction, for the queryable heap.
// Ground truth (checked by tests/e2e/sql_test.cpp):
//   sql_site_small:   100 x malloc(100 + i), i = 0..99, each freed at once
//                     -> count 100, sum 14950, avg 149.5, min 100, max 199, none live at the end
//   sql_site_large:   50 x malloc(1000 + 10 * i), i = 0..49; blocks 0..39 freed, 40..49 never
//                     freed and no pointer to them kept (definitely lost)
//                     -> count 50, sum 62250, avg 1245, min 1000, max 1490;
//                        live at the end: 10 blocks, 14450 bytes (1400..1490)
//   sql_site_handoff: 1 x malloc(4242) in the main thread, freed by a second thread
//                     -> dealloc_thread differs from alloc_thread
// Each site's malloc is on the line marked "sql-site: <name>" (the e2e test looks the line up).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace {

constexpr int kSmall = 100;
constexpr int kLarge = 50;
constexpr int kLargeFreed = 40;

} // namespace

__attribute__((noinline)) void* sql_site_small(std::size_t size) {
    return std::malloc(size); // sql-site: small
}

__attribute__((noinline)) void* sql_site_large(std::size_t size) {
    return std::malloc(size); // sql-site: large
}

__attribute__((noinline)) void* sql_site_handoff(std::size_t size) {
    return std::malloc(size); // sql-site: handoff
}

// Writes through the block so the allocation is really used.
__attribute__((noinline)) void touch(void* block, std::size_t size) {
    if (block == nullptr) std::abort();
    std::memset(block, 0x5a, size);
}

int main() {
    for (int i = 0; i < kSmall; ++i) {
        const std::size_t size = 100 + static_cast<std::size_t>(i);
        void* block = sql_site_small(size);
        touch(block, size);
        std::free(block);
    }
    void* large[kLarge] = {};
    for (int i = 0; i < kLarge; ++i) {
        const std::size_t size = 1000 + 10 * static_cast<std::size_t>(i);
        large[i] = sql_site_large(size);
        touch(large[i], size);
    }
    for (int i = 0; i < kLargeFreed; ++i)
        std::free(large[i]);
    // Forget the rest: definitely lost at exit.
    std::memset(static_cast<void*>(large), 0, sizeof large);

    void* handoff = sql_site_handoff(4242);
    touch(handoff, 4242);
    std::thread freer([handoff] { std::free(handoff); });
    freer.join();

    std::puts("sql_sizes: done");
    return 0;
}
