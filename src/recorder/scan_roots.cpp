// recorder: gathering the leak scan's roots and the map of readable memory, with system calls
// and mmap'ed arrays only (other threads may be stopped holding the malloc or loader lock).
#include "recorder/scan_roots.h"

#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "recorder/mapped_memory.h"
#include "recorder/own_mappings.h"
#include "recorder/proc_lines.h"

namespace heapscope::recorder {
namespace {

// Glibc keeps the thread descriptor (struct pthread, with the first pthread_setspecific
// values) at the thread pointer; about 2.3 KiB in glibc 2.36. Scanned as part of static TLS.
constexpr std::uint64_t kThreadDescriptorBytes = 4096;
// How far below the top of a stack mapping glibc's thread descriptor is looked for.
constexpr std::uint64_t kDescriptorSearchBytes = 8192;
// A dynamic thread vector longer than this is not believed (a corrupted descriptor).
constexpr std::uint64_t kMaxDtvEntries = 1u << 16;
// glibc's arenas other than the main one live in heaps of this size, aligned to it.
constexpr std::uint64_t kGlibcHeapMaxBytes = 64u << 20;
// Pages whose residency one mincore call asks for.
constexpr std::size_t kResidencyWindowPages = 1024;

// The module holding the recorder's own code: its data is the recorder's, not the program's.
int addModule(dl_phdr_info* info, std::size_t, void* data) {
    auto* roots = static_cast<ScanRoots*>(data);
    const auto self = reinterpret_cast<std::uint64_t>(&addModuleRoots);
    bool isSelf = false;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        const std::uint64_t start = info->dlpi_addr + ph.p_vaddr;
        if (ph.p_type == PT_LOAD && self >= start && self < start + ph.p_memsz) isSelf = true;
    }
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) == 0) continue;
        const std::uint64_t start = info->dlpi_addr + ph.p_vaddr;
        (isSelf ? roots->recorderData : roots->ranges).add(start, start + ph.p_memsz);
    }
    return 0;
}

// Calls visit(start, end, afterGuard) for each anonymous private writable mapping until it
// returns true; afterGuard: it begins where an anonymous PROT_NONE mapping ends, as glibc lays
// out a thread's stack. False if /proc/self/maps cannot be read.
template <typename Visit>
bool forEachAnonymousWritable(Visit&& visit) noexcept {
    std::uint64_t guardEnd = 0;
    return forEachProcLine("/proc/self/maps", [&](const char* line) {
        const char* p = line;
        const std::uint64_t start = parseHex(p);
        if (*p++ != '-') return false;
        const std::uint64_t end = parseHex(p);
        const bool anonymous = std::strchr(p, '/') == nullptr && std::strchr(p, '[') == nullptr;
        const bool afterGuard = guardEnd == start;
        guardEnd = anonymous && std::strncmp(p, " ---p", 5) == 0 ? end : 0;
        if (!anonymous || std::strncmp(p, " rw-p", 5) != 0) return false;
        return visit(start, end, afterGuard);
    });
}

std::uint64_t wordAt(std::uint64_t address) noexcept {
    std::uint64_t word = 0;
    std::memcpy(&word, reinterpret_cast<const void*>(address), sizeof word);
    return word;
}

// The bytes of malloc's own memory starting at the resident page q of a mapping ending at end,
// 0 if q starts none: a glibc heap (its heap_info: arena, previous heap, size in use, size made
// writable) or a chunk glibc mmapped for one large block (prev_size 0, then the chunk's size
// with IS_MMAPPED set). The recorder's own large allocations are such chunks too.
std::uint64_t mallocMemoryAt(std::uint64_t q, std::uint64_t end, std::uint64_t page) noexcept {
    if (q % kGlibcHeapMaxBytes == 0) {
        const std::uint64_t arena = wordAt(q);
        const std::uint64_t size = wordAt(q + 16);
        const std::uint64_t writable = wordAt(q + 24);
        if (arena != 0 && size >= page && size <= writable && writable <= kGlibcHeapMaxBytes)
            return std::min(writable, end - q);
    }
    constexpr std::uint64_t kIsMmapped = 2;
    const std::uint64_t header = wordAt(q + 8);
    const std::uint64_t size = header & ~std::uint64_t{7};
    if (wordAt(q) == 0 && (header & 7) == kIsMmapped && size >= page && size % page == 0 &&
        size <= end - q)
        return size;
    return 0;
}

// Adds the resident pages of [start, end) that are not malloc's own to out, as ranges.
void addProgramPages(RangeList& out, std::uint64_t start, std::uint64_t end,
                     std::uint64_t page) noexcept {
    unsigned char resident[kResidencyWindowPages];
    std::uint64_t windowStart = 0;
    std::uint64_t windowEnd = 0;
    std::uint64_t pieceStart = 0;
    bool inPiece = false;
    const auto endPiece = [&](std::uint64_t at) {
        if (inPiece && at > pieceStart) out.add(pieceStart, at);
        inPiece = false;
    };
    for (std::uint64_t q = start; q < end;) {
        if (q >= windowEnd) {
            windowStart = q;
            windowEnd = std::min(end, q + kResidencyWindowPages * page);
            if (::mincore(reinterpret_cast<void*>(q), windowEnd - q, resident) != 0)
                std::memset(resident, 0, sizeof resident);
        }
        if ((resident[(q - windowStart) / page] & 1) == 0) {
            endPiece(q);
            q += page;
            continue;
        }
        const std::uint64_t mallocs = mallocMemoryAt(q, end, page);
        if (mallocs > 0) {
            endPiece(q);
            q += mallocs;
            continue;
        }
        if (!inPiece) {
            pieceStart = q;
            inPiece = true;
        }
        q += page;
    }
    endPiece(end);
}

// Glibc's dynamic thread vector: tcb->dtv (the second word of the TCB on x86-64) points one
// entry into a calloc'ed array of {pointer, to_free} pairs whose entry -1 is its length.
// Blocks of dlopen'ed modules' TLS hang from it.
void addDynamicTls(ScanRoots& roots, std::uint64_t threadPointer,
                   const ReadableMemory& memory) noexcept {
#if defined(__x86_64__)
    const std::uint64_t dtvSlot = threadPointer + 8;
#else
    const std::uint64_t dtvSlot = threadPointer; // aarch64: tcbhead_t starts at tp
#endif
    if (!memory.contains(dtvSlot, dtvSlot + 8)) return;
    std::uint64_t dtv = 0;
    std::memcpy(&dtv, reinterpret_cast<const void*>(dtvSlot), sizeof dtv);
    if (dtv < 16 || !memory.contains(dtv - 16, dtv)) return;
    roots.anchors.add(dtv, dtv);
    std::uint64_t length = 0;
    std::memcpy(&length, reinterpret_cast<const void*>(dtv - 16), sizeof length);
    length = std::min(length, kMaxDtvEntries);
    // Entry 0 is the generation counter; modules are entries 1..length.
    if (!memory.contains(dtv, dtv + 16 * (length + 1))) return;
    for (std::uint64_t i = 1; i <= length; ++i) {
        std::uint64_t pair[2];
        std::memcpy(pair, reinterpret_cast<const void*>(dtv + 16 * i), sizeof pair);
        for (const std::uint64_t p : pair)
            if (p != 0 && p != ~std::uint64_t{0}) roots.anchors.add(p, p);
    }
}

} // namespace

RangeList::~RangeList() { unmapArray(m_items, m_capacity); }

void RangeList::add(std::uint64_t start, std::uint64_t end) noexcept {
    if (m_size == m_capacity) {
        const std::size_t capacity = m_capacity == 0 ? 256 : m_capacity * 2;
        AddressRange* items = mapArray<AddressRange>(capacity);
        if (items == nullptr) return;
        if (m_size > 0) std::memcpy(items, m_items, m_size * sizeof(AddressRange));
        unmapArray(m_items, m_capacity);
        m_items = items;
        m_capacity = capacity;
    }
    m_items[m_size++] = AddressRange{start, end};
}

bool RangeList::overlaps(std::uint64_t start, std::uint64_t end) const noexcept {
    for (std::size_t i = 0; i < m_size; ++i)
        if (m_items[i].start < end && start < m_items[i].end) return true;
    return false;
}

bool ReadableMemory::load() noexcept {
    const bool read = forEachProcLine("/proc/self/maps", [&](const char* line) {
        const char* p = line;
        const std::uint64_t start = parseHex(p);
        if (*p != '-') return false;
        ++p;
        const std::uint64_t end = parseHex(p);
        // "[vvar]" may be readable in the permissions yet fault; it is never a root or a block.
        if (p[0] == ' ' && p[1] == 'r' && std::strstr(p, "[vvar") == nullptr) {
            // Merge with the previous range when adjacent: a block may span two mappings.
            if (m_ranges.size() > 0 && m_ranges.end()[-1].end == start) {
                m_ranges.end()[-1].end = end;
            } else {
                m_ranges.add(start, end);
            }
        }
        return false;
    });
    return read && m_ranges.size() > 0; // the file lists mappings in address order
}

const AddressRange* ReadableMemory::firstEndingAbove(std::uint64_t address) const noexcept {
    const AddressRange* first = const_cast<RangeList&>(m_ranges).begin();
    const AddressRange* last = first + m_ranges.size();
    const AddressRange* it = std::upper_bound(
        first, last, address, [](std::uint64_t a, const AddressRange& r) { return a < r.end; });
    return it == last ? nullptr : it;
}

bool ReadableMemory::mappingOf(std::uint64_t address, AddressRange& out) const noexcept {
    const AddressRange* it = firstEndingAbove(address);
    if (it == nullptr || address < it->start) return false;
    out = *it;
    return true;
}

bool ReadableMemory::stackOf(std::uint64_t sp, AddressRange& out) const noexcept {
    // The kernel keeps this gap (stack_guard_gap, 256 pages by default) below a growing stack.
    constexpr std::uint64_t kGuardGap = 1u << 20;
    const AddressRange* it = firstEndingAbove(sp);
    if (it == nullptr || (sp < it->start && it->start - sp > kGuardGap)) return false;
    out = *it;
    return true;
}

bool ReadableMemory::contains(std::uint64_t start, std::uint64_t end) const noexcept {
    AddressRange range;
    return end >= start && mappingOf(start, range) && end <= range.end;
}

void addEndedThreadsDynamicTls(ScanRoots& roots, const ReadableMemory& memory) noexcept {
#if defined(__x86_64__)
    // glibc maps a thread's stack as one anonymous region whose lowest pages are a PROT_NONE
    // guard, and puts the thread's descriptor at its top. The TCB starts with two words that
    // hold the descriptor's own address (tcb at +0, self at +16). Both tests together keep
    // other anonymous memory (allocator arenas, the recorder's tables) out.
    forEachAnonymousWritable([&](std::uint64_t start, std::uint64_t end, bool afterGuard) {
        if (!afterGuard) return false;
        const std::uint64_t from = std::max(start, end - std::min(end, kDescriptorSearchBytes));
        if (!memory.contains(from, end)) return false;
        for (std::uint64_t word = from; word + 24 <= end; word += 8) {
            std::uint64_t tcb[3];
            std::memcpy(tcb, reinterpret_cast<const void*>(word), sizeof tcb);
            if (tcb[0] == word && tcb[2] == word) addDynamicTls(roots, word, memory);
        }
        return false;
    });
#else
    // Other layouts keep no self pointers to recognise the descriptor by: not handled.
    (void)roots;
    (void)memory;
#endif
}

void addModuleRoots(ScanRoots& roots) noexcept { dl_iterate_phdr(&addModule, &roots); }

void addMappedRoots(ScanRoots& roots) noexcept {
    const auto page = static_cast<std::uint64_t>(::getpagesize());
    bool undecided = false;
    const bool read =
        forEachAnonymousWritable([&](std::uint64_t start, std::uint64_t end, bool afterGuard) {
            if (afterGuard || roots.recorderData.overlaps(start, end)) return false;
            switch (overlapsOwnMapping(start, end)) {
            case OwnMappingAnswer::Yes:
                return false;
            case OwnMappingAnswer::Unknown:
                undecided = true;
                return true;
            case OwnMappingAnswer::No:
                break;
            }
            addProgramPages(roots.mapped, start, end, page);
            return false;
        });
    if (!read || undecided) roots.mapped.clear();
}

std::size_t staticTlsSize() noexcept {
    using GetInfo = void (*)(std::size_t*, std::size_t*);
    auto get = reinterpret_cast<GetInfo>(dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info"));
    if (get == nullptr) return 0;
    std::size_t size = 0;
    std::size_t align = 0;
    get(&size, &align);
    return size;
}

void addThreadRoots(ScanRoots& roots, const ThreadContext& thread, const ReadableMemory& memory,
                    std::size_t tlsSize) noexcept {
    if (thread.registerCount > 0) {
        const auto regs = reinterpret_cast<std::uint64_t>(thread.registers);
        roots.ranges.add(regs, regs + thread.registerCount * sizeof(std::uint64_t));
    }
    AddressRange stack;
    if (thread.stackStart != 0 && memory.stackOf(thread.stackStart, stack))
        roots.ranges.add(std::max(thread.stackStart, stack.start), stack.end);
    AddressRange whole;
    if (thread.wholeStackAt != 0 && memory.mappingOf(thread.wholeStackAt, whole))
        roots.ranges.add(whole.start, whole.end);
    if (thread.threadPointer == 0) return;
    // x86-64 keeps static TLS below the thread pointer and the descriptor above it. A thread
    // created by glibc has both at the top of its stack mapping (already scanned); the main
    // thread's are elsewhere. Clipped to the readable mapping holding the thread pointer.
    AddressRange tls;
    if (memory.mappingOf(thread.threadPointer, tls)) {
        const std::uint64_t start = std::max(tls.start, thread.threadPointer - tlsSize);
        const std::uint64_t end = std::min(tls.end, thread.threadPointer + kThreadDescriptorBytes);
        if (tls.start != stack.start) roots.ranges.add(start, end);
    }
    addDynamicTls(roots, thread.threadPointer, memory);
}

void addUnstoppedThreadRoots(ScanRoots& roots, pid_t tid, const ReadableMemory& memory) noexcept {
    char path[64];
    std::strcpy(path, "/proc/self/task/");
    char digits[16];
    int n = 0;
    for (pid_t t = tid; t > 0 && n < 15; t /= 10)
        digits[n++] = static_cast<char>('0' + t % 10);
    char* p = path + std::strlen(path);
    while (n > 0)
        *p++ = digits[--n];
    std::strcpy(p, "/syscall");
    // "NR arg1 .. arg6 SP PC" while blocked in a system call, "running" otherwise.
    std::uint64_t sp = 0;
    forEachProcLine(path, [&](const char* line) {
        const char* fields[9] = {};
        int count = 0;
        for (const char* c = line; *c != '\0' && count < 9; ++c)
            if (c == line || c[-1] == ' ') fields[count++] = c;
        if (count < 9) return true;
        const char* s = fields[7];
        if (s[0] == '0' && s[1] == 'x') s += 2;
        sp = parseHex(s);
        return true;
    });
    if (sp != 0) addThreadRoots(roots, ThreadContext{belowRedZone(sp), 0, nullptr, 0}, memory, 0);
}

} // namespace heapscope::recorder
