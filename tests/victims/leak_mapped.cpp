// victim `leak_mapped`: blocks whose only pointers are in memory the program maps for itself,
// as an allocator's pool or an interpreter's arena does, and in malloc's own large chunks.
// Ground truth at exit (checked by tests/e2e/leak_scan_test.cpp, and by memcheck there):
//   still reachable: malloc(700), held only by a pointer in the program's mmap'ed pool
//                                                                        -> 700 B in 1 block
//   possibly lost:   malloc(300), held only by a pointer 8 bytes into it, in the pool
//                                                                        -> 300 B in 1 block
//   definitely lost: malloc(900), held only in a mapping the program then unmapped;
//                    malloc(200000) (a chunk glibc mmaps) forgotten;
//                    malloc(650), held only in a malloc(300000) the program then freed
//                                                                        -> 201,550 B in 3 blocks
//   indirectly lost: malloc(600), held only by the forgotten malloc(200000)
//                                                                        -> 600 B in 1 block
// Nothing else is allocated by the program (no stdio: its buffer would be still reachable).
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

constexpr std::size_t kPoolBytes = 64 * 1024;

// Each lost block passes through here, then the pointer is overwritten.
void* volatile g_sink = nullptr;
void** g_pool = nullptr;

void* mapPages(std::size_t bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    return p;
}

} // namespace

__attribute__((noinline)) void victim_pooled() {
    g_pool = static_cast<void**>(mapPages(kPoolBytes));
    // The pool's address is kept only as a number the scan cannot take for a pointer, so the
    // pool itself is what holds the blocks (a mapping is a root, not a block).
    g_pool[100] = std::malloc(700);
    g_pool[200] = static_cast<char*>(std::malloc(300)) + 8;
    g_sink = g_pool;
    g_pool = reinterpret_cast<void**>(reinterpret_cast<std::uintptr_t>(g_pool) ^ 0x5a5a5a5aull);
    g_sink = nullptr;
}

__attribute__((noinline)) void victim_unmapped() {
    auto** region = static_cast<void**>(mapPages(kPoolBytes));
    region[10] = std::malloc(900);
    munmap(region, kPoolBytes);
}

__attribute__((noinline)) void victim_large() {
    auto** large = static_cast<void**>(std::malloc(200000));
    std::memset(large, 0, 200000);
    large[5] = std::malloc(600);
    g_sink = large;
    g_sink = nullptr;
}

__attribute__((noinline)) void victim_in_freed_large() {
    auto** large = static_cast<void**>(std::malloc(300000));
    std::memset(large, 0, 300000);
    large[7] = std::malloc(650);
    std::free(large);
}

int main() {
    victim_pooled();
    victim_unmapped();
    victim_large();
    victim_in_freed_large();
    return 0;
}
