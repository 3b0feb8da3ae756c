// recorder: the block table, address → {size, stack, family, thread} for every block the program
// holds, and for blocks freed since whose address was not handed out again (so a second free
// is told from a pointer never allocated, and named with the first free's stack). Sharded: each
// shard is a spinlock and an open-addressing table in mmap'ed memory.
//
// A freed block stays in its slot, marked freed, until its address is allocated again or its
// shard fills up: one memory access serves the free and the record of it (a separate record
// cost a second cache miss per free, a quarter of a sampled run's time on W1). When live and
// freed entries fill half a shard, its freed entries are all dropped.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/ids.h"
#include "format/records.h"
#include "recorder/owner_elision.h"
#include "recorder/spinlock.h"

namespace heapscope::recorder {

struct LiveEntry {
    std::uint64_t address = 0; // 0 marks an empty slot: no allocator returns a null block
    std::uint64_t size = 0;
    StackId stack;
    ThreadIndex thread;
    format::AllocFamily family = format::AllocFamily::Malloc;
    // False for a block the trace does not hold (allocated while paused, or not sampled): it
    // has no stack, and its free writes no event; the leak scan still sees it.
    bool traced = true;
    bool freed = false;
    StackId freeStack; // of a freed entry, when free stacks are recorded
};
static_assert(sizeof(LiveEntry) == 32);

class LiveTable {
public:
    static constexpr std::size_t kShardCount = 128;

    constexpr LiveTable() = default;
    ~LiveTable();
    LiveTable(const LiveTable&) = delete;
    LiveTable& operator=(const LiveTable&) = delete;

    // Inserts a live entry, replacing any entry with the same address (a freed one is
    // forgotten: its address was handed out again). Returns false only when the shard could
    // not grow (mmap failed); the block then goes unrecorded.
    bool insert(const LiveEntry& entry) noexcept;
    // Copies the live entry for address into out; false if address is not live.
    bool find(std::uint64_t address, LiveEntry& out) noexcept;
    // Marks the live block at address freed with freeStack (0 if unknown yet), copying its live
    // entry into out; false if address is not live.
    bool release(std::uint64_t address, StackId freeStack, LiveEntry& out) noexcept;
    // Stores the free stack of the freed entry at address, if it is still there.
    void setFreeStack(std::uint64_t address, StackId freeStack) noexcept;
    // Copies the freed entry for address into out; false if there is none.
    bool findFreed(std::uint64_t address, LiveEntry& out) noexcept;
    // Drops the freed entry for address, if any: the address was handed out unrecorded.
    void forget(std::uint64_t address) noexcept;
    // Live blocks.
    std::size_t size() noexcept;

    // Visits every live entry, one shard locked at a time. fn must not call back into the table.
    template <typename Fn>
    void forEach(Fn&& fn) noexcept {
        for (Shard& shard : m_shards) {
            const ElidableLockGuard guard(m_elision, shard.lock);
            for (std::size_t i = 0; i < shard.capacity; ++i) {
                if (isLive(shard.slots[i])) fn(static_cast<const LiveEntry&>(shard.slots[i]));
            }
        }
    }

    // Visits every live entry while the caller holds lockAll() (the leak scan's snapshot).
    template <typename Fn>
    void forEachLocked(Fn&& fn) noexcept {
        for (Shard& shard : m_shards) {
            for (std::size_t i = 0; i < shard.capacity; ++i) {
                if (isLive(shard.slots[i])) fn(static_cast<const LiveEntry&>(shard.slots[i]));
            }
        }
    }

    // Held across fork() (so the child never inherits a half-updated shard) and during a leak
    // scan's snapshot.
    void lockAll() noexcept;
    void unlockAll() noexcept;
    // In a fork child, after unlockAll().
    void afterForkInChild() noexcept;

private:
    struct alignas(64) Shard {
        Spinlock lock;
        LiveEntry* slots = nullptr;
        std::size_t capacity = 0;   // a power of two, or 0 before the first insert
        std::size_t count = 0;      // live entries
        std::size_t freedCount = 0; // freed entries
    };

    static bool isLive(const LiveEntry& e) noexcept { return e.address != 0 && !e.freed; }

    static std::uint64_t hashAddress(std::uint64_t address) noexcept;
    Shard& shardFor(std::uint64_t hash) noexcept;
    static std::size_t findSlot(const Shard& shard, std::uint64_t address,
                                std::uint64_t hash) noexcept;
    // Keeps live and freed entries under half the slots, so probe runs stay short: drops the
    // freed entries, or grows the shard (dropping them too) when the live ones fill a quarter.
    static bool makeRoom(Shard& shard) noexcept;
    static void dropFreed(Shard& shard) noexcept;
    static bool grow(Shard& shard) noexcept; // false if the new slots cannot be mapped
    static void removeAt(Shard& shard, std::size_t slot) noexcept;

    Shard m_shards[kShardCount];
    OwnerElision m_elision;
};

} // namespace heapscope::recorder
