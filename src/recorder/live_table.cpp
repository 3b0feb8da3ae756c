// recorder: the sharded block table. Linear probing with backward-shift deletion (no
// tombstones, so a table under steady malloc/free churn never degrades); freed entries are
// dropped in bulk by a rebuild, so they cost no eviction policy.
#include "recorder/live_table.h"

#include "recorder/mapped_memory.h"

namespace heapscope::recorder {
namespace {

constexpr std::size_t kInitialCapacity = 64;
constexpr std::size_t kNotFound = ~std::size_t{0};

} // namespace

LiveTable::~LiveTable() {
    for (Shard& shard : m_shards)
        unmapArray(shard.slots, shard.capacity);
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

bool LiveTable::makeRoom(Shard& shard) noexcept {
    if ((shard.count + shard.freedCount + 1) * 2 <= shard.capacity) return true;
    if (shard.capacity != 0 && (shard.count + 1) * 3 <= shard.capacity) {
        dropFreed(shard);
        return true;
    }
    return grow(shard);
}

void LiveTable::dropFreed(Shard& shard) noexcept {
    // In place, without a new mapping. A removal only pulls entries of later slots back into
    // the hole (or, past the wrap, live entries already seen), so slot i is looked at again.
    for (std::size_t i = 0; i < shard.capacity;) {
        if (shard.slots[i].address != 0 && shard.slots[i].freed) {
            removeAt(shard, i);
        } else {
            ++i;
        }
    }
    shard.freedCount = 0;
}

bool LiveTable::grow(Shard& shard) noexcept {
    const std::size_t capacity = shard.capacity == 0 ? kInitialCapacity : shard.capacity * 2;
    LiveEntry* slots = mapArray<LiveEntry>(capacity);
    if (slots == nullptr) return false;
    const std::size_t mask = capacity - 1;
    for (std::size_t i = 0; i < shard.capacity; ++i) {
        const LiveEntry& e = shard.slots[i];
        if (!isLive(e)) continue;
        std::size_t j = hashAddress(e.address) & mask;
        while (slots[j].address != 0)
            j = (j + 1) & mask;
        slots[j] = e;
    }
    unmapArray(shard.slots, shard.capacity);
    shard.slots = slots;
    shard.capacity = capacity;
    shard.freedCount = 0;
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
}

bool LiveTable::insert(const LiveEntry& entry) noexcept {
    const std::uint64_t hash = hashAddress(entry.address);
    Shard& shard = shardFor(hash);
    const ElidableLockGuard guard(m_elision, shard.lock);
    std::size_t slot = findSlot(shard, entry.address, hash);
    if (slot == kNotFound) {
        // A new address: only now may the shard need room (a realloc in place reuses its slot
        // even when the shard cannot grow).
        if (!makeRoom(shard)) return false;
        const std::size_t mask = shard.capacity - 1;
        for (slot = hash & mask; shard.slots[slot].address != 0; slot = (slot + 1) & mask) {
        }
        ++shard.count;
    } else if (shard.slots[slot].freed) {
        ++shard.count;
        --shard.freedCount;
    }
    shard.slots[slot] = entry;
    shard.slots[slot].freed = false;
    return true;
}

bool LiveTable::find(std::uint64_t address, LiveEntry& out) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    const ElidableLockGuard guard(m_elision, shard.lock);
    const std::size_t slot = findSlot(shard, address, hash);
    const bool live = slot != kNotFound && isLive(shard.slots[slot]);
    if (live) out = shard.slots[slot];
    return live;
}

bool LiveTable::release(std::uint64_t address, StackId freeStack, LiveEntry& out) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    const ElidableLockGuard guard(m_elision, shard.lock);
    const std::size_t slot = findSlot(shard, address, hash);
    const bool live = slot != kNotFound && isLive(shard.slots[slot]);
    if (live) {
        out = shard.slots[slot];
        shard.slots[slot].freed = true;
        shard.slots[slot].freeStack = freeStack;
        --shard.count;
        ++shard.freedCount;
    }
    return live;
}

void LiveTable::setFreeStack(std::uint64_t address, StackId freeStack) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    const ElidableLockGuard guard(m_elision, shard.lock);
    const std::size_t slot = findSlot(shard, address, hash);
    if (slot != kNotFound && shard.slots[slot].freed) shard.slots[slot].freeStack = freeStack;
}

bool LiveTable::findFreed(std::uint64_t address, LiveEntry& out) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    const ElidableLockGuard guard(m_elision, shard.lock);
    const std::size_t slot = findSlot(shard, address, hash);
    const bool freed = slot != kNotFound && shard.slots[slot].freed;
    if (freed) out = shard.slots[slot];
    return freed;
}

void LiveTable::forget(std::uint64_t address) noexcept {
    const std::uint64_t hash = hashAddress(address);
    Shard& shard = shardFor(hash);
    const ElidableLockGuard guard(m_elision, shard.lock);
    const std::size_t slot = findSlot(shard, address, hash);
    if (slot != kNotFound && shard.slots[slot].freed) {
        removeAt(shard, slot);
        --shard.freedCount;
    }
}

std::size_t LiveTable::size() noexcept {
    std::size_t total = 0;
    for (Shard& shard : m_shards) {
        const ElidableLockGuard guard(m_elision, shard.lock);
        total += shard.count;
    }
    return total;
}

void LiveTable::lockAll() noexcept {
    // The owner is in no elided access while it calls this; anyone else must end them for good.
    if (!m_elision.callerOwns()) m_elision.share();
    for (Shard& shard : m_shards)
        shard.lock.lock();
}

void LiveTable::unlockAll() noexcept {
    for (Shard& shard : m_shards)
        shard.lock.unlock();
}

void LiveTable::afterForkInChild() noexcept { m_elision.afterForkInChild(); }

} // namespace heapscope::recorder
