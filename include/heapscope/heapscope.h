/* heapscope: the public C API of the recorder library (libheapscope.so), usable from C and C++.
 * A program may call it whether the library is preloaded or linked with -lheapscope. */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Live heap statistics of the traced process, as of the call. */
struct heapscope_stats {
    uint64_t live_bytes;        /* bytes in blocks allocated and not yet freed */
    uint64_t live_blocks;       /* number of such blocks */
    uint64_t peak_bytes;        /* the largest live_bytes seen so far */
    uint64_t total_allocations; /* blocks handed out since start (a realloc's result included) */
    uint64_t total_bytes;       /* bytes handed out since start */
};

/* Returns 1 while this process is being recorded (also while paused by heapscope_stop), 0
 * otherwise (not started, stopped at exit, or stopped because the trace could not be written). */
int heapscope_is_active(void);

/* Pause and resume. While paused, blocks the program allocates are not written to the trace
 * (no stack is taken: that is the cost saved), nor are their frees; frees of blocks written
 * before the pause still are, so such a block is not taken for a leak. Heap errors are still
 * detected, the leak scans still see every block, and the trace shows the paused time spans.
 * heapscope_stop pauses (the trace stays open: at exit the leak scan and the end of the trace
 * are still written), heapscope_start resumes; a process started with --start-paused
 * (HEAPSCOPE_START_PAUSED=1) begins paused. `heapscope ctl PID start|stop` does the same from
 * outside. Both return 0 (also when already in that state), or -1 when the library is not
 * recording at all. */
int heapscope_start(void);
int heapscope_stop(void);

/* Adds a timeline mark named `name` (copied) at the current time to the trace. Does nothing
 * when recording is not active or name is NULL. */
void heapscope_mark(const char* name);

/* Fills *out with the statistics of every allocation in the trace made before the call (by any
 * thread; blocks allocated while paused or not sampled are not counted) and
 * returns 0. Waits for the recorder's writer thread to catch up (typically well under 20 ms),
 * so do not call it on a hot path. Returns -1 and leaves *out unchanged when recording is not
 * active or out is NULL. */
int heapscope_get_stats(struct heapscope_stats* out);

/* Bytes and blocks of the live heap per leak kind, as memcheck defines them. */
struct heapscope_leak_totals {
    uint64_t definitely_lost_bytes;   /* no pointer to the block anywhere */
    uint64_t definitely_lost_blocks;
    uint64_t indirectly_lost_bytes;   /* pointed to only from lost blocks */
    uint64_t indirectly_lost_blocks;
    uint64_t possibly_lost_bytes;     /* pointed to only inside, not at its start */
    uint64_t possibly_lost_blocks;
    uint64_t still_reachable_bytes;   /* pointed to from globals, stacks, registers or TLS */
    uint64_t still_reachable_blocks;
};

/* Scans the heap for leaks now, as heapscope does at exit, fills *out and returns 0. Every
 * other thread is stopped during the scan (a real-time signal, SIGRTMAX-3, not ptrace), for a
 * time that grows with the heap (about half a second per GiB): for a periodic check in a
 * server, not a hot path. As with any signal, a blocking call the kernel does not restart
 * (sleep, poll, epoll_wait...) may return EINTR in the stopped threads. The conservative scan
 * of this thread's stack may keep a just-dropped block alive. The trace gets the totals (not
 * each block's verdict). Returns -1 and leaves *out unchanged when recording is not active
 * or out is NULL. */
int heapscope_leak_check(struct heapscope_leak_totals* out);

/* Starts a new peak: heapscope_get_stats' peak_bytes counts from the live bytes at this call
 * on. Returns 0, or -1 when recording is not active. */
int heapscope_reset_peak(void);

#ifdef __cplusplus
}
#endif
