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

/* Returns 1 while this process is being recorded, 0 otherwise (not started, stopped at exit,
 * or stopped because the trace could not be written). */
int heapscope_is_active(void);

/* Adds a timeline mark named `name` (copied) at the current time to the trace. Does nothing
 * when recording is not active or name is NULL. */
void heapscope_mark(const char* name);

/* Fills *out with the statistics of every allocation made before the call (by any thread) and
 * returns 0. Waits for the recorder's writer thread to catch up (typically well under 20 ms),
 * so do not call it on a hot path. Returns -1 and leaves *out unchanged when recording is not
 * active or out is NULL. */
int heapscope_get_stats(struct heapscope_stats* out);

#ifdef __cplusplus
}
#endif
