// recorder: the roots of the leak scan (writable module segments, thread stacks, registers,
// static and dynamic TLS) and the readable address ranges, all in mmap'ed memory.
#pragma once

#include <cstddef>
#include <cstdint>

#include "recorder/world_stop.h"

namespace heapscope::recorder {

struct AddressRange {
    std::uint64_t start = 0;
    std::uint64_t end = 0; // exclusive
};

// A growable array of ranges in mmap'ed memory (never malloc: threads may be stopped in it).
class RangeList {
public:
    RangeList() = default;
    ~RangeList();
    RangeList(const RangeList&) = delete;
    RangeList& operator=(const RangeList&) = delete;

    void add(std::uint64_t start, std::uint64_t end) noexcept;
    void clear() noexcept { m_size = 0; }
    bool overlaps(std::uint64_t start, std::uint64_t end) const noexcept;
    std::size_t size() const { return m_size; }
    const AddressRange& operator[](std::size_t i) const { return m_items[i]; }
    AddressRange* begin() { return m_items; }
    AddressRange* end() { return m_items + m_size; }

private:
    AddressRange* m_items = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
};

// The readable mappings of /proc/self/maps, sorted, read with plain system calls.
class ReadableMemory {
public:
    bool load() noexcept;
    // True when [start, end) lies in readable mappings (adjacent ones count as one).
    bool contains(std::uint64_t start, std::uint64_t end) const noexcept;
    // The readable mapping holding address, if any.
    bool mappingOf(std::uint64_t address, AddressRange& out) const noexcept;
    // The stack a stack pointer (or the red zone below it) is in: the mapping holding it or,
    // for one that overflowed past the start of its stack, the mapping just above it.
    bool stackOf(std::uint64_t sp, AddressRange& out) const noexcept;

private:
    // The first mapping whose end is above address, or nullptr.
    const AddressRange* firstEndingAbove(std::uint64_t address) const noexcept;

    RangeList m_ranges;
};

// What the scan starts from. Ranges are scanned word by word; anchors are pointers that make
// the block holding them reachable even when they point inside it (glibc's dynamic thread
// vector points past its block's start).
struct ScanRoots {
    RangeList ranges;
    RangeList anchors; // start == end == the pointer
    // The program's own anonymous memory: roots except for the live blocks in it.
    RangeList mapped;
    // The recorder library's writable segments, which no root may include.
    RangeList recorderData;
};

// Before the world is stopped (dl_iterate_phdr takes the loader's lock): the writable PT_LOAD
// segments of every module but the recorder's own, whose tables hold every block's address.
void addModuleRoots(ScanRoots& roots) noexcept;
// The program's anonymous writable memory, as memcheck scans every mapping: its own pools
// (Python's pymalloc arenas), the dynamic loader's records of the libraries it loaded. Left
// out: thread stacks (below a guard page; a live thread's is scanned from its stack pointer),
// malloc's own memory (arena heaps, mmapped chunks), the recorder's mappings and data, pages
// never touched. Nothing is added when the recorder's mappings cannot be told apart.
void addMappedRoots(ScanRoots& roots) noexcept;
// Glibc's static TLS size (ld.so's private _dl_get_tls_static_info), 0 if unknown. Looked up
// before the world is stopped: dlsym may allocate.
std::size_t staticTlsSize() noexcept;

// The dynamic TLS vectors of ended threads. glibc keeps an ended thread's stack, with its
// descriptor and that vector, in a cache for the next thread; nothing the scan reads points
// there, so without this every program that ran a thread would leak the vector.
void addEndedThreadsDynamicTls(ScanRoots& roots, const ReadableMemory& memory) noexcept;

// A thread's registers, stack from its stack pointer, static TLS and dynamic TLS vector.
struct ThreadContext {
    std::uint64_t stackStart = 0;    // scanned up to the end of its mapping; 0: no stack root
    std::uint64_t threadPointer = 0; // 0: unknown
    const std::uint64_t* registers = nullptr;
    std::size_t registerCount = 0;
    // Not 0 for a thread interrupted on a signal stack (stackStart is then there): its own
    // stack, whose stack pointer is unknown, is scanned whole, the mapping holding this address.
    std::uint64_t wholeStackAt = 0;
};
// The roots of a thread that calls the recorder (heapscope_leak_check): its stack from the
// API function's frame up, and its callee-saved registers at the call (caller-saved ones are
// dead across a call). The recorder's deeper frames, which hold block addresses, are left
// out; the API function's own frame holds only the program's registers its prologue saved.
struct CallerRoots {
    std::uint64_t stackStart = 0;
    std::uint64_t calleeSaved[kMaxCalleeSaved] = {};
    std::size_t calleeSavedCount = 0;
};
// Inlined into the API function, so the stack pointer read is that frame's.
[[gnu::always_inline]] inline void captureCaller(CallerRoots& out) noexcept {
    std::uint64_t sp = 0;
#if defined(__x86_64__)
    std::uint64_t* r = out.calleeSaved;
    asm volatile("mov %%rsp, %0" : "=r"(sp));
    asm volatile("mov %%rbx, %0" : "=m"(r[0]));
    asm volatile("mov %%rbp, %0" : "=m"(r[1]));
    asm volatile("mov %%r12, %0" : "=m"(r[2]));
    asm volatile("mov %%r13, %0" : "=m"(r[3]));
    asm volatile("mov %%r14, %0" : "=m"(r[4]));
    asm volatile("mov %%r15, %0" : "=m"(r[5]));
    out.calleeSavedCount = 6;
#elif defined(__aarch64__)
    std::uint64_t* r = out.calleeSaved;
    asm volatile("mov %0, sp" : "=r"(sp));
    asm volatile("stp x19, x20, [%0]\n\tstp x21, x22, [%0, #16]\n\tstp x23, x24, [%0, #32]\n\t"
                 "stp x25, x26, [%0, #48]\n\tstp x27, x28, [%0, #64]\n\tstr x29, [%0, #80]"
                 :
                 : "r"(r)
                 : "memory");
    out.calleeSavedCount = 11;
#endif
    out.stackStart = sp;
}

// An interrupted thread's live stack starts below its stack pointer: x86-64 leaf code may
// keep values in the 128-byte red zone there.
inline std::uint64_t belowRedZone(std::uint64_t sp) { return sp > 128 ? sp - 128 : sp; }
void addThreadRoots(ScanRoots& roots, const ThreadContext& thread, const ReadableMemory& memory,
                    std::size_t tlsSize) noexcept;
// A thread that did not stop: its stack from the stack pointer the kernel shows in
// /proc/self/task/TID/syscall (blocked in a system call), else nothing. Its registers are lost.
void addUnstoppedThreadRoots(ScanRoots& roots, pid_t tid, const ReadableMemory& memory) noexcept;

} // namespace heapscope::recorder
