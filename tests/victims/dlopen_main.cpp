// victim `dlopen`: allocations made inside a library that is dlopen'ed and dlclose'd again.
// Ground truth (checked by tests/e2e/dlopen_test.cpp):
//   plugin_allocate (in libvictim_plugin.so, next to this program): 25 x malloc(1000), all
//   leaked -> 25 allocations, 25000 bytes leaked, the stack symbolized to plugin_allocate in
//   libvictim_plugin.so although the library is no longer loaded at exit.
//   main_allocates: 10 x malloc(777), all freed by plugin_release -> nothing leaked there.
// With the argument `deepbind` the plugin is opened with RTLD_DEEPBIND, which binds its malloc
// and free to the C library's first: the figures stay the same. With `by-name` it is opened by
// its bare name, which the loader finds through this program's RUNPATH ($ORIGIN): the same.
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <unistd.h>

namespace {

constexpr int kBlocks = 25;

// The plugin sits next to the program; /proc/self/exe tells where that is.
bool pluginPath(char* path, std::size_t capacity) {
    const ssize_t length = readlink("/proc/self/exe", path, capacity - 1);
    if (length <= 0) {
        return false;
    }
    path[length] = '\0';
    char* slash = std::strrchr(path, '/');
    const char kName[] = "libvictim_plugin.so";
    if (slash == nullptr || static_cast<std::size_t>(slash + 1 - path) + sizeof kName > capacity) {
        return false;
    }
    std::memcpy(slash + 1, kName, sizeof kName);
    return true;
}

constexpr int kReleased = 10;

__attribute__((noinline)) void main_allocates(void** blocks) {
    for (int i = 0; i < kReleased; ++i)
        blocks[i] = std::malloc(777);
}

} // namespace

int main(int argc, char** argv) {
    const bool deepbind = argc > 1 && std::strcmp(argv[1], "deepbind") == 0;
    const bool byName = argc > 1 && std::strcmp(argv[1], "by-name") == 0;
    char path[PATH_MAX] = "libvictim_plugin.so";
    if (!byName && !pluginPath(path, sizeof path)) {
        std::fprintf(stderr, "dlopen: cannot find the plugin\n");
        return 1;
    }
    void* plugin = dlopen(path, RTLD_NOW | RTLD_LOCAL | (deepbind ? RTLD_DEEPBIND : 0));
    if (plugin == nullptr) {
        std::fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    using AllocateFn = int (*)(int);
    auto allocate = reinterpret_cast<AllocateFn>(dlsym(plugin, "plugin_allocate"));
    if (allocate == nullptr) {
        std::fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    using ReleaseFn = void (*)(void**, int);
    auto release = reinterpret_cast<ReleaseFn>(dlsym(plugin, "plugin_release"));
    if (release == nullptr) {
        std::fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    const int made = allocate(kBlocks);
    void* blocks[kReleased];
    main_allocates(blocks);
    release(blocks, kReleased);
    dlclose(plugin);
    std::printf("dlopen: %d blocks\n", made);
    return made == kBlocks ? 0 : 1;
}
