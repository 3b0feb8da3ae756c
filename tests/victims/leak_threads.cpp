// victim `leak_threads MODE`: a block held only by another thread, or only in TLS, at exit.
// Ground truth at exit (checked by tests/e2e/leak_scan_test.cpp), by MODE:
//   stack:     malloc(555) held only in a local of a thread blocked in a system call
//              -> still reachable 555 B in 1 block, nothing lost;
//   registers: malloc(777) held only in a register (r12, x86-64) of a thread spinning in
//              inline assembly; memory holds only the pointer xor a mask
//              -> still reachable 777 B in 1 block, nothing lost;
//   tls:       malloc(333) held only by a thread_local of the main thread
//              -> still reachable 333 B in 1 block, nothing lost;
//   lost:      malloc(555) in a thread that then drops it and blocks (the control case)
//              -> definitely lost 555 B in 1 block;
//   ended:     a thread that allocates nothing runs and is joined: glibc keeps its stack, and
//              the dynamic TLS vector it calloc'ed for it, cached for the next thread
//              -> nothing lost.
// The main thread exits (return from main) while the other thread still runs.
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

constexpr std::uintptr_t kMask = 0x5a5a5a5a5a5a5a5aull;

std::atomic<int> g_ready{0};
thread_local void* t_held = nullptr;

__attribute__((noinline)) void scrubStack() {
    volatile char scratch[8192];
    for (auto& c : scratch)
        c = 0;
}

__attribute__((noinline)) std::uintptr_t maskedBlock(std::size_t size) {
    return reinterpret_cast<std::uintptr_t>(std::malloc(size)) ^ kMask;
}

[[noreturn]] void blockForever() {
    for (;;)
        pause();
}

void* holdOnStack(void*) {
    void* volatile held = std::malloc(555);
    g_ready.store(1);
    blockForever();
    (void)held;
}

void* volatile g_sink = nullptr;

void* dropAndBlock(void*) {
    g_sink = std::malloc(555);
    g_sink = nullptr;
    scrubStack();
    g_ready.store(1);
    blockForever();
}

void* doNothing(void*) { return nullptr; }

void* holdInRegister(void*) {
    std::uintptr_t masked = maskedBlock(777);
    scrubStack();
#if defined(__x86_64__)
    // Unmask into r12, clear every other copy, announce, spin: the pointer lives only in r12.
    asm volatile("mov %0, %%r12\n\t"
                 "movabs $0x5a5a5a5a5a5a5a5a, %%rax\n\t"
                 "xor %%rax, %%r12\n\t"
                 "xor %%eax, %%eax\n\t"
                 "movl $1, %1\n\t"
                 "1: pause\n\t"
                 "jmp 1b\n\t"
                 :
                 : "r"(masked), "m"(g_ready)
                 : "rax", "r12", "memory");
#endif
    (void)masked;
    blockForever();
}

} // namespace

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    if (std::strcmp(mode, "tls") == 0) {
        t_held = std::malloc(333);
        return 0;
    }
    if (std::strcmp(mode, "ended") == 0) {
        pthread_t thread;
        if (pthread_create(&thread, nullptr, &doNothing, nullptr) != 0) return 3;
        return pthread_join(thread, nullptr) == 0 ? 0 : 4;
    }
    void* (*body)(void*) = nullptr;
    if (std::strcmp(mode, "stack") == 0) body = &holdOnStack;
    if (std::strcmp(mode, "registers") == 0) body = &holdInRegister;
    if (std::strcmp(mode, "lost") == 0) body = &dropAndBlock;
    if (body == nullptr) return 2;
    pthread_t thread;
    if (pthread_create(&thread, nullptr, body, nullptr) != 0) return 3;
    while (g_ready.load() == 0)
        usleep(1000);
    return 0;
}
