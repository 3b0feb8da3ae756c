// victim `leak_on_demand`: heapscope_leak_check() called twice in a running program while
// another thread holds a block on its stack. The API is looked up with dlsym, so the victim
// also runs without heapscope (it then prints "inactive").
// Ground truth (checked by tests/e2e/leak_scan_test.cpp):
//   first check:  2 x malloc(100) lost                 -> definitely lost 200 B in 2 blocks
//   second check: plus malloc(50) lost                 -> definitely lost 250 B in 3 blocks
//   in both, the worker's malloc(300), held only on its stack, is not lost. Each check prints
//   "check definitely_lost=B/N possibly_lost=B/N" on stdout (with write, no stdio buffer).
//   At exit the same 250 B in 3 blocks are definitely lost. The worker is not joined: glibc
//   caches a joined thread's stack, and the thread's TLS vector with it, where no root
//   points (memcheck frees that cache before its scan; see bench/RESULTS.md, leak scan).
// Each lost block is followed by a stack scrub: the scan is conservative, and the dead frames
// of victim_lose lie where check()'s frames later are.
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "heapscope/heapscope.h"

namespace {

std::atomic<int> g_state{0}; // 1: the worker holds its block; 2: it may free it
void* volatile g_sink = nullptr;

void* worker(void*) {
    void* volatile held = std::malloc(300);
    g_state.store(1);
    while (g_state.load() != 2)
        usleep(1000);
    std::free(held);
    for (;;)
        pause();
}

__attribute__((noinline)) void victim_lose(std::size_t size) {
    g_sink = std::malloc(size);
    g_sink = nullptr;
}

__attribute__((noinline)) void scrubStack() {
    volatile char scratch[8192];
    for (auto& c : scratch)
        c = 0;
}

void check() {
    using CheckFn = int (*)(heapscope_leak_totals*);
    auto fn = reinterpret_cast<CheckFn>(dlsym(RTLD_DEFAULT, "heapscope_leak_check"));
    heapscope_leak_totals totals{};
    char line[160];
    int n = 0;
    if (fn == nullptr || fn(&totals) != 0) {
        n = std::snprintf(line, sizeof line, "inactive\n");
    } else {
        n = std::snprintf(line, sizeof line,
                          "check definitely_lost=%llu/%llu possibly_lost=%llu/%llu\n",
                          static_cast<unsigned long long>(totals.definitely_lost_bytes),
                          static_cast<unsigned long long>(totals.definitely_lost_blocks),
                          static_cast<unsigned long long>(totals.possibly_lost_bytes),
                          static_cast<unsigned long long>(totals.possibly_lost_blocks));
    }
    if (write(1, line, static_cast<std::size_t>(n)) < 0) std::abort();
}

} // namespace

int main() {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, &worker, nullptr) != 0) return 3;
    while (g_state.load() != 1)
        usleep(1000);
    victim_lose(100);
    victim_lose(100);
    scrubStack();
    check();
    victim_lose(50);
    scrubStack();
    check();
    g_state.store(2);
    return 0;
}
