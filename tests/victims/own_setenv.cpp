// victim `own_setenv`: defines its own setenv, as bash does (its setenv binds a shell
// variable), which then also serves every other caller in the process.
// Ground truth (checked by tests/e2e/environment_test.cpp): the recorder never calls it, so
// stdout is "setenv calls before main: 0", then "HEAPSCOPE_OUTPUT=" and the variable's value.
#include <cstdio>
#include <cstdlib>

namespace {
int s_calls = 0;
}

extern "C" int setenv(const char*, const char*, int) {
    ++s_calls;
    return 0;
}

int main() {
    std::printf("setenv calls before main: %d\n", s_calls);
    const char* output = std::getenv("HEAPSCOPE_OUTPUT");
    std::printf("HEAPSCOPE_OUTPUT=%s\n", output != nullptr ? output : "");
    return 0;
}
