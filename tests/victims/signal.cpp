// victim `signal`: writes to stdout and stderr, allocates, then raises SIGTERM (argument "term")
// or SIGSEGV (argument "segv"); with "double-free" it frees a 40-byte block twice first (glibc
// aborts there; memcheck and heapscope report it and go on to the SIGSEGV).
// Ground truth (checked by tests/e2e/exit_test.cpp and leak_scan_test.cpp): `heapscope run` dies
// by the same signal and the program's output is byte-identical to a run without heapscope; the
// trace is complete: the 4096-byte block, held by main, is still reachable, as memcheck says,
// and the double free is in it.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
// Out of line, so the compiler does not see the second free of the same pointer.
__attribute__((noinline)) void release(void* block) { std::free(block); }
} // namespace

int main(int argc, char** argv) {
    const bool doubleFree = argc > 1 && std::strcmp(argv[1], "double-free") == 0;
    const bool segv = doubleFree || (argc > 1 && std::strcmp(argv[1], "segv") == 0);
    void* block = std::malloc(4096);
    std::printf("signal: raising %s\n", segv ? "SIGSEGV" : "SIGTERM");
    std::fprintf(stderr, "signal: block %s\n", block != nullptr ? "allocated" : "missing");
    std::fflush(stdout);
    if (doubleFree) {
        void* twice = std::malloc(40);
        release(twice);
        release(twice);
    }
    std::raise(segv ? SIGSEGV : SIGTERM);
    std::puts("signal: still alive");
    return 0;
}
