// recorder: the tracker's process-wide state, shared by the tracker's files (tracker.cpp: hooks,
// start-up, fork; tracker_leaks.cpp: leak scans). Not for the rest of the recorder.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <cstddef>
#include <string>

#include "recorder/flusher.h"
#include "recorder/live_table.h"
#include "recorder/options.h"
#include "recorder/stack_trie.h"
#include "recorder/thread_buffer.h"

namespace heapscope::recorder {

struct Recorder {
    Recorder(const Options& o, const FlusherSettings& settings)
        : options(o), flusher(registry, trie, settings) {}

    Options options;
    LiveTable live; // live blocks and the recently freed ones
    StackTrie trie;
    ThreadRegistry registry;
    Flusher flusher;
    std::size_t stackDepth = 64;
    pid_t pid = 0;
    std::string traceDirectory; // where recording started: relative trace names are taken from it
    pthread_key_t threadKey{};
    bool forkGuardWasSet = false;
};

// Built once at start-up and never destroyed: hooks may run during and after exit.
extern Recorder* s_recorder;

// At exit, with recording stopped: scans for leaks and stops the writer with the scan's records
// before the end of the trace. False, with the writer still running, when no scan could be made.
bool stopWithExitLeakScan() noexcept;

} // namespace heapscope::recorder
