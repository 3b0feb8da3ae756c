// victim `forker`: a process that forks; the child is traced into its own trace file.
// Ground truth (checked by tests/e2e/fork_test.cpp):
//   parent trace: forker_before_fork 100 x malloc(128); forker_after_wait 70 x malloc(512);
//                 forker_in_child absent.
//   child trace (<out>.<childpid>.hst): forker_in_child 50 x malloc(256); forker_after_wait
//                 absent. The child exits with status 0.
// It changes to / before forking, as a daemon does: the child's trace is still written beside the
// parent's, also when the trace's name was given relative to where the program started.
// stdout: "child <pid>" so that the test can find the child's trace.
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr int kBefore = 100;
constexpr int kInChild = 50;
constexpr int kAfter = 70;

void* g_blocks[kBefore + kInChild + kAfter];

} // namespace

__attribute__((noinline)) void* forker_before_fork() { return std::malloc(128); }

__attribute__((noinline)) void* forker_in_child() { return std::malloc(256); }

__attribute__((noinline)) void* forker_after_wait() { return std::malloc(512); }

int main() {
    for (int i = 0; i < kBefore; ++i) {
        g_blocks[i] = forker_before_fork();
    }
    std::fflush(stdout);
    if (chdir("/") != 0) {
        std::perror("chdir");
        return 1;
    }
    const pid_t child = fork();
    if (child < 0) {
        std::perror("fork");
        return 1;
    }
    if (child == 0) {
        for (int i = 0; i < kInChild; ++i) {
            g_blocks[kBefore + i] = forker_in_child();
        }
        std::exit(0);
    }
    std::printf("child %d\n", static_cast<int>(child));
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "forker: the child failed\n");
        return 1;
    }
    for (int i = 0; i < kAfter; ++i) {
        g_blocks[kBefore + kInChild + i] = forker_after_wait();
    }
    return 0;
}
