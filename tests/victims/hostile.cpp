// victim `hostile`: allocation sites whose names are made to break HTML and XML reports.
// Ground truth (checked by tests/e2e/visual_test.cpp):
//   the function named (by an asm label) "</script><img src=x onerror=hostileRan=1>&amp;"
//     -> 3 x malloc(4096)
//   hostile_template<script>() (a C++ template argument: its name holds "<script>")
//     -> 2 x malloc(1024)
//   every block is freed. A report that shows these names must show them as text.
#include <cstdio>
#include <cstdlib>

namespace {

void* g_blocks[5];

} // namespace

struct script {};

extern "C" __attribute__((noinline)) void*
hostile_markup() __asm__("\"</script><img src=x onerror=hostileRan=1>&amp;\"");
extern "C" void* hostile_markup() { return std::malloc(4096); }

template <class T>
__attribute__((noinline)) void* hostile_template() {
    return std::malloc(1024);
}

int main() {
    for (int i = 0; i < 3; ++i)
        g_blocks[i] = hostile_markup();
    for (int i = 3; i < 5; ++i)
        g_blocks[i] = hostile_template<script>();
    for (auto* block : g_blocks)
        std::free(block);
    std::puts("hostile: done");
    return 0;
}
