// format: the record kinds of a heapscope trace (.hst) and their fields. docs/format.md has the
// byte layout; a change here bumps kFormatVersion and updates the writer, reader and docs together.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/ids.h"

namespace heapscope::format {

inline constexpr char kMagic[8] = {'H', 'E', 'A', 'P', 'S', 'C', 'O', 'P'};
// Version 2 added the header's timeQuantumNs (version 1 times are in ns), version 3 the
// FreeRecent and AllocReuse records (older traces write every address).
inline constexpr std::uint16_t kFormatVersion = 3;
inline constexpr std::uint16_t kFirstVersionWithShortForms = 3;
// A frame's four-byte marker, so a damaged frame is recognised as such.
inline constexpr std::uint32_t kFrameMarker = 0x31465348; // "HSF1" little-endian
// The reader refuses frames claiming more than this many raw bytes (hostile input).
inline constexpr std::uint32_t kMaxFrameRawBytes = 64u << 20;

// Tag values are part of the file format: never renumber, only append.
enum class RecordTag : std::uint8_t {
    Module = 1,
    ModuleUnload = 2,
    StackNode = 3,
    Thread = 4,
    ThreadSwitch = 5, // encoding detail: sets the thread of the records that follow
    Alloc = 6,
    Free = 7,
    Rss = 8,
    Mark = 9,
    Error = 10,
    LeakVerdict = 11,
    End = 12,
    ThreadEnd = 13,
    ExitStatus = 14,
    LeakCheck = 15,
    Recording = 16,
    FreeRecent = 17, // encoding detail: a Free naming its block by an earlier Alloc of its frame
    AllocReuse = 18, // encoding detail: an Alloc at an address freed earlier in its frame
};

// Which allocate/free pair a block belongs to; a mismatch (malloc then delete) is a heap error.
enum class AllocFamily : std::uint8_t { Malloc = 0, New = 1, NewArray = 2 };
inline constexpr std::uint8_t kAllocFamilyCount = 3;

enum class LeakKind : std::uint8_t {
    StillReachable = 0,
    PossiblyLost = 1,
    IndirectlyLost = 2,
    DefinitelyLost = 3,
};
inline constexpr std::uint8_t kLeakKindCount = 4;

enum class ErrorKind : std::uint8_t { DoubleFree = 0, InvalidFree = 1, MismatchedFree = 2 };
inline constexpr std::uint8_t kErrorKindCount = 3;

// The uncompressed header at the start of every trace.
struct TraceHeader {
    std::uint16_t version = kFormatVersion;
    std::uint64_t pid = 0;
    std::uint64_t ppid = 0;
    std::string executable;            // absolute path of the traced program
    std::vector<std::string> commandLine;
    std::uint64_t startRealtimeNs = 0; // wall clock at start (Unix epoch)
    std::uint64_t pageSize = 0;
    std::uint64_t sampleRate = 0; // 0: every allocation recorded
    std::uint32_t stackDepth = 0; // most frames kept per stack
    // Every time field is stored as time / timeQuantumNs and read back multiplied: times lose
    // what is below the quantum. 1 keeps ns (and is what version 1 traces have); the recorder
    // writes 1000 (µs), which halves the bytes of a trace's time deltas.
    std::uint64_t timeQuantumNs = 1;
};

struct Segment {
    std::uint64_t start = 0; // absolute address in the process
    std::uint64_t size = 0;
};

// A module mapped into the process (executable, shared library, vdso), written at start and on
// every dlopen. bias is the load bias (ELF vaddr + bias = runtime address).
struct ModuleRecord {
    ModuleId id;
    std::uint64_t timeNs = 0;
    std::uint64_t bias = 0;
    std::string path;
    std::string buildId; // raw bytes of the GNU build-id note, empty if none
    std::vector<Segment> segments; // executable PT_LOAD segments, runtime addresses
};

struct ModuleUnloadRecord {
    ModuleId id;
    std::uint64_t timeNs = 0;
};

// One edge of the stack trie: the stack `id` is `parent` with `returnAddress` appended (the
// outer frame is the parent). StackId 0 is the empty root. Each node is written once, before
// any record that uses it.
struct StackNodeRecord {
    StackId id;
    StackId parent;
    std::uint64_t returnAddress = 0;
};

struct ThreadRecord {
    ThreadIndex thread;
    std::uint64_t timeNs = 0;
    std::uint64_t tid = 0;
    std::string name; // may be renamed later by another ThreadRecord with the same index
};

struct ThreadEndRecord {
    ThreadIndex thread;
    std::uint64_t timeNs = 0;
};

struct AllocRecord {
    ThreadIndex thread;
    std::uint64_t timeNs = 0;
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    StackId stack; // innermost frame is the caller of the allocation function
    AllocFamily family = AllocFamily::Malloc;
};

// A realloc is written as the Free of the old block followed by the Alloc of the new one.
struct FreeRecord {
    ThreadIndex thread;
    std::uint64_t timeNs = 0;
    std::uint64_t address = 0;
    AllocFamily family = AllocFamily::Malloc; // the family of the function that freed it
};

struct RssRecord {
    std::uint64_t timeNs = 0;
    std::uint64_t rssBytes = 0;
};

struct MarkRecord {
    ThreadIndex thread;
    std::uint64_t timeNs = 0;
    std::string name;
};

struct ErrorRecord {
    ThreadIndex thread;
    std::uint64_t timeNs = 0;
    ErrorKind kind = ErrorKind::InvalidFree;
    std::uint64_t address = 0;
    std::uint64_t size = 0;     // of the block involved, 0 if unknown
    StackId stack;              // the offending call
    StackId allocStack;         // where the block was allocated (0 if unknown)
    StackId freeStack;          // where it was first freed (double free), else 0
    std::uint64_t offset = 0;   // address minus the block's start: > 0 for an interior pointer
};

// The exit-time verdict for one block still live at the end, after the at-exit LeakCheck.
struct LeakVerdictRecord {
    std::uint64_t address = 0;
    LeakKind kind = LeakKind::StillReachable;
    // For an indirectly lost block: the definitely lost block it was reached through (memcheck
    // counts it as that block's indirect bytes). 0 otherwise.
    std::uint64_t owner = 0;
};

struct LeakTotal {
    std::uint64_t bytes = 0;
    std::uint64_t blocks = 0;
    bool operator==(const LeakTotal&) const = default;
};

// One leak scan: at exit (its LeakVerdict records follow) or on demand through
// heapscope_leak_check() (totals only, to keep traces small).
struct LeakCheckRecord {
    std::uint64_t timeNs = 0;
    bool atExit = false;
    std::array<LeakTotal, kLeakKindCount> totals{}; // indexed by LeakKind
};

// Recording switched on or off (heapscope_start/stop, `heapscope ctl`, --start-paused). While
// off, new blocks are not written (their frees neither); frees of blocks written before are.
struct RecordingRecord {
    std::uint64_t timeNs = 0;
    bool on = false;
};

// Written by the recorder when the program finishes normally: the trace is complete.
struct EndRecord {
    std::uint64_t timeNs = 0;
};

// How the program ended: written by the recorder before End when the program exits or a
// signal's default action ends it, and appended after End by `heapscope run`, which also sees a
// signal no handler saw (SIGKILL). The last one counts.
struct ExitStatusRecord {
    bool signaled = false;
    std::int32_t code = 0; // exit code, or the signal number when signaled
};

using Record = std::variant<ModuleRecord, ModuleUnloadRecord, StackNodeRecord, ThreadRecord,
                            ThreadEndRecord, AllocRecord, FreeRecord, RssRecord, MarkRecord,
                            ErrorRecord, LeakVerdictRecord, EndRecord, ExitStatusRecord,
                            LeakCheckRecord, RecordingRecord>;

} // namespace heapscope::format
