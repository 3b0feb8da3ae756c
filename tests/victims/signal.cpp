// victim `signal`: writes to stdout and stderr, allocates, then raises SIGTERM (argument "term")
// or SIGSEGV (argument "segv").
// Ground truth (checked by tests/e2e/exit_test.cpp): `heapscope run` dies by the same signal and
// the program's output is byte-identical to a run without heapscope.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    const bool segv = argc > 1 && std::strcmp(argv[1], "segv") == 0;
    void* block = std::malloc(4096);
    std::printf("signal: raising %s\n", segv ? "SIGSEGV" : "SIGTERM");
    std::fprintf(stderr, "signal: block %s\n", block != nullptr ? "allocated" : "missing");
    std::fflush(stdout);
    std::raise(segv ? SIGSEGV : SIGTERM);
    std::puts("signal: still alive");
    return 0;
}
