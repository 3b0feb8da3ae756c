// victim `threads`: eight threads allocating at one site, a third of the blocks freed by another
// thread (handed over through a mutex-protected mailbox).
// Ground truth (checked by tests/e2e/threads_test.cpp):
//   thread_site: 8 threads x 3000 x malloc(64) -> 24000 allocations, 1536000 bytes.
//     Each thread hands 1000 of its blocks to the next thread, which frees them; it frees
//     1990 itself and leaks 10 -> 80 blocks (5120 bytes) leaked in all.
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace {

constexpr int kThreads = 8;
constexpr int kBlocksPerThread = 3000;
constexpr int kHandedOver = 1000;
constexpr int kLeakedPerThread = 10;

// Fixed arrays, not containers: the victim's only heap traffic is the one under test.
struct Mailbox {
    std::mutex mutex;
    std::condition_variable filled;
    void* blocks[kHandedOver] = {};
    int count = 0;
};

Mailbox g_mailboxes[kThreads];
void* g_blocks[kThreads][kBlocksPerThread];

} // namespace

__attribute__((noinline)) void* thread_site() { return std::malloc(64); }

__attribute__((noinline)) void threadMain(int index) {
    void** own = g_blocks[index];
    for (int i = 0; i < kBlocksPerThread; ++i) {
        own[i] = thread_site();
    }
    Mailbox& next = g_mailboxes[(index + 1) % kThreads];
    for (int i = 0; i < kHandedOver; ++i) {
        std::lock_guard lock(next.mutex);
        next.blocks[next.count++] = own[i];
        if (next.count == kHandedOver) {
            next.filled.notify_one();
        }
    }
    for (int i = kHandedOver; i < kBlocksPerThread - kLeakedPerThread; ++i) {
        std::free(own[i]);
    }
    Mailbox& mine = g_mailboxes[index];
    std::unique_lock lock(mine.mutex);
    mine.filled.wait(lock, [&] { return mine.count == kHandedOver; });
    for (void* block : mine.blocks) {
        std::free(block);
    }
}

int main() {
    std::thread threads[kThreads];
    for (int i = 0; i < kThreads; ++i) {
        threads[i] = std::thread(threadMain, i);
    }
    for (auto& thread : threads) {
        thread.join();
    }
    std::puts("threads: done");
    return 0;
}
