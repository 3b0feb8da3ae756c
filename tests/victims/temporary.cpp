// victim `temporary`: temporary allocations (freed with no other allocation in between on the
// same thread) against ones that are not.
// Ground truth (checked by tests/e2e/temporary_test.cpp):
//   temp_site_yes:     1000 x malloc(32), each freed right away   -> 1000 temporary
//   temp_site_no:      1000 x malloc(48), each freed only after a
//                      temp_site_between allocation               ->    0 temporary
//   temp_site_between: 1000 x malloc(16), never freed             ->    0 temporary,
//                                                                      16000 bytes leaked
#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kPairs = 1000;

void* g_between[kPairs];

} // namespace

__attribute__((noinline)) void* temp_site_yes() { return std::malloc(32); }

__attribute__((noinline)) void* temp_site_no() { return std::malloc(48); }

__attribute__((noinline)) void* temp_site_between() { return std::malloc(16); }

int main() {
    for (int i = 0; i < kPairs; ++i) {
        std::free(temp_site_yes());
    }
    for (int i = 0; i < kPairs; ++i) {
        void* block = temp_site_no();
        g_between[i] = temp_site_between();
        std::free(block);
    }
    std::puts("temporary: done");
    return 0;
}
