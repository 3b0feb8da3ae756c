// recorder: the recently-freed record: one spinlock per shard, a linear scan of a 4-way bucket.
#include "recorder/freed_blocks.h"

#include "recorder/mapped_memory.h"

namespace heapscope::recorder {
namespace {

std::uint64_t hashAddress(std::uint64_t address) noexcept {
    // As in the live table: blocks are 16-byte aligned, and both the shard (top bits) and the
    // bucket (low bits) must see every address bit. An interior pointer is hashed the same way.
    const std::uint64_t h = (address >> 4) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

} // namespace

FreedBlocks::~FreedBlocks() {
    for (Shard& shard : m_shards)
        unmapArray(shard.ways, m_bucketsPerShard * kWays);
}

FreedBlock* FreedBlocks::bucketFor(Shard& shard, std::uint64_t hash) const noexcept {
    if (shard.ways == nullptr) return nullptr;
    return shard.ways + (hash & (m_bucketsPerShard - 1)) * kWays;
}

void FreedBlocks::insert(const FreedBlock& block) noexcept {
    const std::uint64_t hash = hashAddress(block.address);
    Shard& shard = shardFor(hash);
    shard.lock.lock();
    if (shard.ways == nullptr) shard.ways = mapArray<FreedBlock>(m_bucketsPerShard * kWays);
    FreedBlock* bucket = bucketFor(shard, hash);
    if (bucket != nullptr) {
        // The same address first, then an empty way, then the one stored longest ago (clock
        // differences stay right across the 32-bit wrap).
        FreedBlock* target = bucket;
        for (std::size_t i = 0; i < kWays; ++i) {
            FreedBlock& way = bucket[i];
            if (way.address == block.address) {
                target = &way;
                break;
            }
            if (target->address == 0) continue;
            if (way.address == 0 || shard.clock - way.age > shard.clock - target->age) {
                target = &way;
            }
        }
        *target = block;
        target->age = ++shard.clock;
    }
    shard.lock.unlock();
}

bool FreedBlocks::find(std::uint64_t address, FreedBlock& out) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    bool found = false;
    shard.lock.lock();
    if (FreedBlock* bucket = bucketFor(shard, hash); bucket != nullptr && address != 0) {
        for (std::size_t i = 0; i < kWays && !found; ++i) {
            if (bucket[i].address != address) continue;
            out = bucket[i];
            found = true;
        }
    }
    shard.lock.unlock();
    return found;
}

void FreedBlocks::forget(std::uint64_t address) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    shard.lock.lock();
    if (FreedBlock* bucket = bucketFor(shard, hash); bucket != nullptr && address != 0) {
        for (std::size_t i = 0; i < kWays; ++i) {
            if (bucket[i].address == address) bucket[i] = FreedBlock{};
        }
    }
    shard.lock.unlock();
}

void FreedBlocks::lockAll() noexcept {
    for (Shard& shard : m_shards)
        shard.lock.lock();
}

void FreedBlocks::unlockAll() noexcept {
    for (Shard& shard : m_shards)
        shard.lock.unlock();
}

} // namespace heapscope::recorder
