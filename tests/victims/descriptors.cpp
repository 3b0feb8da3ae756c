// victim `descriptors`: treats its file descriptors as daemons and shells do. It closes every
// descriptor it did not open, each way there is (a loop of close() over every number,
// close_range, closefrom), reuses low numbers with dup2 as a shell's `exec 5>file` does, and
// allocates between and after.
// Ground truth (checked by tests/e2e/descriptors_test.cpp): stdout is the same as without
// heapscope, the descriptor numbers open() hands out included; the file named by argv[1] holds
// exactly "descriptor N" for N = 3..63, in order; victim_site_after_closes makes 1,000 blocks of
// 100 bytes, 10 of them never freed; the exit status is 0.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr int kBlocks = 1000;
constexpr int kKept = 10;
constexpr int kHighestDuplicate = 63;

void* g_kept[kKept];
void* volatile g_sink;

// Heap traffic between the steps, so the recorder has events to write while descriptors come
// and go.
void churn(int count) {
    for (int i = 0; i < count; ++i) {
        void* block = std::malloc(64 + static_cast<std::size_t>(i % 200));
        g_sink = block; // escapes: the compiler may not drop the pair
        std::free(block);
    }
}

int reportOpen(const char* what) {
    const int fd = ::open("/dev/null", O_RDONLY);
    std::printf("%s: open gives descriptor %d\n", what, fd);
    return fd;
}

} // namespace

__attribute__((noinline)) void victim_site_after_closes() {
    for (int i = 0; i < kBlocks; ++i) {
        void* block = std::malloc(100);
        if (i < kKept) {
            g_kept[i] = block;
        } else {
            std::free(block);
        }
    }
}

int main(int argc, char** argv) {
    if (argc != 2) return 64;
    ::close(reportOpen("at start"));

    // A daemon's loop over every number: only the descriptors the program had count.
    int closed = 0;
    for (int fd = 3; fd < 1024; ++fd) {
        if (::close(fd) == 0) ++closed;
    }
    std::printf("the loop closed %d descriptors\n", closed);
    churn(1000);
    ::close(reportOpen("after the loop"));

    std::printf("close_range: %d\n", ::close_range(3, ~0u, 0));
    churn(1000);
    ::closefrom(3);
    churn(1000);

    // A shell's `exec N>file` for every low number, each written through.
    const int file = ::open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    std::printf("the file is descriptor %d\n", file);
    for (int fd = 3; fd <= kHighestDuplicate; ++fd) {
        if (fd != file && ::dup2(file, fd) != fd) return 65;
        const std::string line = "descriptor " + std::to_string(fd) + "\n";
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 66;
        churn(10);
    }
    ::closefrom(3);

    victim_site_after_closes();
    ::close(reportOpen("at the end"));
    return 0;
}
