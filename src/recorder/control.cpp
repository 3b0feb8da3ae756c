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

HEAPSCOPE_EXPORT int heapscope_leak_check(struct heapscope_leak_totals* out) {
    CallerRoots caller;
    captureCaller(caller);
    std::array<heapscope::format::LeakTotal, heapscope::format::kLeakKindCount> totals{};
    if (out == nullptr || !leakCheck(totals, caller)) return -1;
    using heapscope::format::LeakKind;
    const auto total = [&](LeakKind kind) { return totals[static_cast<std::size_t>(kind)]; };
    out->definitely_lost_bytes = total(LeakKind::DefinitelyLost).bytes;
    out->definitely_lost_blocks = total(LeakKind::DefinitelyLost).blocks;
    out->indirectly_lost_bytes = total(LeakKind::IndirectlyLost).bytes;
    out->indirectly_lost_blocks = total(LeakKind::IndirectlyLost).blocks;
    out->possibly_lost_bytes = total(LeakKind::PossiblyLost).bytes;
    out->possibly_lost_blocks = total(LeakKind::PossiblyLost).blocks;
    out->still_reachable_bytes = total(LeakKind::StillReachable).bytes;
    out->still_reachable_blocks = total(LeakKind::StillReachable).blocks;
    return 0;
}

HEAPSCOPE_EXPORT int heapscope_reset_peak(void) { return resetPeak() ? 0 : -1; }

HEAPSCOPE_EXPORT int heapscope_start(void) { return setPaused(false) ? 0 : -1; }

HEAPSCOPE_EXPORT int heapscope_stop(void) { return setPaused(true) ? 0 : -1; }

} // extern "C"
