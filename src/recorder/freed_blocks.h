// recorder: the bounded record of recently freed blocks (address → size, family, allocation and
// free stacks), so a second free of a block can be told from a pointer never handed out, and
// reported with the stack of the first free. Sharded and set-associative in mmap'ed memory.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/ids.h"
#include "format/records.h"
#include "recorder/spinlock.h"

namespace heapscope::recorder {

struct FreedBlock {
    std::uint64_t address = 0; // 0 marks an empty way
    std::uint64_t size = 0;
    StackId allocStack;
    StackId freeStack;
    std::uint32_t age = 0; // the shard's clock when stored: the smallest is evicted first
    format::AllocFamily family = format::AllocFamily::Malloc;
};
static_assert(sizeof(FreedBlock) == 32);

// Each address hashes to one bucket of kWays entries; a new block takes an empty way or evicts
// the oldest one. So the record keeps roughly the last capacity() frees (memcheck keeps the
// last 20 MB of freed blocks for the same purpose) in a fixed amount of memory, without a
// global lock or a global clock.
class FreedBlocks {
public:
    static constexpr std::size_t kShardCount = 64;
    static constexpr std::size_t kWays = 4;
    static constexpr std::size_t kDefaultBucketsPerShard = 512; // 128 Ki blocks, 4 MiB

    // bucketsPerShard must be a power of two. Shards map their memory on first insert.
    constexpr explicit FreedBlocks(std::size_t bucketsPerShard = kDefaultBucketsPerShard)
        : m_bucketsPerShard(bucketsPerShard) {}
    ~FreedBlocks();
    FreedBlocks(const FreedBlocks&) = delete;
    FreedBlocks& operator=(const FreedBlocks&) = delete;

    std::size_t capacity() const noexcept { return kShardCount * m_bucketsPerShard * kWays; }

    // Stores block (its age is set here), replacing an older record of the same address.
    // Does nothing if the shard's memory cannot be mapped.
    void insert(const FreedBlock& block) noexcept;
    // Copies the record for address into out; false if it is not (or no longer) recorded.
    bool find(std::uint64_t address, FreedBlock& out) noexcept;
    // Drops the record for address: the address was handed out again.
    void forget(std::uint64_t address) noexcept;

    // Held across fork() so the child never inherits a half-written bucket.
    void lockAll() noexcept;
    void unlockAll() noexcept;

private:
    struct alignas(64) Shard {
        Spinlock lock;
        FreedBlock* ways = nullptr; // m_bucketsPerShard * kWays entries once mapped
        std::uint32_t clock = 0;
    };

    static_assert(kShardCount == 64, "shardFor takes the hash's top six bits");
    Shard& shardFor(std::uint64_t hash) noexcept { return m_shards[hash >> 58]; }
    FreedBlock* bucketFor(Shard& shard, std::uint64_t hash) const noexcept;

    std::size_t m_bucketsPerShard;
    Shard m_shards[kShardCount];
};

} // namespace heapscope::recorder
