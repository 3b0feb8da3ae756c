// bench: the time of one leak scan (heapscope_leak_check) on a large heap. Allocates BLOCKS
// blocks of BYTES bytes each, links every block to the next through its first word, keeps
// the first of every 16 in a global array (so most blocks are reached through other blocks,
// as in a real heap), drops one chain in 16 to make lost blocks, then times the scan.
//   leak_scan_bench [BLOCKS [BYTES]]   (default 1048576 x 1024: 1 GiB)
// Prints "blocks=N bytes=B scan_ms=T definitely_lost=B/N still_reachable=B/N". Run it under
// `heapscope run`; without heapscope it prints "inactive".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "heapscope/heapscope.h"

namespace {

constexpr std::size_t kChain = 16;
std::vector<void*>* g_heads = nullptr;

} // namespace

int main(int argc, char** argv) {
    const std::size_t blocks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1u << 20;
    const std::size_t bytes = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1024;
    if (blocks < kChain || bytes < sizeof(void*)) return 2;
    g_heads = new std::vector<void*>();
    g_heads->reserve(blocks / kChain);
    for (std::size_t chain = 0; chain < blocks / kChain; ++chain) {
        void* next = nullptr;
        for (std::size_t i = 0; i < kChain; ++i) {
            void* block = std::malloc(bytes);
            // Touch every page, as a real heap is resident; zeroes are no pointers.
            std::memset(block, 0, bytes);
            std::memcpy(block, &next, sizeof next);
            next = block;
        }
        g_heads->push_back(chain % 16 == 15 ? nullptr : next);
    }
    heapscope_leak_totals totals{};
    const auto start = std::chrono::steady_clock::now();
    const int rc = heapscope_leak_check(&totals);
    const auto end = std::chrono::steady_clock::now();
    if (rc != 0) {
        std::puts("inactive");
        return 0;
    }
    std::printf("blocks=%zu bytes=%zu scan_ms=%.0f definitely_lost=%llu/%llu "
                "indirectly_lost=%llu/%llu still_reachable=%llu/%llu\n",
                blocks, blocks * bytes,
                std::chrono::duration<double, std::milli>(end - start).count(),
                static_cast<unsigned long long>(totals.definitely_lost_bytes),
                static_cast<unsigned long long>(totals.definitely_lost_blocks),
                static_cast<unsigned long long>(totals.indirectly_lost_bytes),
                static_cast<unsigned long long>(totals.indirectly_lost_blocks),
                static_cast<unsigned long long>(totals.still_reachable_bytes),
                static_cast<unsigned long long>(totals.still_reachable_blocks));
    return 0;
}
