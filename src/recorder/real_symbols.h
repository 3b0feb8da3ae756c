// recorder: the real allocator and loader functions behind the hooks, found with
// dlsym(RTLD_NEXT) so a program's own jemalloc/tcmalloc keeps working, plus the static bootstrap
// arena that serves the allocations dlsym itself makes before they are known.
#pragma once

#include <cstddef>

namespace heapscope::recorder {

struct RealFunctions {
    void* (*malloc)(std::size_t);
    void (*free)(void*);
    void* (*calloc)(std::size_t, std::size_t);
    void* (*realloc)(void*, std::size_t);
    int (*posix_memalign)(void**, std::size_t, std::size_t);
    void* (*aligned_alloc)(std::size_t, std::size_t);
    void* (*memalign)(std::size_t, std::size_t);
    void* (*valloc)(std::size_t);
    void* (*pvalloc)(std::size_t);
    std::size_t (*malloc_usable_size)(void*);
    int (*dlclose)(void*);
};

// The table, resolved on first use. Returns nullptr while the resolution is under way (the
// caller is inside dlsym): allocate from the bootstrap arena then.
const RealFunctions* realFunctions() noexcept;

// Bootstrap arena: zero-filled static memory, never reused; a free of it is ignored.
void* bootstrapAllocate(std::size_t size, std::size_t alignment = 16) noexcept;
bool isBootstrap(const void* p) noexcept;
std::size_t bootstrapSize(const void* p) noexcept;

} // namespace heapscope::recorder
