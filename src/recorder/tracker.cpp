// recorder: the tracker: start-up (options, trace file, writer thread), the per-hook recording
// steps, thread exit, fork and shutdown (its leak scans: tracker_leaks.cpp).
#include "recorder/tracker.h"

#include <pthread.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "common/clock.h"
#include "recorder/deadly_signals.h"
#include "recorder/event_clock.h"
#include "recorder/flusher.h"
#include "recorder/foreign_address.h"
#include "recorder/live_table.h"
#include "recorder/log.h"
#include "recorder/options.h"
#include "recorder/preload_env.h"
#include "recorder/real_symbols.h"
#include "recorder/remote_control.h"
#include "recorder/sampler.h"
#include "recorder/stack_cache.h"
#include "recorder/stack_trie.h"
#include "recorder/thread_buffer.h"
#include "recorder/trace_naming.h"
#include "recorder/tracker_state.h"
#include "recorder/unwind.h"

namespace heapscope::recorder {

Recorder* s_recorder = nullptr;

namespace {

using format::AllocFamily;

constexpr std::size_t kMaxStackDepth = 256;

// Per-thread scratch, mapped with the thread's buffer.
struct ThreadScratch {
    StackCache cache;
    std::uintptr_t frames[kMaxStackDepth + kUnwindSlack];
};

void stopOnWriteFailure();

alignas(Recorder) unsigned char s_storage[sizeof(Recorder)];
std::atomic<RecorderState> s_state{RecorderState::Off};
// While true, new blocks are untraced (see tracker.h); the trace stays open.
std::atomic<bool> s_paused{false};
constinit thread_local SampleState t_sample;
constinit thread_local ThreadBuffer* t_buffer = nullptr;
// Set on the thread that holds every recorder lock across fork().
constinit thread_local bool t_forking = false;

void stopOnWriteFailure() { s_state.store(RecorderState::Stopped, std::memory_order_release); }

void wakeWriter() { s_recorder->flusher.wake(); }

bool waitForDrain() {
    if (!s_recorder->flusher.running()) return false;
    s_recorder->flusher.wake();
    return true;
}

constexpr ThreadBuffer::Drain kDrain{&wakeWriter, &waitForDrain};

void append(ThreadBuffer& buffer, EventKind kind, std::uint64_t address, std::uint64_t size,
            StackId stack, AllocFamily family) noexcept {
    buffer.append(
        [&](Event& e) {
            e.ticks = eventTicks();
            e.address = address;
            e.size = size;
            e.stack = stack.value;
            e.kind = kind;
            e.family = static_cast<std::uint8_t>(family);
        },
        kDrain);
}

void onThreadExit(void* buffer) {
    static_cast<ThreadBuffer*>(buffer)->markEnded();
    dropThreadSignalStack();
}

// The calling thread's buffer, created (and announced with a ThreadStart event) on its first
// event. nullptr if the memory cannot be mapped.
ThreadBuffer* currentBuffer() noexcept {
    if (t_buffer != nullptr) return t_buffer;
    char name[16] = {};
    prctl(PR_GET_NAME, name);
    ThreadBuffer* buffer = s_recorder->registry.create(static_cast<std::uint64_t>(gettid()), name,
                                                       sizeof(ThreadScratch));
    if (buffer == nullptr) return nullptr;
    pthread_setspecific(s_recorder->threadKey, buffer);
    t_buffer = buffer;
    giveThreadASignalStack();
    append(*buffer, EventKind::ThreadStart, 0, 0, StackId{}, AllocFamily::Malloc);
    return buffer;
}

StackId captureStack(ThreadBuffer& buffer, const void* entryFrame) noexcept {
    auto* scratch = static_cast<ThreadScratch*>(buffer.scratch());
    const StackView stack = unwindStack(scratch->frames, s_recorder->stackDepth, entryFrame);
    if (stack.depth == 0) return StackId{};
    const std::uint64_t hash = StackCache::hashFrames(stack.frames, stack.depth);
    StackId id = scratch->cache.find(hash, stack.depth, stack.frames[0]);
    if (id.value != 0) return id;
    id = s_recorder->trie.intern(stack.frames, stack.depth);
    if (id.value != 0) scratch->cache.store(hash, stack.depth, stack.frames[0], id);
    return id;
}

// Whether a new block of size bytes goes into the trace: not while paused, and with a sample
// rate only when the thread's byte countdown reaches its next sample point.
bool traceNewBlock(std::size_t size) noexcept {
    if (s_paused.load(std::memory_order_relaxed)) return false;
    const std::uint64_t rate = s_recorder->options.sampleRate;
    if (rate == 0) return true;
    if (t_sample.rng == 0) {
        // The address of a thread-local differs between live threads, the clock between runs.
        seedSampler(t_sample, monotonicNowNs() ^ reinterpret_cast<std::uintptr_t>(&t_sample), rate);
    }
    return sampleBytes(t_sample, rate, size);
}

// A block the live table knows and the trace does not: no stack, no event.
void insertUntraced(std::uint64_t address, std::uint64_t size, AllocFamily family) noexcept {
    (void)s_recorder->live.insert(LiveEntry{address, size, StackId{}, ThreadIndex{}, family,
                                            /*traced=*/false, /*freed=*/false, StackId{}});
}

void insertAndAppend(ThreadBuffer& buffer, std::uint64_t address, std::uint64_t size, StackId stack,
                     AllocFamily family) noexcept {
    const LiveEntry entry{address,         size,     stack, buffer.index(), family, /*traced=*/true,
                          /*freed=*/false, StackId{}};
    if (!s_recorder->live.insert(entry)) return;
    append(buffer, EventKind::Alloc, address, size, stack, family);
}

// What an error report says about the block involved.
struct BadBlock {
    std::uint64_t size = 0;
    std::uint64_t offset = 0; // of the address into the block
    StackId allocStack;
    StackId freeStack;
};

// The Error event and its ErrorDetail, under one lock hold (see event.h).
void appendError(ThreadBuffer& buffer, format::ErrorKind kind, std::uint64_t address,
                 const BadBlock& block, StackId stack) noexcept {
    buffer.appendEvents<2>(
        [&](Event* e) {
            const std::uint64_t now = eventTicks();
            e[0] = Event{.ticks = now,
                         .address = address,
                         .size = block.size,
                         .stack = stack.value,
                         .kind = EventKind::Error,
                         .family = static_cast<std::uint8_t>(kind)};
            e[1] = Event{.ticks = now,
                         .address = block.offset,
                         .size = block.freeStack.value,
                         .stack = block.allocStack.value,
                         .kind = EventKind::ErrorDetail,
                         .family = 0};
        },
        kDrain);
}

// The live block address points into (past its start). A walk over the whole table: only
// on the error path.
bool findContainingBlock(std::uint64_t address, LiveEntry& out) noexcept {
    bool found = false;
    s_recorder->live.forEach([&](const LiveEntry& e) {
        if (found || address <= e.address || address - e.address >= e.size) return;
        out = e;
        found = true;
    });
    return found;
}

// A free or realloc of an address that is no live block: true (with what to report) when it
// is a heap error. False when it may be a block the recorder never saw, allocated before
// recording started or inside the recorder; such a block goes on to the real allocator.
bool classifyUnknown(std::uint64_t address, format::ErrorKind& kind, BadBlock& block) noexcept {
    LiveEntry freed;
    if (s_recorder->live.findFreed(address, freed)) {
        kind = format::ErrorKind::DoubleFree;
        block = BadBlock{freed.size, 0, freed.stack, freed.freeStack};
        return true;
    }
    LiveEntry owner;
    if (findContainingBlock(address, owner)) {
        kind = format::ErrorKind::InvalidFree;
        block = BadBlock{owner.size, address - owner.address, owner.stack, StackId{}};
        return true;
    }
    const auto ownStack = reinterpret_cast<std::uint64_t>(__builtin_frame_address(0));
    if (!certainlyNotHeap(address, ownStack)) return false;
    kind = format::ErrorKind::InvalidFree;
    block = BadBlock{};
    return true;
}

// Reports a free or realloc of an address that is no live block, if it is a heap error.
// Returns true when it was one: the call must then not reach the real allocator.
bool reportUnknown(ThreadBuffer* buffer, std::uint64_t address, const void* entryFrame) noexcept {
    format::ErrorKind kind{};
    BadBlock block;
    if (!classifyUnknown(address, kind, block)) return false;
    if (buffer != nullptr) {
        appendError(*buffer, kind, address, block, captureStack(*buffer, entryFrame));
    }
    return true;
}

LiveStats liveTotals() noexcept {
    LiveStats totals;
    s_recorder->live.forEach([&](const LiveEntry& e) {
        if (!e.traced) return; // the statistics count the trace's blocks
        totals.liveBytes += e.size;
        totals.liveBlocks += 1;
    });
    return totals;
}

format::TraceHeader makeHeader(pid_t pid) {
    format::TraceHeader header;
    header.pid = static_cast<std::uint64_t>(pid);
    header.ppid = static_cast<std::uint64_t>(getppid());
    header.executable = executablePath();
    header.commandLine = commandLine();
    header.startRealtimeNs = realtimeNowNs();
    header.pageSize = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    header.sampleRate = s_recorder->options.sampleRate;
    header.stackDepth = static_cast<std::uint32_t>(s_recorder->stackDepth);
    header.timeQuantumNs = 1000; // µs: ns time deltas were half of a trace's bytes
    return header;
}

void forkPrepare() {
    if (s_state.load(std::memory_order_acquire) != RecorderState::Recording) return;
    s_recorder->flusher.prepareFork();
    s_recorder->forkGuardWasSet = t_inRecorder;
    t_inRecorder = true; // the locks below are held: this thread must not record until released
    s_recorder->registry.lock();
    s_recorder->trie.lock();
    s_recorder->live.lockAll();
    t_forking = true;
}

void forkParent() {
    if (s_state.load(std::memory_order_acquire) != RecorderState::Recording) return;
    t_forking = false;
    s_recorder->live.unlockAll();
    s_recorder->trie.unlock();
    s_recorder->registry.unlock();
    t_inRecorder = s_recorder->forkGuardWasSet;
    s_recorder->flusher.parentAfterFork();
}

void forkChild() {
    if (s_state.load(std::memory_order_acquire) != RecorderState::Recording) return;
    t_forking = false;
    s_recorder->live.unlockAll();
    s_recorder->live.afterForkInChild();
    s_recorder->trie.unlock();
    s_recorder->pid = getpid();
    s_recorder->registry.keepOnly(t_buffer, static_cast<std::uint64_t>(gettid()));
    s_recorder->registry.unlock();
    // Blocks inherited from the parent stay live: the child may free them.
    const std::uint64_t startNs = monotonicNowNs();
    const bool ok = s_recorder->flusher.childAfterFork(
        inDirectory(tracePath(s_recorder->options, s_recorder->pid), s_recorder->traceDirectory),
        makeHeader(s_recorder->pid), startNs, liveTotals());
    if (!ok) s_state.store(RecorderState::Stopped, std::memory_order_release);
    if (ok) openRemoteControl(s_recorder->pid);
    if (ok && s_paused.load(std::memory_order_relaxed)) {
        s_recorder->flusher.noteRecording(false, eventTicks()); // the child's trace starts paused
    }
    if (ok && t_buffer != nullptr) {
        append(*t_buffer, EventKind::ThreadStart, 0, 0, StackId{}, AllocFamily::Malloc);
    }
    t_inRecorder = s_recorder->forkGuardWasSet;
}

void start() {
    RecorderGuard guard;
    if (realFunctions() == nullptr) return;
    Options options = readOptions();
    s_logQuiet = options.quiet;
    if (!options.traceChildren) removeSelfFromPreload();
    const pid_t pid = getpid();
    if (options.outputPid == 0) {
        // This is the first traced process: later processes (exec'd with --trace-children)
        // must see that the plain output name is taken.
        options.outputPid = static_cast<std::uint64_t>(pid);
        exportToChildren("HEAPSCOPE_OUTPUT_PID", std::to_string(pid).c_str());
    }
    // A relative trace name is taken from the directory recording starts in, so a child forked
    // after the program changed directory (a daemon's chdir("/")) writes beside its parent;
    // exported, so exec'd children agree (heapscope run passes it absolute already).
    const std::string directory = workingDirectory();
    const std::string output =
        options.output.empty() ? options.output : inDirectory(options.output, directory);
    if (output != options.output) {
        options.output = output;
        exportToChildren("HEAPSCOPE_OUTPUT", output.c_str());
    }
    s_recorder = new (s_storage)
        Recorder(options, FlusherSettings{options.flushIntervalMs, options.rssIntervalMs,
                                          &stopOnWriteFailure, &pollRemoteControl});
    s_recorder->pid = pid;
    s_recorder->traceDirectory = directory;
    s_recorder->stackDepth =
        std::min<std::size_t>(std::max<std::uint64_t>(options.stackDepth, 1), kMaxStackDepth);

    std::uintptr_t selfStart = 0;
    std::uintptr_t selfEnd = 0;
    if (!ModuleMap::executableRange(reinterpret_cast<const void*>(&start), selfStart, selfEnd)) {
        logLine("cannot find the recorder's own code, not recording");
        return;
    }
    unwindInit(selfStart, selfEnd);
    if (pthread_key_create(&s_recorder->threadKey, &onThreadExit) != 0 ||
        pthread_atfork(&forkPrepare, &forkParent, &forkChild) != 0) {
        logLine("cannot register thread and fork handlers, not recording");
        return;
    }
    chooseEventClock(true);
    const std::string path = inDirectory(tracePath(options, pid), directory);
    if (!s_recorder->flusher.open(path, makeHeader(pid), monotonicNowNs(), LiveStats{})) return;
    logDebug("recording to", path.c_str());
    if (options.startPaused) {
        s_paused.store(true, std::memory_order_relaxed);
        s_recorder->flusher.noteRecording(false, eventTicks());
    }
    openRemoteControl(pid);
    s_state.store(RecorderState::Recording, std::memory_order_release);
    if (!s_recorder->flusher.startThread()) {
        s_state.store(RecorderState::Stopped, std::memory_order_release);
        return;
    }
    catchDeadlySignals();
}

__attribute__((constructor)) void onLoad() { start(); }
__attribute__((destructor)) void onUnload() { shutdown(); }

} // namespace

bool shouldRecord() noexcept {
    return !t_inRecorder && s_state.load(std::memory_order_acquire) == RecorderState::Recording;
}

bool isRecording() noexcept {
    return s_state.load(std::memory_order_acquire) == RecorderState::Recording;
}

void recordAlloc(void* ptr, std::size_t size, AllocFamily family, const void* entryFrame) noexcept {
    RecorderGuard guard; // libunwind and the trie may allocate: forward those
    if (!traceNewBlock(size)) {
        insertUntraced(reinterpret_cast<std::uint64_t>(ptr), size, family);
        return;
    }
    ThreadBuffer* buffer = currentBuffer();
    if (buffer == nullptr) return;
    const StackId stack = captureStack(*buffer, entryFrame);
    insertAndAppend(*buffer, reinterpret_cast<std::uint64_t>(ptr), size, stack, family);
}

bool recordFree(void* ptr, AllocFamily family, const void* entryFrame) noexcept {
    RecorderGuard guard;
    const auto address = reinterpret_cast<std::uint64_t>(ptr);
    ThreadBuffer* buffer = currentBuffer();
    // When nearly every block is traced (no sampling, not paused), the free stack is taken
    // first, so the table's one look-up stores it too; else only a traced block's free unwinds.
    const bool freeStacks = s_recorder->options.freeStacks;
    const bool stackFirst = buffer != nullptr && freeStacks &&
                            s_recorder->options.sampleRate == 0 &&
                            !s_paused.load(std::memory_order_relaxed);
    StackId freeStack = stackFirst ? captureStack(*buffer, entryFrame) : StackId{};
    LiveEntry entry;
    if (!s_recorder->live.release(address, freeStack, entry)) {
        return !reportUnknown(buffer, address, entryFrame);
    }
    const bool mismatched = entry.family != family;
    if (!stackFirst && buffer != nullptr && ((entry.traced && freeStacks) || mismatched)) {
        freeStack = captureStack(*buffer, entryFrame);
        if (freeStacks) s_recorder->live.setFreeStack(address, freeStack);
    }
    if (buffer != nullptr && !entry.traced) {
        if (mismatched) {
            appendError(*buffer, format::ErrorKind::MismatchedFree, address,
                        BadBlock{entry.size, 0, StackId{}, StackId{}}, freeStack);
        }
    } else if (buffer != nullptr) {
        append(*buffer, EventKind::Free, address, entry.size, StackId{}, family);
        // As memcheck: reported, and the block is still freed (every family's memory comes
        // from the real malloc, so the real free is right for it).
        if (mismatched) {
            appendError(*buffer, format::ErrorKind::MismatchedFree, address,
                        BadBlock{entry.size, 0, entry.stack, StackId{}}, freeStack);
        }
    }
    return true;
}

void noteUntrackedBlock(void* ptr) noexcept {
    // The forking thread holds the record's locks (and only a later fork handler allocates).
    // The recorder's own threads stay out of the table: their blocks are never the program's,
    // and a program thread then has it to itself (see owner_elision.h).
    if (!isRecording() || t_forking || t_recorderThread) return;
    s_recorder->live.forget(reinterpret_cast<std::uint64_t>(ptr));
}

void* trackedRealloc(void* ptr, std::size_t size, const void* entryFrame) noexcept {
    RecorderGuard guard;
    const RealFunctions* real = realFunctions();
    ThreadBuffer* buffer = currentBuffer();
    LiveEntry old;
    const auto oldAddress = reinterpret_cast<std::uint64_t>(ptr);
    const bool known = s_recorder->live.release(oldAddress, StackId{}, old);
    // As memcheck: a realloc of a freed or foreign pointer is reported and returns null, and
    // the pointer is left alone.
    if (!known && reportUnknown(buffer, oldAddress, entryFrame)) return nullptr;
    // The result is traced by the rule for a new block, whatever the old block was.
    const bool traceResult = traceNewBlock(size);
    const bool oldTraced = known && old.traced;
    const bool mismatched = known && old.family != AllocFamily::Malloc;
    // One stack serves the free of the old block and the allocation of the new one.
    const StackId stack = buffer != nullptr && (traceResult || oldTraced || mismatched)
                              ? captureStack(*buffer, entryFrame)
                              : StackId{};
    // The free is recorded before the real call: once realloc returns, another thread may
    // already have been handed the old address.
    if (known && buffer != nullptr) {
        if (oldTraced)
            append(*buffer, EventKind::Free, oldAddress, old.size, StackId{}, AllocFamily::Malloc);
        if (mismatched) {
            appendError(*buffer, format::ErrorKind::MismatchedFree, oldAddress,
                        BadBlock{old.size, 0, old.stack, StackId{}}, stack);
        }
    }
    if (known && stack != StackId{}) s_recorder->live.setFreeStack(oldAddress, stack);
    void* result = real->realloc(ptr, size);
    // Resized in place, or failed with the old block still the program's: the inserts below
    // make the old address live again.
    if (result != nullptr && (!traceResult || buffer == nullptr)) {
        insertUntraced(reinterpret_cast<std::uint64_t>(result), size, AllocFamily::Malloc);
    } else if (result != nullptr) {
        insertAndAppend(*buffer, reinterpret_cast<std::uint64_t>(result), size, stack,
                        AllocFamily::Malloc);
    } else if (known && size != 0 && (!oldTraced || buffer == nullptr)) {
        // The realloc failed and the old block is still the program's: record it again.
        (void)s_recorder->live.insert(old);
    } else if (known && size != 0) {
        insertAndAppend(*buffer, oldAddress, old.size, old.stack, old.family);
    }
    return result;
}

void recordMark(const char* name) noexcept {
    if (name == nullptr || !shouldRecord()) return;
    RecorderGuard guard;
    ThreadBuffer* buffer = currentBuffer();
    if (buffer == nullptr) return;
    const std::size_t length = std::strlen(name);
    // The writer thread frees the copy once the MarkRecord is written.
    auto* copy = static_cast<char*>(realFunctions()->malloc(length + 1));
    if (copy == nullptr) return;
    std::memcpy(copy, name, length + 1);
    append(*buffer, EventKind::Mark, reinterpret_cast<std::uint64_t>(copy), length, StackId{},
           AllocFamily::Malloc);
}

bool setPaused(bool paused) noexcept {
    if (!isRecording()) return false;
    RecorderGuard guard;
    bool expected = !paused;
    if (s_paused.compare_exchange_strong(expected, paused, std::memory_order_acq_rel)) {
        s_recorder->flusher.noteRecording(!paused, eventTicks());
    }
    return true;
}

bool isPaused() noexcept { return s_paused.load(std::memory_order_acquire); }

void recordOutsideMark(const char* name) noexcept {
    if (name == nullptr || !isRecording()) return;
    RecorderGuard guard;
    s_recorder->flusher.noteMark(name, eventTicks());
}

void noteModulesChanged() noexcept {
    unwindModulesChanged();
    if (!isRecording()) return;
    RecorderGuard guard;
    s_recorder->flusher.noteModulesChanged();
}

void recordModulesBeforeUnload() noexcept {
    if (!isRecording() || t_inRecorder) return;
    RecorderGuard guard;
    s_recorder->flusher.noteModulesChanged();
    (void)s_recorder->flusher.waitForCycleAfter(eventTicks());
}

void noteExitStatus(int status) noexcept {
    // Only the recording process: a vfork child shares the parent's recorder.
    if (s_recorder == nullptr || getpid() != s_recorder->pid) return;
    s_recorder->flusher.noteExitStatus(status & 0xff); // what the parent's wait() sees
}

void noteDeathBySignal(int signal) noexcept {
    if (s_recorder == nullptr || getpid() != s_recorder->pid) return;
    s_recorder->flusher.noteDeathBySignal(signal);
}

void shutdown(ShutdownScan scan) noexcept {
    // A vfork child shares the parent's memory: it must not stop the parent's recording.
    if (s_recorder == nullptr || getpid() != s_recorder->pid) return;
    RecorderState expected = RecorderState::Recording;
    if (!s_state.compare_exchange_strong(expected, RecorderState::Stopped)) return;
    RecorderGuard guard;
    // After the program's atexit handlers and static destructors (this library is finalized
    // last), with recording stopped, so the live table no longer changes.
    if (scan != ShutdownScan::Scan || s_recorder->options.leakCheck == "none" ||
        !stopWithExitLeakScan()) {
        s_recorder->flusher.stop();
    }
    closeRemoteControl();
}

bool resetPeak() noexcept {
    if (!isRecording() || t_inRecorder) return false;
    RecorderGuard guard;
    s_recorder->flusher.resetPeak();
    return true;
}

bool readStats(Stats& out) noexcept {
    if (!isRecording() || t_inRecorder) return false;
    RecorderGuard guard;
    if (!s_recorder->flusher.waitForCycleAfter(eventTicks())) return false;
    const LiveStats s = s_recorder->flusher.stats();
    out = Stats{s.liveBytes, s.liveBlocks, s.peakBytes, s.totalAllocations, s.totalBytes};
    return true;
}

} // namespace heapscope::recorder
