// recorder: the tracker: start-up (options, trace file, writer thread), the per-hook recording
// steps, thread exit, fork and shutdown.
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
#include "recorder/flusher.h"
#include "recorder/live_table.h"
#include "recorder/log.h"
#include "recorder/options.h"
#include "recorder/preload_env.h"
#include "recorder/real_symbols.h"
#include "recorder/stack_cache.h"
#include "recorder/stack_trie.h"
#include "recorder/thread_buffer.h"
#include "recorder/trace_naming.h"
#include "recorder/unwind.h"

namespace heapscope::recorder {
namespace {

using format::AllocFamily;

constexpr std::size_t kMaxStackDepth = 256;

// Per-thread scratch, mapped with the thread's buffer.
struct ThreadScratch {
    StackCache cache;
    std::uintptr_t frames[kMaxStackDepth + kUnwindSlack];
};

void stopOnWriteFailure();

struct Recorder {
    explicit Recorder(const Options& o)
        : options(o),
          flusher(registry, trie,
                  FlusherSettings{o.flushIntervalMs, o.rssIntervalMs, &stopOnWriteFailure}) {}

    Options options;
    LiveTable live;
    StackTrie trie;
    ThreadRegistry registry;
    Flusher flusher;
    std::size_t stackDepth = 64;
    pid_t pid = 0;
    pthread_key_t threadKey{};
    bool forkGuardWasSet = false;
};

alignas(Recorder) unsigned char s_storage[sizeof(Recorder)];
// Built once at start-up and never destroyed: hooks may run during and after exit.
Recorder* s_recorder = nullptr;
std::atomic<RecorderState> s_state{RecorderState::Off};
constinit thread_local ThreadBuffer* t_buffer = nullptr;

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
            e.timeNs = monotonicNowNs();
            e.address = address;
            e.size = size;
            e.stack = stack.value;
            e.kind = kind;
            e.family = static_cast<std::uint8_t>(family);
        },
        kDrain);
}

void onThreadExit(void* buffer) { static_cast<ThreadBuffer*>(buffer)->markEnded(); }

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
    append(*buffer, EventKind::ThreadStart, 0, 0, StackId{}, AllocFamily::Malloc);
    return buffer;
}

StackId captureStack(ThreadBuffer& buffer) noexcept {
    auto* scratch = static_cast<ThreadScratch*>(buffer.scratch());
    const StackView stack = unwindStack(scratch->frames, s_recorder->stackDepth);
    if (stack.depth == 0) return StackId{};
    const std::uint64_t hash = StackCache::hashFrames(stack.frames, stack.depth);
    StackId id = scratch->cache.find(hash, stack.depth, stack.frames[0]);
    if (id.value != 0) return id;
    id = s_recorder->trie.intern(stack.frames, stack.depth);
    if (id.value != 0) scratch->cache.store(hash, stack.depth, stack.frames[0], id);
    return id;
}

void insertAndAppend(ThreadBuffer& buffer, std::uint64_t address, std::uint64_t size, StackId stack,
                     AllocFamily family) noexcept {
    if (!s_recorder->live.insert(LiveEntry{address, size, stack, buffer.index(), family})) return;
    append(buffer, EventKind::Alloc, address, size, stack, family);
}

LiveStats liveTotals() noexcept {
    LiveStats totals;
    s_recorder->live.forEach([&](const LiveEntry& e) {
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
    header.sampleRate = 0;
    header.stackDepth = static_cast<std::uint32_t>(s_recorder->stackDepth);
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
}

void forkParent() {
    if (s_state.load(std::memory_order_acquire) != RecorderState::Recording) return;
    s_recorder->live.unlockAll();
    s_recorder->trie.unlock();
    s_recorder->registry.unlock();
    t_inRecorder = s_recorder->forkGuardWasSet;
    s_recorder->flusher.parentAfterFork();
}

void forkChild() {
    if (s_state.load(std::memory_order_acquire) != RecorderState::Recording) return;
    s_recorder->live.unlockAll();
    s_recorder->trie.unlock();
    s_recorder->pid = getpid();
    s_recorder->registry.keepOnly(t_buffer, static_cast<std::uint64_t>(gettid()));
    s_recorder->registry.unlock();
    // Blocks inherited from the parent stay live: the child may free them.
    const std::uint64_t startNs = monotonicNowNs();
    const bool ok =
        s_recorder->flusher.childAfterFork(tracePath(s_recorder->options, s_recorder->pid),
                                           makeHeader(s_recorder->pid), startNs, liveTotals());
    if (!ok) s_state.store(RecorderState::Stopped, std::memory_order_release);
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
        setenv("HEAPSCOPE_OUTPUT_PID", std::to_string(pid).c_str(), 1);
    }
    s_recorder = new (s_storage) Recorder(options);
    s_recorder->pid = pid;
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
    const std::string path = tracePath(options, pid);
    if (!s_recorder->flusher.open(path, makeHeader(pid), monotonicNowNs(), LiveStats{})) return;
    logDebug("recording to", path.c_str());
    s_state.store(RecorderState::Recording, std::memory_order_release);
    if (!s_recorder->flusher.startThread()) {
        s_state.store(RecorderState::Stopped, std::memory_order_release);
    }
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

void recordAlloc(void* ptr, std::size_t size, AllocFamily family) noexcept {
    RecorderGuard guard; // libunwind and the trie may allocate: forward those
    ThreadBuffer* buffer = currentBuffer();
    if (buffer == nullptr) return;
    const StackId stack = captureStack(*buffer);
    insertAndAppend(*buffer, reinterpret_cast<std::uint64_t>(ptr), size, stack, family);
}

bool recordFree(void* ptr, AllocFamily family) noexcept {
    RecorderGuard guard;
    LiveEntry entry;
    const auto address = reinterpret_cast<std::uint64_t>(ptr);
    if (!s_recorder->live.erase(address, entry)) return false;
    if (ThreadBuffer* buffer = currentBuffer()) {
        append(*buffer, EventKind::Free, address, entry.size, StackId{}, family);
    }
    return true;
}

void* trackedRealloc(void* ptr, std::size_t size) noexcept {
    RecorderGuard guard;
    const RealFunctions* real = realFunctions();
    ThreadBuffer* buffer = currentBuffer();
    LiveEntry old;
    const auto oldAddress = reinterpret_cast<std::uint64_t>(ptr);
    const bool known = s_recorder->live.erase(oldAddress, old);
    // The free is recorded before the real call: once realloc returns, another thread may
    // already have been handed the old address.
    if (known && buffer != nullptr) {
        append(*buffer, EventKind::Free, oldAddress, old.size, StackId{}, AllocFamily::Malloc);
    }
    void* result = real->realloc(ptr, size);
    if (buffer == nullptr) return result;
    if (result != nullptr) {
        const StackId stack = captureStack(*buffer);
        insertAndAppend(*buffer, reinterpret_cast<std::uint64_t>(result), size, stack,
                        AllocFamily::Malloc);
    } else if (known && size != 0) {
        // The realloc failed and the old block is still the program's: record it again.
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

void noteModulesChanged() noexcept {
    if (!isRecording()) return;
    RecorderGuard guard;
    s_recorder->flusher.noteModulesChanged();
}

void recordModulesBeforeUnload() noexcept {
    if (!isRecording() || t_inRecorder) return;
    RecorderGuard guard;
    s_recorder->flusher.noteModulesChanged();
    (void)s_recorder->flusher.waitForCycleAfter(monotonicNowNs());
}

void shutdown() noexcept {
    // A vfork child shares the parent's memory: it must not stop the parent's recording.
    if (s_recorder == nullptr || getpid() != s_recorder->pid) return;
    RecorderState expected = RecorderState::Recording;
    if (!s_state.compare_exchange_strong(expected, RecorderState::Stopped)) return;
    RecorderGuard guard;
    s_recorder->flusher.stop();
}

bool readStats(Stats& out) noexcept {
    if (!isRecording() || t_inRecorder) return false;
    RecorderGuard guard;
    if (!s_recorder->flusher.waitForCycleAfter(monotonicNowNs())) return false;
    const LiveStats s = s_recorder->flusher.stats();
    out = Stats{s.liveBytes, s.liveBlocks, s.peakBytes, s.totalAllocations, s.totalBytes};
    return true;
}

} // namespace heapscope::recorder
