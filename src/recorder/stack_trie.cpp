// recorder: the global stack trie: a node array indexed by id plus an open-addressing index
// (parent, address) → id, both in mmap'ed memory, grown under the trie mutex.
#include "recorder/stack_trie.h"

#include "recorder/mapped_memory.h"

namespace heapscope::recorder {
namespace {

constexpr std::size_t kInitialIndexCapacity = 1u << 14;

std::uint64_t hashEdge(std::uint32_t parent, std::uint64_t returnAddress) noexcept {
    std::uint64_t h =
        (returnAddress ^ (std::uint64_t{parent} << 40 | parent)) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

} // namespace

StackTrie::~StackTrie() {
    unmapArray(m_nodes, kMaxNodes);
    unmapArray(m_index, m_indexCapacity);
}

bool StackTrie::ensureStorage() noexcept {
    if (m_nodes == nullptr) m_nodes = mapArray<Node>(kMaxNodes);
    if (m_index == nullptr) {
        m_index = mapArray<Slot>(kInitialIndexCapacity);
        if (m_index != nullptr) m_indexCapacity = kInitialIndexCapacity;
    }
    return m_nodes != nullptr && m_index != nullptr;
}

bool StackTrie::growIndex() noexcept {
    const std::size_t capacity = m_indexCapacity * 2;
    Slot* index = mapArray<Slot>(capacity);
    if (index == nullptr) return false;
    const std::size_t mask = capacity - 1;
    for (std::size_t i = 0; i < m_indexCapacity; ++i) {
        const Slot& s = m_index[i];
        if (s.id == 0) continue;
        std::size_t j = hashEdge(s.parent, s.returnAddress) & mask;
        while (index[j].id != 0) j = (j + 1) & mask;
        index[j] = s;
    }
    unmapArray(m_index, m_indexCapacity);
    m_index = index;
    m_indexCapacity = capacity;
    return true;
}

// Returns the id of parent's child for returnAddress, creating it; 0 when out of space.
std::uint32_t StackTrie::child(std::uint32_t parent, std::uint64_t returnAddress) noexcept {
    std::size_t mask = m_indexCapacity - 1;
    std::size_t i = hashEdge(parent, returnAddress) & mask;
    for (; m_index[i].id != 0; i = (i + 1) & mask) {
        if (m_index[i].parent == parent && m_index[i].returnAddress == returnAddress) {
            return m_index[i].id;
        }
    }
    if (m_count + 1 >= kMaxNodes) return 0;
    if ((std::size_t{m_count} + 1) * 2 > m_indexCapacity) {
        if (!growIndex()) return 0;
        mask = m_indexCapacity - 1;
        i = hashEdge(parent, returnAddress) & mask;
        while (m_index[i].id != 0) i = (i + 1) & mask;
    }
    const std::uint32_t id = ++m_count;
    m_nodes[id] = Node{returnAddress, parent};
    m_index[i] = Slot{returnAddress, parent, id};
    return id;
}

StackId StackTrie::intern(const std::uintptr_t* frames, std::size_t depth) noexcept {
    std::lock_guard<std::mutex> guard(m_mutex);
    if (!ensureStorage()) return StackId{};
    std::uint32_t id = 0;
    for (std::size_t i = depth; i-- > 0;) {
        const std::uint32_t next = child(id, frames[i]);
        if (next == 0) break;
        id = next;
    }
    m_published.store(m_count, std::memory_order_release);
    return StackId{id};
}

format::StackNodeRecord StackTrie::node(std::uint32_t id) const noexcept {
    const Node& n = m_nodes[id];
    return format::StackNodeRecord{StackId{id}, StackId{n.parent}, n.returnAddress};
}

} // namespace heapscope::recorder
