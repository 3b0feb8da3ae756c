// victim `stack_overflow`: recursion without end, on the main thread or (argument "thread") on a
// second thread, until the stack runs out and the kernel sends SIGSEGV.
// Ground truth (checked by tests/e2e/stack_overflow_test.cpp): the program dies by SIGSEGV, with
// and without heapscope; before it dies it allocates three blocks: 4096 bytes held by a global
// (still reachable), 1234 bytes held only by the first frame of the recursion (still reachable:
// the overflowed stack is scanned) and 100 bytes whose address it drops (definitely lost).
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void* volatile g_held = nullptr;
void* volatile g_lost = nullptr;
volatile int g_never = -1; // the depth at which the recursion would stop: never reached

// Not a tail call, and each frame keeps a buffer, so the stack is used up. The stack pointer
// moves past the end of the stack before the frame's first store faults, so the scan must find
// the stack from below it. Frames stay under a page: a larger one could step over a thread's
// guard page into the mapping below.
__attribute__((noinline)) int descend(int depth) {
    volatile char frame[256];
    frame[0] = static_cast<char>(depth);
    if (depth == g_never) return 0;
    return descend(depth + 1) + frame[0];
}

// The frames the recursion reuses must not hold a stale copy of the lost block's address (left
// there by malloc's own frames), or it would be found still reachable: they are zeroed first.
__attribute__((noinline)) void wipeStackBelow() {
    volatile char area[16384];
    for (volatile char& c : area)
        c = 0;
}

void* overflow(void*) {
    void* volatile onStack = std::malloc(1234);
    g_lost = std::malloc(100);
    g_lost = nullptr;
    wipeStackBelow();
    std::printf("stack_overflow: descending\n");
    std::fflush(stdout);
    // onStack is read only after the call, so no register holds it while the stack overflows.
    const int result = descend(0);
    std::printf("%d %p\n", result, onStack);
    return nullptr;
}

} // namespace

int main(int argc, char** argv) {
    g_held = std::malloc(4096);
    if (argc > 1 && std::strcmp(argv[1], "thread") == 0) {
        pthread_t thread;
        if (pthread_create(&thread, nullptr, &overflow, nullptr) != 0) return 1;
        pthread_join(thread, nullptr);
    } else {
        overflow(nullptr);
    }
    return 0;
}
