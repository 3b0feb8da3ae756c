// recorder: the tracker: recording state, per-thread state, what each hook records, fork and
// exit handling.
//
// Hot-path contract (every allocation hook):
//   1. guard: if the thread is inside the recorder or recording is off, forward and return;
//   2. call the real allocator (for a free: record first, then call the real free, so the
//      address cannot be handed out again before its free is in a buffer);
//   3. unwind into the thread's fixed mmap'ed scratch array;
//   4. intern the stack: per-thread cache, and only on a miss the trie (which takes a lock;
//      new stacks are rare);
//   5. update the live table (one shard spinlock);
//   6. append a 32-byte POD event to the thread's own buffer, reading the clock under its lock.
// Never in a hook: malloc, formatting, symbolization, a global lock, syscalls other than the
// clock (rare exceptions: the first event of a thread maps its buffer; a half-full buffer
// wakes the writer; a full one sleeps until the writer swapped it).
#pragma once

#include <cstddef>
#include <cstdint>

#include "format/records.h"
#include "recorder/guard.h"

namespace heapscope::recorder {

enum class RecorderState : int { Off = 0, Recording = 1, Stopped = 2 };

// True when a hook on this thread should record.
bool shouldRecord() noexcept;

// After the real allocator returned ptr (non-null) for size bytes.
void recordAlloc(void* ptr, std::size_t size, format::AllocFamily family) noexcept;
// Before the real free. Returns false when ptr is not a live block (nothing recorded).
bool recordFree(void* ptr, format::AllocFamily family) noexcept;
// realloc(ptr, size) with ptr non-null: records the free of ptr and, once the real realloc
// returned, the alloc of its result. Returns the real realloc's result.
void* trackedRealloc(void* ptr, std::size_t size) noexcept;

void recordMark(const char* name) noexcept;
void noteModulesChanged() noexcept;
// Before a dlclose: waits until the writer has recorded the current module map, so a library
// loaded and unloaded between two writer cycles still gets its module record.
void recordModulesBeforeUnload() noexcept;
// Drains everything, writes the end of the trace and stops recording (library destructor,
// _exit). Later calls do nothing.
void shutdown() noexcept;
bool isRecording() noexcept;

struct Stats {
    std::uint64_t liveBytes;
    std::uint64_t liveBlocks;
    std::uint64_t peakBytes;
    std::uint64_t totalAllocations;
    std::uint64_t totalBytes;
};
bool readStats(Stats& out) noexcept;

} // namespace heapscope::recorder
