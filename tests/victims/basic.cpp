// victim `basic`: four allocation sites with exact, known totals.
// Ground truth (checked by tests/e2e/basic_test.cpp; sites found by function name):
//   victim_site_a: 1000 x malloc(100)        -> 1000 allocations, 100000 bytes, all freed
//   victim_site_b:  500 x new char[200]      ->  500 allocations, 100000 bytes, 100 blocks
//                                                 (20000 bytes) leaked, definitely lost
//   victim_site_c:   10 x calloc(3, 1000)    ->   10 allocations,  30000 bytes, all leaked
//   victim_site_d:   20 x realloc growth chain, sizes 64, 128, ..., 1280 (each realloc returns a
//                    block)                  ->   20 allocations,  13440 bytes, final block freed
#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kCountA = 1000;
constexpr int kCountB = 500;
constexpr int kLeakedB = 100;
constexpr int kCountC = 10;
constexpr int kStepsD = 20;

void* g_blocksA[kCountA];
char* g_blocksB[kCountB];
void* g_blocksC[kCountC];

} // namespace

__attribute__((noinline)) void* victim_site_a() { return std::malloc(100); }

__attribute__((noinline)) char* victim_site_b() { return new char[200]; }

__attribute__((noinline)) void* victim_site_c() { return std::calloc(3, 1000); }

__attribute__((noinline)) void* victim_site_d(void* block, std::size_t size) {
    return std::realloc(block, size);
}

int main() {
    for (auto& block : g_blocksA) {
        block = victim_site_a();
    }
    // Freed pointers are cleared: glibc hands their memory out again at once, and a dangling
    // pointer into a later block would make a conservative scan call that block reachable.
    for (auto& block : g_blocksA) {
        std::free(block);
        block = nullptr;
    }

    for (auto& block : g_blocksB) {
        block = victim_site_b();
    }
    for (int i = kLeakedB; i < kCountB; ++i) {
        delete[] g_blocksB[i];
        g_blocksB[i] = nullptr;
    }

    for (auto& block : g_blocksC) {
        block = victim_site_c();
    }

    void* chain = nullptr;
    for (int i = 1; i <= kStepsD; ++i) {
        chain = victim_site_d(chain, static_cast<std::size_t>(64 * i));
    }
    std::free(chain);

    // Forget the leaked blocks so that a leak scan finds them unreachable.
    for (auto& block : g_blocksB) {
        block = nullptr;
    }
    for (auto& block : g_blocksC) {
        block = nullptr;
    }
    std::puts("basic: done");
    return 0;
}
