// recorder: the tracker's leak scans: the exit scan's verdicts and the scans on demand
// (heapscope_leak_check, the control endpoint), each with every other thread stopped.
#include <sched.h>
#include <unistd.h>

#include <atomic>

#include "recorder/guard.h"
#include "recorder/leak_scan.h"
#include "recorder/log.h"
#include "recorder/scan_roots.h"
#include "recorder/tracker.h"
#include "recorder/tracker_state.h"
#include "recorder/world_stop.h"

namespace heapscope::recorder {
namespace {

// One leak scan at a time: a second caller waits (and is stopped by the first, harmlessly).
std::atomic<bool> s_scanning{false};

// Where the program's exit began, on the thread that exits (noteExitStack).
CallerRoots s_exitRoots;
std::atomic<pid_t> s_exitThread{0};

// The exit scan's roots for the calling thread: its stack from where the program's exit began,
// when it began on this thread; else none.
const CallerRoots* exitRootsOfThisThread() noexcept {
    return s_exitThread.load(std::memory_order_acquire) == ::gettid() ? &s_exitRoots : nullptr;
}

// Fills scan with the live blocks and classifies them, with every other thread stopped.
// caller: the calling thread's roots: for a scan on demand, its stack from the API function up;
// at exit, from where the program's exit began (the frames of a main that called exit are
// live). Without them (nullptr) the calling thread's stack and registers are no roots; its TLS
// still is.
bool scanLiveBlocks(LeakScan& scan, const CallerRoots* caller) noexcept {
    ScanRoots roots;
    addModuleRoots(roots); // before the stop: dl_iterate_phdr takes the loader's lock
    const std::size_t tlsSize = staticTlsSize();
    const std::size_t estimate = s_recorder->live.size();
    if (!scan.reserve(estimate + estimate / 4 + 4096)) return false;
    // Locked before the stop, so no stopped thread holds a shard; in-flight hooks finish first.
    s_recorder->live.lockAll();
    bool ok = false;
    {
        WorldStop world(s_recorder->flusher.writerTid());
        s_recorder->live.forEachLocked(
            [&](const LiveEntry& e) { scan.addBlock(e.address, e.size); });
        ReadableMemory memory;
        if (memory.load()) {
            const std::uint64_t tp = currentThreadPointer();
            const ThreadContext own =
                caller == nullptr ? ThreadContext{0, tp, nullptr, 0}
                                  : ThreadContext{caller->stackStart, tp, caller->calleeSaved,
                                                  caller->calleeSavedCount};
            addThreadRoots(roots, own, memory, tlsSize);
            for (std::size_t i = 0; i < world.count(); ++i) {
                const StoppedThread& t = world.thread(i);
                if (t.answered.load(std::memory_order_acquire) != 0) {
                    addThreadRoots(roots,
                                   ThreadContext{belowRedZone(t.sp), t.threadPointer, t.registers,
                                                 t.registerCount},
                                   memory, tlsSize);
                } else {
                    addUnstoppedThreadRoots(roots, t.tid, memory);
                }
            }
            addEndedThreadsDynamicTls(roots, memory);
            addMappedRoots(roots);
            scan.run(roots, memory);
            ok = true;
        }
    }
    s_recorder->live.unlockAll();
    if (scan.droppedBlocks() > 0) logLine("leak scan: blocks allocated during the scan ignored");
    return ok;
}

// Runs f(scan) on a finished scan; false when no scan could be made.
template <typename Use>
bool withLeakScan(const CallerRoots* caller, Use&& use) noexcept {
    bool expected = false;
    while (!s_scanning.compare_exchange_weak(expected, true, std::memory_order_acquire)) {
        expected = false;
        ::sched_yield();
    }
    bool ok = false;
    {
        LeakScan scan;
        ok = scanLiveBlocks(scan, caller);
        if (ok) use(scan);
    }
    s_scanning.store(false, std::memory_order_release);
    return ok;
}

// The exit scan's records: its totals (of every block), then one verdict per block of the
// trace in address order (an untraced block has no Alloc record a verdict could refer to).
void writeExitLeaks(format::TraceWriter& writer, std::uint64_t timeNs, void* context) {
    const auto& scan = *static_cast<const LeakScan*>(context);
    writer.write(format::LeakCheckRecord{timeNs, true, scan.totals()});
    for (std::size_t i = 0; i < scan.blockCount(); ++i) {
        LiveEntry entry;
        if (s_recorder->live.find(scan.address(i), entry) && !entry.traced) continue;
        writer.write(format::LeakVerdictRecord{scan.address(i), scan.kind(i), scan.owner(i)});
    }
}

} // namespace

void noteExitStack(const CallerRoots& roots) noexcept {
    // The first thread to exit: exit's handlers and the scan run on it.
    pid_t none = 0;
    if (!s_exitThread.compare_exchange_strong(none, -1, std::memory_order_acq_rel)) return;
    s_exitRoots = roots;
    s_exitThread.store(::gettid(), std::memory_order_release);
}

bool stopWithExitLeakScan() noexcept {
    return withLeakScan(exitRootsOfThisThread(),
                        [](LeakScan& done) { s_recorder->flusher.stop(&writeExitLeaks, &done); });
}

bool leakCheck(std::array<format::LeakTotal, format::kLeakKindCount>& totals,
               const CallerRoots& caller) noexcept {
    if (t_inRecorder) return false;
    RecorderGuard guard;
    return leakCheckFromRecorderThread(totals, caller);
}

bool leakCheckFromRecorderThread(std::array<format::LeakTotal, format::kLeakKindCount>& totals,
                                 const CallerRoots& caller) noexcept {
    if (!isRecording()) return false;
    const bool scanned = withLeakScan(&caller, [&](LeakScan& scan) { totals = scan.totals(); });
    if (scanned) s_recorder->flusher.writeLeakCheck(format::LeakCheckRecord{0, false, totals});
    return scanned;
}

} // namespace heapscope::recorder
