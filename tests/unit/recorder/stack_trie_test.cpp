// tests/unit/recorder: stack interning: deduplication, dense ids, parent chains (outer frame is
// the parent), the per-thread cache, and concurrent interning.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "recorder/stack_cache.h"
#include "recorder/stack_trie.h"

namespace heapscope::recorder {
namespace {

// Walks parents from id outward: the frames innermost first, as they were interned.
std::vector<std::uintptr_t> framesOf(const StackTrie& trie, StackId id) {
    std::vector<std::uintptr_t> frames;
    while (id.value != 0) {
        const format::StackNodeRecord node = trie.node(id.value);
        frames.push_back(node.returnAddress);
        id = node.parent;
    }
    return frames;
}

TEST(StackTrie, EmptyStackIsTheRoot) {
    StackTrie trie;
    EXPECT_EQ(trie.intern(nullptr, 0), StackId{0});
    EXPECT_EQ(trie.publishedCount(), 0u);
}

TEST(StackTrie, NodesRunFromOutermostToInnermost) {
    StackTrie trie;
    const std::uintptr_t stack[] = {0xA, 0xB, 0xC}; // 0xA is the caller of malloc
    const StackId id = trie.intern(stack, 3);
    EXPECT_EQ(id, StackId{3});
    ASSERT_EQ(trie.publishedCount(), 3u);
    EXPECT_EQ(trie.node(1).returnAddress, 0xCu); // outermost first, child of the root
    EXPECT_EQ(trie.node(1).parent, StackId{0});
    EXPECT_EQ(trie.node(2).returnAddress, 0xBu);
    EXPECT_EQ(trie.node(2).parent, StackId{1});
    EXPECT_EQ(trie.node(3).returnAddress, 0xAu);
    EXPECT_EQ(trie.node(3).parent, StackId{2});
    EXPECT_EQ(framesOf(trie, id), (std::vector<std::uintptr_t>{0xA, 0xB, 0xC}));
}

TEST(StackTrie, SameStackSameIdAndSharedOuterFrames) {
    StackTrie trie;
    const std::uintptr_t first[] = {0xA, 0xB, 0xC};
    const std::uintptr_t sibling[] = {0xD, 0xB, 0xC};
    const std::uintptr_t outer[] = {0xB, 0xC};
    EXPECT_EQ(trie.intern(first, 3), StackId{3});
    EXPECT_EQ(trie.intern(first, 3), StackId{3});
    EXPECT_EQ(trie.intern(sibling, 3), StackId{4}); // one new node under 0xC→0xB
    EXPECT_EQ(trie.node(4).parent, StackId{2});
    EXPECT_EQ(trie.intern(outer, 2), StackId{2});
    EXPECT_EQ(trie.publishedCount(), 4u);
}

TEST(StackTrie, ManyStacksGrowTheIndex) {
    StackTrie trie;
    // 20000 distinct stacks of depth 4 sharing two outer frames: 2 + 2 * 20000 nodes.
    for (std::uintptr_t i = 0; i < 20000; ++i) {
        const std::uintptr_t stack[] = {0x100000 + i, 0x200000 + i, 0x2, 0x1};
        const StackId id = trie.intern(stack, 4);
        ASSERT_EQ(framesOf(trie, id), std::vector<std::uintptr_t>(stack, stack + 4));
    }
    EXPECT_EQ(trie.publishedCount(), 2u + 2u * 20000u);
}

TEST(StackTrie, ConcurrentInterningAgreesOnIds) {
    StackTrie trie;
    constexpr int kThreads = 8;
    constexpr std::uintptr_t kStacks = 500;
    auto makeStack = [](std::uintptr_t s) {
        // Depth 1..6, sharing outer frames between stacks with the same s % 7.
        std::vector<std::uintptr_t> frames;
        for (std::uintptr_t d = 0; d < s % 6 + 1; ++d)
            frames.push_back(0x1000 * (d + 1) + s % 7);
        frames.front() = 0x900000 + s;
        return frames;
    };
    std::vector<std::vector<StackId>> ids(kThreads, std::vector<StackId>(kStacks));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (std::uintptr_t k = 0; k < kStacks; ++k) {
                const std::uintptr_t s = (k * 7 + static_cast<std::uintptr_t>(t) * 131) % kStacks;
                const auto frames = makeStack(s);
                ids[t][s] = trie.intern(frames.data(), frames.size());
            }
        });
    }
    for (std::thread& t : threads)
        t.join();
    std::set<std::vector<std::uintptr_t>> distinctNodes; // each node is a distinct outer suffix
    for (std::uintptr_t s = 0; s < kStacks; ++s) {
        const auto frames = makeStack(s);
        for (int t = 1; t < kThreads; ++t)
            ASSERT_EQ(ids[t][s], ids[0][s]) << s;
        ASSERT_EQ(framesOf(trie, ids[0][s]), frames);
        for (std::size_t i = 0; i < frames.size(); ++i) {
            distinctNodes.insert(std::vector<std::uintptr_t>(frames.begin() + i, frames.end()));
        }
    }
    EXPECT_EQ(trie.publishedCount(), distinctNodes.size());
}

TEST(StackCache, HitNeedsHashDepthAndInnermostFrame) {
    StackCache cache{};
    const std::uintptr_t frames[] = {0x10, 0x20, 0x30};
    const std::uint64_t hash = StackCache::hashFrames(frames, 3);
    EXPECT_EQ(cache.find(hash, 3, 0x10), StackId{0});
    cache.store(hash, 3, 0x10, StackId{42});
    EXPECT_EQ(cache.find(hash, 3, 0x10), StackId{42});
    EXPECT_EQ(cache.find(hash, 2, 0x10), StackId{0});
    EXPECT_EQ(cache.find(hash, 3, 0x11), StackId{0});
    EXPECT_NE(StackCache::hashFrames(frames, 2), hash);
}

// The hash is spread over lanes: a change in any one frame, or two neighbours swapped, must
// still change it, at every depth and position (and so in every lane and the tail).
TEST(StackCache, HashSeesEveryFrameAndItsPlace) {
    for (std::size_t depth = 1; depth <= 23; ++depth) {
        std::vector<std::uintptr_t> frames(depth);
        for (std::size_t i = 0; i < depth; ++i)
            frames[i] = 0x401000 + 0x40 * i;
        const std::uint64_t hash = StackCache::hashFrames(frames.data(), depth);
        std::set<std::uint64_t> seen{hash};
        for (std::size_t i = 0; i < depth; ++i) {
            std::vector<std::uintptr_t> changed = frames;
            changed[i] += 1;
            EXPECT_TRUE(seen.insert(StackCache::hashFrames(changed.data(), depth)).second)
                << "depth " << depth << " frame " << i;
            if (i + 1 < depth) {
                std::vector<std::uintptr_t> swapped = frames;
                std::swap(swapped[i], swapped[i + 1]);
                EXPECT_TRUE(seen.insert(StackCache::hashFrames(swapped.data(), depth)).second)
                    << "depth " << depth << " swap at " << i;
            }
        }
    }
}

} // namespace
} // namespace heapscope::recorder
