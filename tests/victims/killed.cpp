// victim `killed`: allocates forever; prints "ready <pid>" after about a second so that a test
// can SIGKILL it. Ground truth (checked by tests/e2e/killed_test.cpp): the trace of the killed
// program is readable, marked truncated, with allocations > 0.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace {

constexpr int kRing = 1024;
// A stray copy ends itself after this long instead of running forever.
constexpr auto kGiveUp = std::chrono::minutes(10);

void* g_ring[kRing];

} // namespace

__attribute__((noinline)) void* killed_site(std::size_t size) { return std::malloc(size); }

int main() {
    const auto start = std::chrono::steady_clock::now();
    bool announced = false;
    for (unsigned long i = 0;; ++i) {
        void*& slot = g_ring[i % kRing];
        std::free(slot);
        slot = killed_site(16 + i % 512);
        if (i % 4096 != 0) {
            continue;
        }
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (!announced && elapsed >= std::chrono::seconds(1)) {
            std::printf("ready %d\n", static_cast<int>(getpid()));
            std::fflush(stdout);
            announced = true;
        }
        if (elapsed >= kGiveUp) {
            return 99;
        }
        usleep(100);
    }
}
