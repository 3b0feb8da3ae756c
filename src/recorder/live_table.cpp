// recorder: the sharded live table. Linear probing with backward-shift deletion (no
// tombstones, so a table under steady malloc/free churn never degrades).
#include "recorder/live_table.h"

#include "recorder/mapped_memory.h"

namespace heapscope::recorder {
namespace {

constexpr std::size_t kInitialCapacity = 1024;
constexpr std::size_t kNotFound = ~std::size_t{0};

} // namespace

LiveTable::~LiveTable() {
    for (Shard& shard : m_shards) unmapArray(shard.slots, shard.capacity);
}

std::uint64_t LiveTable::hashAddress(std::uint64_t address) noexcept {
    // Blocks are at least 16-byte aligned: drop the constant low bits, then mix so both the
    // shard (high bits) and the slot (low bits) see every address bit.
    std::uint64_t h = (address >> 4) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 32);
}

LiveTable::Shard& LiveTable::shardFor(std::uint64_t hash) noexcept {
    return m_shards[(hash >> 57) % kShardCount];
}

std::size_t LiveTable::findSlot(const Shard& shard, std::uint64_t address,
                                std::uint64_t hash) noexcept {
    if (shard.capacity == 0) return kNotFound;
    const std::size_t mask = shard.capacity - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const std::uint64_t a = shard.slots[i].address;
        if (a == address) return i;
        if (a == 0) return kNotFound;
    }
}

bool LiveTable::grow(Shard& shard) noexcept {
    const std::size_t capacity = shard.capacity == 0 ? kInitialCapacity : shard.capacity * 2;
    LiveEntry* slots = mapArray<LiveEntry>(capacity);
    if (slots == nullptr) return false;
    const std::size_t mask = capacity - 1;
    for (std::size_t i = 0; i < shard.capacity; ++i) {
        const LiveEntry& e = shard.slots[i];
        if (e.address == 0) continue;
        std::size_t j = hashAddress(e.address) & mask;
        while (slots[j].address != 0) j = (j + 1) & mask;
        slots[j] = e;
    }
    unmapArray(shard.slots, shard.capacity);
    shard.slots = slots;
    shard.capacity = capacity;
    return true;
}

void LiveTable::removeAt(Shard& shard, std::size_t slot) noexcept {
    // Backward shift: pull later members of the probe run into the hole when their home slot
    // does not lie cyclically in (hole, current].
    const std::size_t mask = shard.capacity - 1;
    std::size_t hole = slot;
    for (std::size_t i = (slot + 1) & mask; shard.slots[i].address != 0; i = (i + 1) & mask) {
        const std::size_t home = hashAddress(shard.slots[i].address) & mask;
        const bool homeInRange =
            hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
        if (!homeInRange) {
            shard.slots[hole] = shard.slots[i];
            hole = i;
        }
    }
    shard.slots[hole] = LiveEntry{};
    --shard.count;
}

bool LiveTable::insert(const LiveEntry& entry) noexcept {
    const std::uint64_t hash = hashAddress(entry.address);
    Shard& shard = shardFor(hash);
    shard.lock.lock();
    // Keep the load factor under 1/2 so probe runs stay short.
    if ((shard.count + 1) * 2 > shard.capacity && !grow(shard)) {
        shard.lock.unlock();
        return false;
    }
    const std::size_t mask = shard.capacity - 1;
    std::size_t i = hash & mask;
    while (shard.slots[i].address != 0 && shard.slots[i].address != entry.address) {
        i = (i + 1) & mask;
    }
    if (shard.slots[i].address == 0) ++shard.count;
    shard.slots[i] = entry;
    shard.lock.unlock();
    return true;
}

bool LiveTable::find(std::uint64_t address, LiveEntry& out) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    shard.lock.lock();
    const std::size_t slot = findSlot(shard, address, hash);
    if (slot != kNotFound) out = shard.slots[slot];
    shard.lock.unlock();
    return slot != kNotFound;
}

bool LiveTable::erase(std::uint64_t address, LiveEntry& out) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    shard.lock.lock();
    const std::size_t slot = findSlot(shard, address, hash);
    if (slot != kNotFound) {
        out = shard.slots[slot];
        removeAt(shard, slot);
    }
    shard.lock.unlock();
    return slot != kNotFound;
}

std::size_t LiveTable::size() noexcept {
    std::size_t total = 0;
    for (Shard& shard : m_shards) {
        shard.lock.lock();
        total += shard.count;
        shard.lock.unlock();
    }
    return total;
}

void LiveTable::lockAll() noexcept {
    for (Shard& shard : m_shards) shard.lock.lock();
}

void LiveTable::unlockAll() noexcept {
    for (Shard& shard : m_shards) shard.lock.unlock();
}

} // namespace heapscope::recorder
