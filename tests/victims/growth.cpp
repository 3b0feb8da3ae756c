// victim `growth`: five call sites with known live-memory shapes over the run, all freed before
// exit, so a leak scan finds nothing and only the growth analysis can tell them apart.
// Ground truth (checked by tests/e2e/leaks_test.cpp; sites found by function name). kRounds =
// 3000 rounds, each ending with a 100 us sleep so the rounds, not start-up, fill the run:
//   growth_cache_insert:    one malloc(256) a round, kept until exit: an unbounded cache.
//                           GROWING. peak 768,000 bytes (3000 x 256), 0 live at the end.
//   growth_history_append:  one 64-byte element pushed on a std::vector a round: capacity
//                           doubles (1, 2, ..., 4096 elements), the last time at round 2049.
//                           GROWING. peak 393,216 bytes (the 4096- and 2048-element buffers
//                           during the last reallocation), 0 live at the end.
//   growth_ring_push:       a ring of 64 blocks of 256 bytes: the oldest freed for each new one.
//                           not growing (flat at 16,384 bytes after round 64).
//   growth_warm_insert:     one malloc(256) a round in the first 450 rounds (15%), then none: a
//                           warm-up that levels off. not growing (flat at 115,200 bytes).
//   growth_saw_push:        malloc(256) a round, all 100 freed every 100th round: a sawtooth
//                           with equal peaks. not growing (peaks 25,600 bytes).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

constexpr int kRounds = 3000;
constexpr int kRing = 64;
constexpr int kWarmRounds = 450;
constexpr int kTooth = 100;
constexpr std::size_t kBlock = 256;

struct Entry {
    char bytes[64];
};

void* g_cache[kRounds];
void* g_ring[kRing];
void* g_warm[kWarmRounds];
void* g_saw[kTooth];
std::vector<Entry> g_history;

} // namespace

__attribute__((noinline)) void* growth_cache_insert() { return std::malloc(kBlock); }

__attribute__((noinline)) void growth_history_append() { g_history.push_back(Entry{}); }

__attribute__((noinline)) void* growth_ring_push() { return std::malloc(kBlock); }

__attribute__((noinline)) void* growth_warm_insert() { return std::malloc(kBlock); }

__attribute__((noinline)) void* growth_saw_push() { return std::malloc(kBlock); }

int main() {
    const timespec pause{0, 100'000};
    int saw = 0;
    for (int round = 0; round < kRounds; ++round) {
        g_cache[round] = growth_cache_insert();
        growth_history_append();
        void*& slot = g_ring[round % kRing];
        std::free(slot);
        slot = growth_ring_push();
        if (round < kWarmRounds) g_warm[round] = growth_warm_insert();
        g_saw[saw++] = growth_saw_push();
        if (saw == kTooth) {
            for (void* block : g_saw)
                std::free(block);
            saw = 0;
        }
        nanosleep(&pause, nullptr);
    }
    for (void* block : g_cache)
        std::free(block);
    std::vector<Entry>().swap(g_history);
    for (void* block : g_ring)
        std::free(block);
    for (void* block : g_warm)
        std::free(block);
    for (int i = 0; i < saw; ++i)
        std::free(g_saw[i]);
    std::puts("growth: done");
    return 0;
}
