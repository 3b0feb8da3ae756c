// recorder: the tracker: recording state, per-thread state, what each hook records, fork and
// exit handling.
//
// Hot-path contract (every allocation hook):
//   1. guard: if the thread is inside the recorder or recording is off, forward and return;
//   2. call the real allocator (for a free: record first, then call the real free, so the
//      address cannot be handed out again before its free is in a buffer);
//   3. unwind into the thread's fixed mmap'ed scratch array, from the frame record of the hook
//      the program called (the recorder's own frames are not walked);
//   4. intern the stack: per-thread cache, and only on a miss the trie (which takes a lock;
//      new stacks are rare);
//   5. update the live table (one shard spinlock);
//   6. append a 32-byte POD event to the thread's own buffer, reading the clock under its lock.
// A block allocated while recording is paused, or not sampled (HEAPSCOPE_SAMPLE_RATE), is
// untraced: step 3 and 6 are skipped and the live table marks it; its free only marks its entry
// freed (no unwind, no event), so the leak scan still sees every block.
// A free marks the block's entry freed, which keeps it until the address is handed out again
// (live_table.h), and a traced block's free also unwinds (unless HEAPSCOPE_FREE_STACKS is off),
// so a later double free can name the first free's stack. A free or realloc of a pointer that
// is no live block leaves the hot path: the freed entries, then a walk over the live table (an
// interior pointer), then /proc/self/maps (a stack or static address); a heap error is two
// consecutive events.
// Never in a hook: malloc, formatting, symbolization, a global lock, syscalls other than the
// clock (rare exceptions: the first event of a thread maps its buffer; a half-full buffer
// wakes the writer; a full one sleeps until the writer swapped it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "format/records.h"
#include "recorder/guard.h"
#include "recorder/scan_roots.h"

namespace heapscope::recorder {

enum class RecorderState : int { Off = 0, Recording = 1, Stopped = 2 };

// True when a hook on this thread should record.
bool shouldRecord() noexcept;

// entryFrame in the calls below: the frame record (__builtin_frame_address(0)) of the exported
// hook the program called, where stack walks start (unwind.h); null to walk from the recorder.

// After the real allocator returned ptr (non-null) for size bytes.
void recordAlloc(void* ptr, std::size_t size, format::AllocFamily family,
                 const void* entryFrame) noexcept;
// Before the real free: records it (with its stack unless HEAPSCOPE_FREE_STACKS is off, and a
// mismatched-free error when family is not the block's). A pointer that is no live block is
// reported as a double or invalid free when it certainly is one, and then recordFree returns
// false: the free must not reach the real allocator. True otherwise.
bool recordFree(void* ptr, format::AllocFamily family, const void* entryFrame) noexcept;
// realloc(ptr, size) with ptr non-null: records the free of ptr and, once the real realloc
// returned, the alloc of its result. Returns the real realloc's result, or null without
// calling it for a double or invalid free (reported).
void* trackedRealloc(void* ptr, std::size_t size, const void* entryFrame) noexcept;
// A block handed out without being recorded (inside the recorder, or by realloc while not
// recording): forgets any freed entry of its address.
void noteUntrackedBlock(void* ptr) noexcept;

void recordMark(const char* name) noexcept;
void noteModulesChanged() noexcept;
// Before a dlclose: waits until the writer has recorded the current module map, so a library
// loaded and unloaded between two writer cycles still gets its module record.
void recordModulesBeforeUnload() noexcept;
// Drains everything, writes the end of the trace and stops recording (library destructor,
// _exit, exec). Later calls do nothing. With Scan (and HEAPSCOPE_LEAK_CHECK not none) the
// exit leak scan's records come before the end.
enum class ShutdownScan { Scan, Skip };
void shutdown(ShutdownScan scan = ShutdownScan::Scan) noexcept;
// The program exits with status (exit's, _exit's or _Exit's argument, or main's return value):
// the trace records it, so the traces `heapscope run` does not wait for (forked and exec'd
// children, a preloaded run) tell how their program ended too. Before shutdown().
void noteExitStatus(int status) noexcept;
// The program is ending by this signal's default action (see deadly_signals.h). Before
// shutdown().
void noteDeathBySignal(int signal) noexcept;
// The exiting thread's stack and registers where the program's exit began (an on_exit handler,
// or the _exit hook): the exit leak scan's roots for that thread, as memcheck scans the stack
// of a program that calls exit from inside main. Before shutdown().
void noteExitStack(const CallerRoots& roots) noexcept;
// The same for a thread a signal ended the program on (context: the handler's third argument):
// its stack from below the red zone of the interrupted stack pointer up, and every register at
// the interruption. Right whether the handler runs on that stack or on a signal stack, and
// free of the handler's own frames.
void noteInterruptedExit(const ucontext_t* context) noexcept;
// True while the library records (also while paused): the trace is open.
bool isRecording() noexcept;
// Pauses (true) or resumes recording, writing a Recording record when the state changes.
// False when the library is not recording at all.
bool setPaused(bool paused) noexcept;
bool isPaused() noexcept;
// A mark from a thread that records no events of its own (the control endpoint).
void recordOutsideMark(const char* name) noexcept;

struct Stats {
    std::uint64_t liveBytes;
    std::uint64_t liveBlocks;
    std::uint64_t peakBytes;
    std::uint64_t totalAllocations;
    std::uint64_t totalBytes;
};
bool readStats(Stats& out) noexcept;

// Scans the heap for leaks now (every other thread stopped for the scan), writes a LeakCheck
// record and fills totals (indexed by format::LeakKind). caller: see captureCaller(). False
// when not recording.
bool leakCheck(std::array<format::LeakTotal, format::kLeakKindCount>& totals,
               const CallerRoots& caller) noexcept;
// leakCheck for a recorder thread of its own (t_inRecorder set for its whole life).
bool leakCheckFromRecorderThread(std::array<format::LeakTotal, format::kLeakKindCount>& totals,
                                 const CallerRoots& caller) noexcept;
// Starts a new peak at the current live bytes (heapscope_get_stats' peak_bytes).
bool resetPeak() noexcept;

} // namespace heapscope::recorder
