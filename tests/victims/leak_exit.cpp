// victim `leak_exit MODE`: main holds a block in a local and calls a function that ends the
// program with exit(0) (MODE exit) or _exit(0) (MODE _exit), so main's frame is still live.
// Ground truth at exit (checked by tests/e2e/leak_scan_test.cpp, and by memcheck there), both
// modes: still reachable: malloc(123), held by main's local -> 123 B in 1 block;
//        definitely lost: malloc(77), forgotten               ->  77 B in 1 block.
// Nothing else is allocated by the program (no stdio: its buffer would be still reachable).
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace {

// The lost block passes through here, then the pointer is overwritten.
void* volatile g_sink = nullptr;

} // namespace

__attribute__((noinline)) void victim_forget() {
    g_sink = std::malloc(77);
    g_sink = nullptr;
}

__attribute__((noinline)) void victim_finish(bool quick) {
    if (quick) _exit(0);
    std::exit(0);
}

int main(int argc, char** argv) {
    if (argc != 2) return 64;
    char* volatile held = static_cast<char*>(std::malloc(123));
    std::memset(held, 1, 123);
    victim_forget();
    victim_finish(std::strcmp(argv[1], "_exit") == 0);
    return held[0];
}
