// recorder: the writer thread. Each cycle it drains every thread's buffer, merges the events
// into one time order (event_merge.h), writes stack nodes before the events that use them,
// module loads, RSS samples and thread names, and flushes a zstd frame at least every
// flushIntervalMs. It keeps the live statistics, counted in that exact order.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "format/writer.h"
#include "recorder/event_clock.h"
#include "recorder/event_merge.h"
#include "recorder/modules.h"
#include "recorder/stack_trie.h"
#include "recorder/thread_buffer.h"

namespace heapscope::recorder {

struct LiveStats {
    std::uint64_t liveBytes = 0;
    std::uint64_t liveBlocks = 0;
    std::uint64_t peakBytes = 0;
    std::uint64_t totalAllocations = 0;
    std::uint64_t totalBytes = 0;
};

struct FlusherSettings {
    std::uint64_t flushIntervalMs = 50;
    std::uint64_t rssIntervalMs = 10;
    void (*onWriteFailure)() = nullptr; // recording must stop: the trace cannot be written
    void (*onWake)() = nullptr;         // on the writer thread after each cycle, unlocked
};

class Flusher {
public:
    Flusher(ThreadRegistry& registry, StackTrie& trie, const FlusherSettings& settings);
    Flusher(const Flusher&) = delete;
    Flusher& operator=(const Flusher&) = delete;

    // Opens the trace, writes the header and the module map. Times in the trace are relative
    // to startNs (a monotonicNowNs() value). Logs the reason and returns false on failure.
    bool open(const std::string& path, const format::TraceHeader& header, std::uint64_t startNs,
              const LiveStats& inherited);
    bool startThread();
    // Writes records after the program's last events and before End (the exit leak scan's).
    using FinalWriter = void (*)(format::TraceWriter& writer, std::uint64_t timeNs, void* context);
    // The status the program exits with, or the signal that ends it: stop() writes it as an
    // ExitStatus record.
    void noteExitStatus(int status) { m_exitStatus.store(status, std::memory_order_relaxed); }
    void noteDeathBySignal(int signal) { m_exitSignal.store(signal, std::memory_order_relaxed); }
    // Stops the thread, writes everything still buffered, then final's records, the exit status
    // if noted, an EndRecord, and closes the trace.
    void stop(FinalWriter final = nullptr, void* context = nullptr);
    // The writer thread's id, 0 when it is not running (the leak scan must not stop it: it
    // blocks every signal). Waits briefly for a writer that has not started running yet.
    pid_t writerTid() const;
    // Writes an on-demand leak check's record once every event stamped before it is written.
    void writeLeakCheck(format::LeakCheckRecord record);
    // Recording paused (on false) or resumed at ticks (eventTicks()): a Recording record,
    // written after every event stamped before that time.
    void noteRecording(bool on, std::uint64_t ticks);
    // A mark with no thread of its own (from `heapscope ctl`), placed in time as noteRecording.
    void noteMark(std::string name, std::uint64_t ticks);
    // Starts a new peak: from now on peakBytes counts from the live bytes at the call.
    void resetPeak();
    bool running() const { return m_running.load(std::memory_order_acquire); }
    void wake();
    // A dlopen/dlclose happened: re-read the module map on the next cycle.
    void noteModulesChanged();
    // Waits until a cycle that started after ticks (eventTicks()) has completed, so every
    // event stamped before it is counted in stats(). False if the writer is not running.
    bool waitForCycleAfter(std::uint64_t ticks);
    LiveStats stats();

    // fork(): prepare holds the cycle lock (no cycle is half done in the child); the child
    // drops the parent's trace and pending events, and opens its own trace.
    void prepareFork();
    void parentAfterFork();
    bool childAfterFork(const std::string& path, const format::TraceHeader& header,
                        std::uint64_t startNs, const LiveStats& inherited);

private:
    struct KnownThread {
        ThreadBuffer* buffer;
        ThreadIndex index;
        std::uint64_t tid;
        std::string name;
        bool dead;
    };

    static void* threadEntry(void* self);
    void run();
    void cycle(bool final);
    void collectBuffers();
    void writeStackNodes();
    void writeEvent(ThreadIndex thread, const Event& event);
    // Writes the events stamped before limit, with the noted records in their time order.
    void emitBefore(std::uint64_t limit);
    void sampleRss(std::uint64_t timeNs);
    void checkThreadNames(std::uint64_t timeNs);
    void retireDeadThreads(std::uint64_t timeNs);
    void flushFrame();
    std::uint64_t relative(std::uint64_t monotonicNs) const;

    ThreadRegistry& m_registry;
    StackTrie& m_trie;
    FlusherSettings m_settings;

    std::mutex m_cycleMutex; // one cycle at a time; held across fork()
    format::TraceWriter m_writer;
    EventMerger m_merger;
    TickConverter m_clock; // event ticks to nanoseconds; calibrated at open and each cycle
    ModuleMap m_modules;
    std::vector<KnownThread> m_threads;
    LiveStats m_stats;
    std::uint64_t m_startNs = 0;
    std::uint64_t m_lastWrittenNs = 0; // relative time of the newest record written
    std::uint64_t m_lastFlushNs = 0;
    std::uint64_t m_lastRssNs = 0;
    std::uint64_t m_lastNamesNs = 0;
    std::uint32_t m_nextNode = 1;
    bool m_failed = false;
    std::atomic<int> m_exitStatus{-1}; // -1: not noted
    std::atomic<int> m_exitSignal{0};  // 0: not noted
    // Records noted by noteRecording/noteMark, not yet written.
    struct Noted {
        std::uint64_t ticks; // eventTicks()
        bool isMark;
        bool on;
        std::string name;
    };
    std::mutex m_notedMutex; // held across fork() after m_cycleMutex
    std::vector<Noted> m_noted;
    // An Error event waiting for its ErrorDetail (always the next event of the same thread).
    format::ErrorRecord m_error;
    bool m_errorPending = false;

    pthread_t m_thread{};
    std::atomic<bool> m_running{false};
    std::atomic<pid_t> m_writerTid{0};
    std::atomic<bool> m_stopRequested{false};
    std::atomic<bool> m_modulesChanged{false};
    std::atomic<std::uint32_t> m_wakeWord{0};
    std::atomic<std::uint64_t> m_completedCycleStart{0};
};

} // namespace heapscope::recorder
