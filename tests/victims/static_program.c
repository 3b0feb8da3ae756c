/* victim `static_program`: linked statically, so no dynamic loader runs in it and LD_PRELOAD
 * cannot bring the recorder in.
 * Ground truth (checked by tests/e2e/unreachable_test.cpp): prints "static program" and exits
 * with status 7, under heapscope as without it; no trace is written. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    char* text = malloc(16);
    snprintf(text, 16, "static program");
    puts(text);
    free(text);
    return 7;
}
