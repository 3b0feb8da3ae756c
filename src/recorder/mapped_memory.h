// recorder: anonymous mmap'ed memory for the recorder's tables and buffers, which must never
// come from the malloc it is hooking. Every mapping is noted in own_mappings.h, so the leak scan
// does not take it for the program's.
#pragma once

#include <sys/mman.h>

#include <cstddef>

#include "recorder/own_mappings.h"

namespace heapscope::recorder {

// Zero-filled pages, committed lazily by the kernel. Returns nullptr on failure.
inline void* mapZeroed(std::size_t bytes) noexcept {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    noteOwnMapping(p, bytes);
    return p;
}

inline void unmap(void* p, std::size_t bytes) noexcept {
    if (p == nullptr) return;
    forgetOwnMapping(p);
    ::munmap(p, bytes);
}

template <typename T>
T* mapArray(std::size_t count) noexcept {
    return static_cast<T*>(mapZeroed(count * sizeof(T)));
}

template <typename T>
void unmapArray(T* p, std::size_t count) noexcept {
    unmap(p, count * sizeof(T));
}

} // namespace heapscope::recorder
