// victim `exit_status`: writes to stdout and stderr, allocates, and exits with status 3.
// Ground truth (checked by tests/e2e/exit_test.cpp): `heapscope run` exits with status 3 and the
// program's stdout and stderr are byte-identical to a run without heapscope.
#include <cstdio>
#include <cstdlib>
#include <string>

int main() {
    std::string text = "exit_status: a line long enough to live on the heap";
    for (int i = 0; i < 3; ++i) {
        text += " again";
        std::printf("stdout %d: %s\n", i, text.c_str());
        std::fprintf(stderr, "stderr %d: %zu\n", i, text.size());
    }
    return 3;
}
