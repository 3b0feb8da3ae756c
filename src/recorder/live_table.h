// recorder: the live table, address → {size, stack, family, thread} for every block the program
// holds. Sharded: each shard is a spinlock and an open-addressing table in mmap'ed memory.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/ids.h"
#include "format/records.h"
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
};

class LiveTable {
public:
    static constexpr std::size_t kShardCount = 128;

    constexpr LiveTable() = default;
    ~LiveTable();
    LiveTable(const LiveTable&) = delete;
    LiveTable& operator=(const LiveTable&) = delete;

    // Inserts entry, replacing an entry with the same address. Returns false only when the
    // shard could not grow (mmap failed); the block then goes unrecorded.
    bool insert(const LiveEntry& entry) noexcept;
    // Copies the entry for address into out; false if address is not live.
    bool find(std::uint64_t address, LiveEntry& out) noexcept;
    // Removes address, copying its entry into out; false if address is not live.
    bool erase(std::uint64_t address, LiveEntry& out) noexcept;
    std::size_t size() noexcept;

    // Visits every entry, one shard locked at a time. fn must not call back into the table.
    template <typename Fn>
    void forEach(Fn&& fn) noexcept {
        for (Shard& shard : m_shards) {
            shard.lock.lock();
            for (std::size_t i = 0; i < shard.capacity; ++i) {
                if (shard.slots[i].address != 0) fn(static_cast<const LiveEntry&>(shard.slots[i]));
            }
            shard.lock.unlock();
        }
    }

    // Visits every entry while the caller holds lockAll() (the leak scan's snapshot).
    template <typename Fn>
    void forEachLocked(Fn&& fn) noexcept {
        for (Shard& shard : m_shards) {
            for (std::size_t i = 0; i < shard.capacity; ++i) {
                if (shard.slots[i].address != 0) fn(static_cast<const LiveEntry&>(shard.slots[i]));
            }
        }
    }

    // Held across fork() (so the child never inherits a half-updated shard) and during a leak
    // scan's snapshot.
    void lockAll() noexcept;
    void unlockAll() noexcept;

private:
    struct alignas(64) Shard {
        Spinlock lock;
        LiveEntry* slots = nullptr;
        std::size_t capacity = 0; // a power of two, or 0 before the first insert
        std::size_t count = 0;
    };

    static std::uint64_t hashAddress(std::uint64_t address) noexcept;
    Shard& shardFor(std::uint64_t hash) noexcept;
    static std::size_t findSlot(const Shard& shard, std::uint64_t address,
                                std::uint64_t hash) noexcept;
    static bool grow(Shard& shard) noexcept;
    static void removeAt(Shard& shard, std::size_t slot) noexcept;

    Shard m_shards[kShardCount];
};

} // namespace heapscope::recorder
