// recorder: the exported allocation hooks: the malloc family, every operator new/delete, and
// dlclose. Each forwards to the real function and lets the tracker record.
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include <cstddef>
#include <cstring>
#include <new>

#include "recorder/real_symbols.h"
#include "recorder/tracker.h"

#define HEAPSCOPE_EXPORT __attribute__((visibility("default")))

namespace {

using heapscope::format::AllocFamily;
using namespace heapscope::recorder;

// Every exported hook passes its own frame record (HEAPSCOPE_ENTRY_FRAME) down: stack walks start
// there instead of at the unwinder, past the recorder's frames (tracker.h).
#define HEAPSCOPE_ENTRY_FRAME __builtin_frame_address(0)

// Runs allocate() (which returns the block or null) and records a non-null result.
template <typename Allocate>
void* tracked(std::size_t size, AllocFamily family, const void* entryFrame,
              Allocate&& allocate) noexcept {
    const bool record = shouldRecord();
    void* p = allocate();
    if (p != nullptr) {
        if (record) {
            recordAlloc(p, size, family, entryFrame);
        } else {
            noteUntrackedBlock(p);
        }
    }
    return p;
}

void release(void* p, AllocFamily family, const void* entryFrame) noexcept {
    if (p == nullptr || isBootstrap(p)) return;
    const RealFunctions* real = realFunctions();
    if (real == nullptr) return; // nothing but the arena can have been handed out yet
    // A double or invalid free is reported and goes no further, as under memcheck: the
    // program carries on instead of aborting in the real allocator.
    if (shouldRecord() && !recordFree(p, family, entryFrame)) return;
    real->free(p);
}

void* alignedAllocate(std::size_t alignment, std::size_t size) noexcept {
    const RealFunctions* real = realFunctions();
    if (real == nullptr) return bootstrapAllocate(size, alignment);
    if (alignment <= alignof(std::max_align_t)) return real->malloc(size);
    void* p = nullptr;
    return real->posix_memalign(&p, alignment, size) == 0 ? p : nullptr;
}

// operator new as the standard says: loop on the new_handler, throw std::bad_alloc (or return
// null for the nothrow forms) when there is none.
void* newBlock(std::size_t size, std::size_t alignment, AllocFamily family, bool nothrow,
               const void* entryFrame) {
    const std::size_t request = size == 0 ? 1 : size;
    for (;;) {
        void* p =
            tracked(size, family, entryFrame, [&] { return alignedAllocate(alignment, request); });
        if (p != nullptr) return p;
        const std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) {
            if (nothrow) return nullptr;
            throw std::bad_alloc();
        }
        if (!nothrow) {
            handler();
            continue;
        }
        try {
            handler();
        } catch (...) {
            return nullptr;
        }
    }
}

constexpr std::size_t kDefaultAlignment = alignof(std::max_align_t);

} // namespace

extern "C" {

HEAPSCOPE_EXPORT void* malloc(std::size_t size) noexcept {
    const RealFunctions* real = realFunctions();
    if (real == nullptr) return bootstrapAllocate(size);
    return tracked(size, AllocFamily::Malloc, HEAPSCOPE_ENTRY_FRAME,
                   [&] { return real->malloc(size); });
}

HEAPSCOPE_EXPORT void free(void* ptr) noexcept {
    release(ptr, AllocFamily::Malloc, HEAPSCOPE_ENTRY_FRAME);
}

HEAPSCOPE_EXPORT void* calloc(std::size_t count, std::size_t size) noexcept {
    std::size_t bytes = 0;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return nullptr;
    }
    const RealFunctions* real = realFunctions();
    if (real == nullptr) return bootstrapAllocate(bytes); // the arena is zero-filled
    return tracked(bytes, AllocFamily::Malloc, HEAPSCOPE_ENTRY_FRAME,
                   [&] { return real->calloc(count, size); });
}

HEAPSCOPE_EXPORT void* realloc(void* ptr, std::size_t size) noexcept {
    if (ptr == nullptr) return malloc(size);
    const RealFunctions* real = realFunctions();
    if (real == nullptr || isBootstrap(ptr)) {
        // Arena blocks never move into the real heap by realloc: copy them out.
        void* moved = malloc(size);
        if (moved != nullptr) {
            const std::size_t old = bootstrapSize(ptr);
            std::memcpy(moved, ptr, old < size ? old : size);
        }
        return moved;
    }
    if (!shouldRecord()) {
        void* result = real->realloc(ptr, size);
        if (result != nullptr) noteUntrackedBlock(result);
        return result;
    }
    return trackedRealloc(ptr, size, HEAPSCOPE_ENTRY_FRAME);
}

HEAPSCOPE_EXPORT void* reallocarray(void* ptr, std::size_t count, std::size_t size) noexcept {
    std::size_t bytes = 0;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return nullptr;
    }
    return realloc(ptr, bytes);
}

HEAPSCOPE_EXPORT int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    const RealFunctions* real = realFunctions();
    if (real == nullptr) {
        *out = bootstrapAllocate(size, alignment);
        return *out != nullptr ? 0 : ENOMEM;
    }
    int rc = 0;
    tracked(size, AllocFamily::Malloc, HEAPSCOPE_ENTRY_FRAME, [&]() -> void* {
        rc = real->posix_memalign(out, alignment, size);
        return rc == 0 ? *out : nullptr;
    });
    return rc;
}

HEAPSCOPE_EXPORT void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    const RealFunctions* real = realFunctions();
    if (real == nullptr) return bootstrapAllocate(size, alignment);
    return tracked(size, AllocFamily::Malloc, HEAPSCOPE_ENTRY_FRAME,
                   [&] { return real->aligned_alloc(alignment, size); });
}

HEAPSCOPE_EXPORT void* memalign(std::size_t alignment, std::size_t size) noexcept {
    const RealFunctions* real = realFunctions();
    if (real == nullptr) return bootstrapAllocate(size, alignment);
    return tracked(size, AllocFamily::Malloc, HEAPSCOPE_ENTRY_FRAME,
                   [&] { return real->memalign(alignment, size); });
}

HEAPSCOPE_EXPORT void* valloc(std::size_t size) noexcept {
    const RealFunctions* real = realFunctions();
    if (real == nullptr) return bootstrapAllocate(size, 4096);
    return tracked(size, AllocFamily::Malloc, HEAPSCOPE_ENTRY_FRAME,
                   [&] { return real->valloc(size); });
}

HEAPSCOPE_EXPORT void* pvalloc(std::size_t size) noexcept {
    const RealFunctions* real = realFunctions();
    if (real == nullptr) return bootstrapAllocate(size, 4096);
    return tracked(size, AllocFamily::Malloc, HEAPSCOPE_ENTRY_FRAME,
                   [&] { return real->pvalloc(size); });
}

HEAPSCOPE_EXPORT std::size_t malloc_usable_size(void* ptr) noexcept {
    if (ptr == nullptr) return 0;
    if (isBootstrap(ptr)) return bootstrapSize(ptr);
    const RealFunctions* real = realFunctions();
    return real != nullptr ? real->malloc_usable_size(ptr) : 0;
}

// New modules are found by the writer's per-cycle check; dlopen's hook (interpose_dlopen.S) only
// handles RTLD_DEEPBIND.
HEAPSCOPE_EXPORT int dlclose(void* handle) noexcept {
    const RealFunctions* real = realFunctions();
    if (real == nullptr || real->dlclose == nullptr) return -1;
    recordModulesBeforeUnload();
    const int rc = real->dlclose(handle);
    noteModulesChanged();
    return rc;
}

} // extern "C"

HEAPSCOPE_EXPORT void* operator new(std::size_t size) {
    return newBlock(size, kDefaultAlignment, AllocFamily::New, false, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void* operator new[](std::size_t size) {
    return newBlock(size, kDefaultAlignment, AllocFamily::NewArray, false, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return newBlock(size, kDefaultAlignment, AllocFamily::New, true, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return newBlock(size, kDefaultAlignment, AllocFamily::NewArray, true, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void* operator new(std::size_t size, std::align_val_t al) {
    return newBlock(size, static_cast<std::size_t>(al), AllocFamily::New, false,
                    HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void* operator new[](std::size_t size, std::align_val_t al) {
    return newBlock(size, static_cast<std::size_t>(al), AllocFamily::NewArray, false,
                    HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void* operator new(std::size_t size, std::align_val_t al,
                                    const std::nothrow_t&) noexcept {
    return newBlock(size, static_cast<std::size_t>(al), AllocFamily::New, true,
                    HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void* operator new[](std::size_t size, std::align_val_t al,
                                      const std::nothrow_t&) noexcept {
    return newBlock(size, static_cast<std::size_t>(al), AllocFamily::NewArray, true,
                    HEAPSCOPE_ENTRY_FRAME);
}

HEAPSCOPE_EXPORT void operator delete(void* p) noexcept {
    release(p, AllocFamily::New, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete[](void* p) noexcept {
    release(p, AllocFamily::NewArray, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete(void* p, std::size_t) noexcept {
    release(p, AllocFamily::New, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete[](void* p, std::size_t) noexcept {
    release(p, AllocFamily::NewArray, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete(void* p, std::align_val_t) noexcept {
    release(p, AllocFamily::New, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete[](void* p, std::align_val_t) noexcept {
    release(p, AllocFamily::NewArray, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    release(p, AllocFamily::New, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    release(p, AllocFamily::NewArray, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete(void* p, const std::nothrow_t&) noexcept {
    release(p, AllocFamily::New, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete[](void* p, const std::nothrow_t&) noexcept {
    release(p, AllocFamily::NewArray, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    release(p, AllocFamily::New, HEAPSCOPE_ENTRY_FRAME);
}
HEAPSCOPE_EXPORT void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    release(p, AllocFamily::NewArray, HEAPSCOPE_ENTRY_FRAME);
}
