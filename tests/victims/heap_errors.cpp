// victim `heap_errors MODE`: one heap misuse per run. It prints "<mode> block at 0x…" (the
// address the bad call receives) and then "heap_errors: reached the end", and exits 0 when the
// bad call is caught and not passed on (as under memcheck).
// Ground truth (checked by tests/e2e/heap_errors_test.cpp), per MODE:
//   double_free     malloc(48) in victim_alloc_malloc, freed in victim_first_free, freed again
//                   in victim_second_free         -> double_free, size 48, all three stacks
//   free_stack      free() of a local of victim_free_stack_address  -> invalid_free, size 0
//   free_static     free() of the middle of a 64 KiB static array (in .bss) in
//                   victim_free_static_address -> invalid_free, size 0
//   interior        malloc(64) in victim_alloc_malloc, free(block + 16) in victim_free_interior
//                   -> invalid_free, size 64, offset 16, alloc stack; the block is freed after
//   malloc_delete   malloc(24), delete in victim_delete_one -> mismatched_free, size 24
//   new_free        new Pod (24 bytes) in victim_new_one, free() in victim_first_free
//                   -> mismatched_free, size 24
//   new_array_delete  new Pod[4] (96 bytes) in victim_new_array, delete in victim_delete_one
//                   -> mismatched_free, size 96
//   new_delete_array  new Pod in victim_new_one, delete[] in victim_delete_array
//                   -> mismatched_free, size 24
//   realloc_freed   malloc(32), freed in victim_first_free, realloc(…, 64) in
//                   victim_realloc_freed -> double_free, size 32, all three stacks; realloc
//                   returns null
// Every mismatched block is still freed: no mode leaks. Pod is trivially destructible, so the
// array forms carry no cookie and each delete receives the pointer new returned.
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

struct Pod {
    char bytes[24];
};

// Large enough that most of it lies past the file-backed pages, in anonymous .bss memory.
char g_static[64 * 1024];

// Hides where a pointer comes from, so the compiler does not reject the misuse it can see.
template <typename T>
__attribute__((noinline)) T* opaque(T* p) {
    T* volatile hidden = p;
    return hidden;
}

void announce(const char* mode, const void* address) {
    std::printf("%s block at %p\n", mode, address);
}

} // namespace

__attribute__((noinline)) char* victim_alloc_malloc(std::size_t size) {
    return static_cast<char*>(std::malloc(size));
}
__attribute__((noinline)) Pod* victim_new_one() { return new Pod(); }
__attribute__((noinline)) Pod* victim_new_array() { return new Pod[4](); }
__attribute__((noinline)) void victim_first_free(void* p) { std::free(p); }
__attribute__((noinline)) void victim_second_free(void* p) { std::free(p); }
__attribute__((noinline)) void victim_free_interior(char* p) { std::free(opaque(p + 16)); }
__attribute__((noinline)) void victim_delete_one(Pod* p) { delete opaque(p); }
__attribute__((noinline)) void victim_delete_array(Pod* p) { delete[] opaque(p); }
__attribute__((noinline)) void* victim_realloc_freed(void* p) { return std::realloc(p, 64); }

__attribute__((noinline)) void victim_free_stack_address(const char* mode) {
    char local[32];
    std::memset(local, 1, sizeof(local));
    announce(mode, local);
    std::free(opaque(local));
}

__attribute__((noinline)) void victim_free_static_address(const char* mode) {
    announce(mode, g_static + 32 * 1024);
    std::free(opaque(g_static + 32 * 1024));
}

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    const auto is = [&](const char* name) { return std::strcmp(mode, name) == 0; };
    if (is("double_free")) {
        char* p = victim_alloc_malloc(48);
        announce(mode, p);
        victim_first_free(p);
        victim_second_free(p);
    } else if (is("free_stack")) {
        victim_free_stack_address(mode);
    } else if (is("free_static")) {
        victim_free_static_address(mode);
    } else if (is("interior")) {
        char* p = victim_alloc_malloc(64);
        announce(mode, p + 16);
        victim_free_interior(p);
        victim_first_free(p);
    } else if (is("malloc_delete")) {
        auto* p = reinterpret_cast<Pod*>(victim_alloc_malloc(sizeof(Pod)));
        announce(mode, p);
        victim_delete_one(p);
    } else if (is("new_free")) {
        Pod* p = victim_new_one();
        announce(mode, p);
        victim_first_free(p);
    } else if (is("new_array_delete")) {
        Pod* p = victim_new_array();
        announce(mode, p);
        victim_delete_one(p);
    } else if (is("new_delete_array")) {
        Pod* p = victim_new_one();
        announce(mode, p);
        victim_delete_array(p);
    } else if (is("realloc_freed")) {
        char* p = victim_alloc_malloc(32);
        announce(mode, p);
        victim_first_free(p);
        // The result is not used: only whether the program got here matters.
        std::printf("realloc returned %s\n",
                    victim_realloc_freed(p) == nullptr ? "null" : "a block");
    } else {
        std::fprintf(stderr, "usage: heap_errors MODE\n");
        return 2;
    }
    std::printf("heap_errors: reached the end\n");
    return 0;
}
