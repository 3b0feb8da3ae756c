// recorder: the public C API (include/heapscope/heapscope.h) on top of the tracker.
#include "heapscope/heapscope.h"

#include "recorder/tracker.h"

#define HEAPSCOPE_EXPORT __attribute__((visibility("default")))

using namespace heapscope::recorder;

extern "C" {

HEAPSCOPE_EXPORT int heapscope_is_active(void) { return isRecording() ? 1 : 0; }

HEAPSCOPE_EXPORT void heapscope_mark(const char* name) { recordMark(name); }

HEAPSCOPE_EXPORT int heapscope_get_stats(struct heapscope_stats* out) {
    Stats stats;
    if (out == nullptr || !readStats(stats)) return -1;
    out->live_bytes = stats.liveBytes;
    out->live_blocks = stats.liveBlocks;
    out->peak_bytes = stats.peakBytes;
    out->total_allocations = stats.totalAllocations;
    out->total_bytes = stats.totalBytes;
    return 0;
}

} // extern "C"
