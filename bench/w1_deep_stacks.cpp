// bench W1: one thread, many small malloc/free pairs made ~20 frames deep, ~10 k blocks live.
// The stress case for per-allocation cost: unwinding a deep stack without frame pointers.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "workload.h"

namespace {

constexpr std::uint64_t kPairsAtScale1 = 10'000'000;
constexpr std::size_t kLiveSlots = 10'000;
constexpr std::size_t kMinSize = 16;
constexpr std::size_t kMaxSize = 512;

struct Ring {
    void *slots[kLiveSlots] = {};
    std::size_t next = 0;
    std::uint64_t checksum = 0;
};

// The oldest block leaves, a new one takes its slot: the live set stays at kLiveSlots.
void replaceOldest(Ring &ring, std::size_t size, unsigned char fill) {
    void *&slot = ring.slots[ring.next];
    ring.next = (ring.next + 1) % kLiveSlots;
    if (slot != nullptr)
        ring.checksum += *static_cast<unsigned char *>(slot);
    std::free(slot);
    slot = std::malloc(size);
    if (slot == nullptr)
        std::abort();
    std::memset(slot, fill, size < 64 ? size : 64);
}

// Four distinct leaf call sites, as a program has a few hot allocation sites.
__attribute__((noinline)) void leafParse(Ring &ring, std::size_t size) {
    replaceOldest(ring, size, 'p');
}
__attribute__((noinline)) void leafBuffer(Ring &ring, std::size_t size) {
    replaceOldest(ring, size, 'b');
}
__attribute__((noinline)) void leafNode(Ring &ring, std::size_t size) {
    replaceOldest(ring, size, 'n');
}
__attribute__((noinline)) void leafMessage(Ring &ring, std::size_t size) {
    replaceOldest(ring, size, 'm');
}

// Distinct functions per level (not one recursive function) so each frame has its own return
// address, as in a real call chain. The work after the call keeps it from being a tail call.
template <int Level>
__attribute__((noinline)) std::uint64_t descend(Ring &ring, std::uint64_t random) {
    if constexpr (Level == 0) {
        const std::size_t size = kMinSize + random % (kMaxSize - kMinSize + 1);
        switch ((random >> 32) & 3) {
        case 0:
            leafParse(ring, size);
            break;
        case 1:
            leafBuffer(ring, size);
            break;
        case 2:
            leafNode(ring, size);
            break;
        default:
            leafMessage(ring, size);
            break;
        }
        return size;
    } else {
        const std::uint64_t result = descend<Level - 1>(ring, random);
        asm volatile("" ::: "memory");
        return result + Level;
    }
}

constexpr int kChainDepth = 16;

// Four entry points on top of the chain: with the four leaves, 16 distinct stacks of ~20 frames.
__attribute__((noinline)) std::uint64_t handleRequest(Ring &ring, std::uint64_t random) {
    return descend<kChainDepth>(ring, random) + 1;
}
__attribute__((noinline)) std::uint64_t handleTimer(Ring &ring, std::uint64_t random) {
    return descend<kChainDepth>(ring, random) + 2;
}
__attribute__((noinline)) std::uint64_t handleReply(Ring &ring, std::uint64_t random) {
    return descend<kChainDepth>(ring, random) + 3;
}
__attribute__((noinline)) std::uint64_t handleIdle(Ring &ring, std::uint64_t random) {
    return descend<kChainDepth>(ring, random) + 4;
}

} // namespace

int main(int argc, char **argv) {
    const double scale = workloadScale(argc, argv, "bench_w1");
    if (!(scale > 0.0)) return 2;
    const auto pairs = static_cast<std::uint64_t>(static_cast<double>(kPairsAtScale1) * scale);

    static Ring ring;
    std::uint64_t state = 42;
    std::uint64_t total = 0;
    for (std::uint64_t i = 0; i < pairs; ++i) {
        const std::uint64_t random = nextRandom(state);
        switch ((random >> 40) & 3) {
        case 0:
            total += handleRequest(ring, random);
            break;
        case 1:
            total += handleTimer(ring, random);
            break;
        case 2:
            total += handleReply(ring, random);
            break;
        default:
            total += handleIdle(ring, random);
            break;
        }
    }
    for (void *slot : ring.slots)
        std::free(slot);
    std::printf("w1: %llu malloc/free pairs, checksum %llu\n",
                static_cast<unsigned long long>(pairs),
                static_cast<unsigned long long>(total + ring.checksum));
    return 0;
}
