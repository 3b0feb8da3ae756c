// recorder: the leak scan proper: a sorted snapshot of the live blocks, a conservative flood
// fill from the roots, and memcheck's four kinds with the owner of each indirectly lost block.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "format/records.h"
#include "recorder/scan_roots.h"

namespace heapscope::recorder {

// Memcheck's rules, which the verdicts must match:
//  - a block pointed to at its start from a root, or from a still-reachable block, is still
//    reachable; one reached otherwise (an interior pointer, or from a possibly lost block) is
//    possibly lost, so nothing reached from a possibly lost block is better than that;
//  - among the rest, in address order, each block not yet claimed starts a clique: every
//    unclaimed block reached from it (through any pointer) is indirectly lost and owned by
//    it; a clique start reached later from another one joins that one's clique. The starts
//    left are definitely lost. So a cycle of lost blocks is one definitely lost block and the
//    others indirectly lost through it.
// All memory is mmap'ed: the scan runs while other threads may be stopped inside malloc.
class LeakScan {
public:
    LeakScan() = default;
    ~LeakScan();
    LeakScan(const LeakScan&) = delete;
    LeakScan& operator=(const LeakScan&) = delete;

    // Room for count blocks; false if the memory cannot be mapped.
    bool reserve(std::size_t count) noexcept;
    // Blocks beyond the reserved count are dropped (and counted as not scanned).
    void addBlock(std::uint64_t address, std::uint64_t size) noexcept;
    // Sorts the blocks and classifies them. memory says what may be read: a block outside it
    // (freed and unmapped since the snapshot) is not scanned for pointers.
    void run(ScanRoots& roots, const ReadableMemory& memory) noexcept;

    std::size_t blockCount() const { return m_count; }
    std::size_t droppedBlocks() const { return m_dropped; }
    std::uint64_t address(std::size_t i) const { return m_blocks[i].address; }
    std::uint64_t size(std::size_t i) const { return m_blocks[i].size; }
    format::LeakKind kind(std::size_t i) const;
    // The definitely lost block an indirectly lost block was reached through, else 0.
    std::uint64_t owner(std::size_t i) const;
    // Bytes and blocks per kind, indexed by format::LeakKind.
    std::array<format::LeakTotal, format::kLeakKindCount> totals() const;

private:
    struct Block {
        std::uint64_t address;
        std::uint64_t size;
    };
    enum State : std::uint8_t { Unreached, Possible, Reachable, Indirect };
    static constexpr std::uint32_t kNoOwner = ~std::uint32_t{0};

    // The block containing address (its start, inside it, or a zero-size block at address).
    bool find(std::uint64_t address, std::size_t& index, bool& atStart) const noexcept;
    // Glibc's malloc keeps the next chunk's 16-byte header (prev_size, size) right after a
    // block, overlapping the block's last bytes when its size is not a multiple of 16, and
    // its free lists and top pointer (in libc's data, a root) point at such headers. A
    // 16-aligned pointer whose 16 bytes run past the block's end is taken for one, not for a
    // pointer into the block (memcheck's own allocator keeps no headers there).
    bool isChunkHeader(std::uint64_t pointer, std::size_t index) const noexcept;
    void scanRange(std::uint64_t start, std::uint64_t end, bool definite) noexcept;
    // A root range that may hold blocks (the program's anonymous memory): what lies between them.
    void scanOutsideBlocks(std::uint64_t start, std::uint64_t end) noexcept;
    void scanBlock(std::size_t index, bool definite, const ReadableMemory& memory) noexcept;
    void reach(std::uint64_t pointer, bool definite) noexcept;
    void claim(std::uint64_t pointer, std::uint32_t leader) noexcept;
    void scanClique(std::uint32_t leader, const ReadableMemory& memory) noexcept;
    void push(std::uint32_t index) noexcept;

    Block* m_blocks = nullptr;
    State* m_state = nullptr;
    std::uint32_t* m_owner = nullptr;
    std::uint32_t* m_work = nullptr;
    std::size_t m_capacity = 0;
    std::size_t m_count = 0;
    std::size_t m_dropped = 0;
    std::size_t m_workSize = 0;
    std::uint64_t m_low = 0;  // the lowest block address
    std::uint64_t m_high = 0; // past the highest block end
};

} // namespace heapscope::recorder
