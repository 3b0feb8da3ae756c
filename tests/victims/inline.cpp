// victim `inline` (built with -O2 -g): an allocation made in a function inlined into its caller.
// Ground truth (checked by tests/e2e/inline_test.cpp):
//   10 x malloc(777) whose stack starts with the frame inlined_helper ("inlined": true)
//   followed by outer_function; all leaked (7770 bytes).
#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kBlocks = 10;

// volatile: the optimiser may neither drop the allocations nor turn the call into a tail call.
void* volatile g_blocks[kBlocks];

} // namespace

__attribute__((always_inline)) inline void* inlined_helper(std::size_t size) {
    return std::malloc(size);
}

__attribute__((noinline)) void outer_function(int index) { g_blocks[index] = inlined_helper(777); }

int main() {
    for (int i = 0; i < kBlocks; ++i) {
        outer_function(i);
    }
    std::puts("inline: done");
    return 0;
}
