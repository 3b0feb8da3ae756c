// recorder: stack interning. A global trie of (parent, return address) → StackId, so each
// distinct stack is stored and written to the trace once, and an event carries one id.
//
// Orientation (as records.h StackNodeRecord): the root (StackId 0) is the empty stack, a node's
// parent is the stack one frame further *out* (towards main), and a node adds one frame on the
// inner side. A stack's id is therefore its innermost node (the caller of malloc), and walking
// parents goes outward. Ids are dense, starting at 1, in creation order.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "common/ids.h"
#include "format/records.h"

namespace heapscope::recorder {

class StackTrie {
public:
    // Virtual space for the node array is reserved up front (pages commit as used); a stack
    // whose nodes would exceed it is cut at its outer part that still fits.
    static constexpr std::uint32_t kMaxNodes = 1u << 24;

    StackTrie() = default;
    ~StackTrie();
    StackTrie(const StackTrie&) = delete;
    StackTrie& operator=(const StackTrie&) = delete;

    // Interns frames[0..depth), innermost first, and returns the id of the innermost node.
    // Takes the trie mutex: callers put a per-thread cache in front (new stacks are rare).
    StackId intern(const std::uintptr_t* frames, std::size_t depth) noexcept;

    // Nodes 1..publishedCount() are complete and readable without the lock. A node is
    // published before intern() returns its id, so a reader that saw an event using an id
    // (through any acquire) sees its node.
    std::uint32_t publishedCount() const noexcept {
        return m_published.load(std::memory_order_acquire);
    }
    format::StackNodeRecord node(std::uint32_t id) const noexcept;

    // Held across fork() so the child never inherits a half-built node.
    void lock() noexcept { m_mutex.lock(); }
    void unlock() noexcept { m_mutex.unlock(); }

private:
    struct Node {
        std::uint64_t returnAddress;
        std::uint32_t parent;
    };
    struct Slot {
        std::uint64_t returnAddress;
        std::uint32_t parent;
        std::uint32_t id; // 0: empty
    };

    bool ensureStorage() noexcept;
    bool growIndex() noexcept;
    std::uint32_t child(std::uint32_t parent, std::uint64_t returnAddress) noexcept;

    std::mutex m_mutex;
    Node* m_nodes = nullptr; // indexed by id; entry 0 unused
    Slot* m_index = nullptr;
    std::size_t m_indexCapacity = 0;
    std::uint32_t m_count = 0; // nodes created, under the mutex
    std::atomic<std::uint32_t> m_published{0};
};

} // namespace heapscope::recorder
