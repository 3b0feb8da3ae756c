// recorder: the tracker's leak scans: the exit scan's verdicts and the scans on demand
// (heapscope_leak_check, the control endpoint), each with every other thread stopped.
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "recorder/guard.h"
#include "recorder/leak_scan.h"
#include "recorder/log.h"
#include "recorder/scan_roots.h"
#include "recorder/tracker.h"
#include "recorder/tracker_state.h"
#include "recorder/world_stop.h"

extern "C" void* __libc_stack_end; // glibc's: the main thread's stack pointer at entry

namespace heapscope::recorder {
namespace {

// One leak scan at a time: a second caller waits (and is stopped by the first, harmlessly).
std::atomic<bool> s_scanning{false};

// Where the program's exit began, on the thread that exits: its stack from there, and its
// registers (the callee-saved ones at exit's call; all of them where a signal interrupted it).
struct ExitRoots {
    std::uint64_t stackStart = 0;
    std::uint64_t registers[StoppedThread::kMaxRegisters] = {};
    std::size_t registerCount = 0;
    std::uint64_t wholeStackAt = 0; // see ThreadContext
};
ExitRoots s_exitRoots;
std::atomic<pid_t> s_exitThread{0};

// The first thread to exit runs exit's handlers and the scan: fill(s_exitRoots) on it only.
template <typename Fill>
void noteExitRoots(Fill&& fill) noexcept {
    pid_t none = 0;
    if (!s_exitThread.compare_exchange_strong(none, -1, std::memory_order_acq_rel)) return;
    fill(s_exitRoots);
    s_exitThread.store(::gettid(), std::memory_order_release);
}

// The exit scan's roots for the calling thread: its stack from where the program's exit began,
// when it began on this thread; else none.
ThreadContext exitRootsOfThisThread() noexcept {
    if (s_exitThread.load(std::memory_order_acquire) != ::gettid()) return ThreadContext{};
    return ThreadContext{s_exitRoots.stackStart, 0, s_exitRoots.registers,
                         s_exitRoots.registerCount, s_exitRoots.wholeStackAt};
}

ThreadContext contextOf(const CallerRoots& caller) noexcept {
    return ThreadContext{caller.stackStart, 0, caller.calleeSaved, caller.calleeSavedCount};
}

// Fills scan with the live blocks and classifies them, with every other thread stopped.
// own: the calling thread's roots: for a scan on demand, its stack from the API function up;
// at exit, from where the program's exit began (the frames of a main that called exit are
// live). Without them (no stack, no registers) its TLS is still a root.
bool scanLiveBlocks(LeakScan& scan, ThreadContext own) noexcept {
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
            own.threadPointer = currentThreadPointer();
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
bool withLeakScan(const ThreadContext& own, Use&& use) noexcept {
    bool expected = false;
    while (!s_scanning.compare_exchange_weak(expected, true, std::memory_order_acquire)) {
        expected = false;
        ::sched_yield();
    }
    bool ok = false;
    {
        LeakScan scan;
        ok = scanLiveBlocks(scan, own);
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
    noteExitRoots([&](ExitRoots& exit) {
        exit.stackStart = roots.stackStart;
        std::copy_n(roots.calleeSaved, roots.calleeSavedCount, exit.registers);
        exit.registerCount = roots.calleeSavedCount;
    });
}

void noteInterruptedExit(const ucontext_t* context) noexcept {
    noteExitRoots([&](ExitRoots& exit) {
        StoppedThread interrupted;
        captureContext(interrupted, context);
        exit.stackStart = belowRedZone(interrupted.sp);
        std::copy_n(interrupted.registers, interrupted.registerCount, exit.registers);
        exit.registerCount = interrupted.registerCount;
        // Interrupted on a signal stack (a signal raised by another handler running there, as
        // Rust's stack overflow handler aborts): the frames below it on the thread's own stack
        // are live too, and glibc's marks of that stack are at hand without a lock.
        stack_t signalStack{};
        if (sigaltstack(nullptr, &signalStack) == 0 && (signalStack.ss_flags & SS_ONSTACK) != 0 &&
            interrupted.sp - reinterpret_cast<std::uint64_t>(signalStack.ss_sp) <
                signalStack.ss_size) {
            exit.wholeStackAt = ::gettid() == ::getpid()
                                    ? reinterpret_cast<std::uint64_t>(__libc_stack_end)
                                    : static_cast<std::uint64_t>(pthread_self());
        }
    });
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
    const bool scanned =
        withLeakScan(contextOf(caller), [&](LeakScan& scan) { totals = scan.totals(); });
    if (scanned) s_recorder->flusher.writeLeakCheck(format::LeakCheckRecord{0, false, totals});
    return scanned;
}

} // namespace heapscope::recorder
