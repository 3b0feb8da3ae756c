// victim plugin `libvictim_plugin.so`: loaded with dlopen by victim_dlopen, leaks from inside the
// library, which is then unloaded, and frees blocks the program allocated. Ground truth: see
// dlopen_main.cpp.
#include <cstdlib>

namespace {

void* g_leaked[64];

} // namespace

extern "C" __attribute__((noinline, visibility("default"))) int plugin_allocate(int count) {
    int made = 0;
    for (int i = 0; i < count && i < 64; ++i) {
        g_leaked[i] = std::malloc(1000);
        made += g_leaked[i] != nullptr ? 1 : 0;
    }
    return made;
}

extern "C" __attribute__((noinline, visibility("default"))) void plugin_release(void** blocks,
                                                                                int count) {
    for (int i = 0; i < count; ++i)
        std::free(blocks[i]);
}
