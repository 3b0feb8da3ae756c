// victim `pause`: recording paused and resumed (heapscope_stop/start, `heapscope ctl`) and
// sampled (--sample-rate). The API is looked up with dlsym, so it also runs without heapscope.
// Ground truth (checked by tests/e2e/pause_test.cpp):
//   pause api: malloc(1001) lost, malloc(1002) and malloc(1003) kept; heapscope_stop();
//     malloc(2001) lost, free(1002 block), the 1003 block realloc'ed to 4000, malloc(2002) freed;
//     heapscope_start(); mark "resumed"; malloc(3001) lost; the 4000 block freed.
//     The trace holds exactly the allocations of 1001, 1002, 1003 and 3001 bytes and the frees
//     of the 1002 and 1003 blocks (the realloc while paused frees the old block). At exit
//     definitely lost is 1001 + 2001 + 3001 = 6003 B in 3 blocks (the scan sees every block);
//     the trace's verdicts cover 1001 + 3001 = 4002 B in 2 blocks.
//   pause wait DIR: prints "pid N", then for step k = 1, 2, 3 waits for the file DIR/go<k>,
//     allocates 5000 + k bytes (kept) and prints "step k". The test steers recording between
//     the steps with `heapscope ctl`; the victim exits once DIR/go4 exists.
//   pause sample: 10000 x malloc(100), every tenth lost (1000 blocks, 100000 B definitely
//     lost), the others freed at once.
// Each lost block is followed by a stack scrub: the leak scan is conservative.
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

void* volatile g_sink = nullptr;
void* volatile g_kept[8] = {};

using VoidFn = int (*)();

int callApi(const char* name) {
    auto fn = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, name));
    return fn == nullptr ? -1 : fn();
}

void mark(const char* name) {
    using MarkFn = void (*)(const char*);
    if (auto fn = reinterpret_cast<MarkFn>(dlsym(RTLD_DEFAULT, "heapscope_mark"))) fn(name);
}

void waitForFile(const std::string& path) {
    struct stat st {};
    while (::stat(path.c_str(), &st) != 0)
        ::usleep(2000);
}

void say(const std::string& line) {
    const std::string text = line + "\n";
    if (::write(1, text.data(), text.size()) < 0) std::_Exit(3);
}

__attribute__((noinline)) void victim_lose(std::size_t size) {
    g_sink = std::malloc(size);
    g_sink = nullptr;
}

__attribute__((noinline)) void scrubStack() {
    volatile char scratch[8192];
    for (auto& c : scratch)
        c = 0;
}

void lose(std::size_t size) {
    victim_lose(size);
    scrubStack();
}

int apiMode() {
    lose(1001);
    g_kept[0] = std::malloc(1002);
    g_kept[1] = std::malloc(1003);
    if (callApi("heapscope_stop") != 0) say("inactive");
    lose(2001);
    std::free(g_kept[0]);
    g_kept[1] = std::realloc(g_kept[1], 4000);
    g_sink = std::malloc(2002);
    std::free(g_sink);
    g_sink = nullptr;
    if (callApi("heapscope_start") != 0) say("inactive");
    mark("resumed");
    lose(3001);
    std::free(g_kept[1]);
    g_kept[1] = nullptr;
    return 0;
}

int waitMode(const std::string& dir) {
    say("pid " + std::to_string(::getpid()));
    for (int step = 1; step <= 3; ++step) {
        waitForFile(dir + "/go" + std::to_string(step));
        g_kept[step] = std::malloc(5000 + static_cast<std::size_t>(step));
        say("step " + std::to_string(step));
    }
    waitForFile(dir + "/go4");
    return 0;
}

int sampleMode() {
    for (int i = 0; i < 10000; ++i) {
        if (i % 10 == 0) {
            lose(100);
        } else {
            g_sink = std::malloc(100);
            std::free(g_sink);
            g_sink = nullptr;
        }
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "api") return apiMode();
    if (mode == "wait" && argc > 2) return waitMode(argv[2]);
    if (mode == "sample") return sampleMode();
    std::fprintf(stderr, "usage: victim_pause api | wait DIR | sample\n");
    return 2;
}
