/* A program linked with -lheapscope (not preloaded): it allocates a known amount, asks the
 * recorder for its live statistics and prints them for the test to check.
 * Ground truth: 10 blocks of 1000 bytes live when the statistics are read. */
#include <stdio.h>
#include <stdlib.h>

#include <heapscope/heapscope.h>

int main(void) {
    enum { kBlocks = 10, kBlockSize = 1000 };
    void* blocks[kBlocks];
    struct heapscope_stats before;
    struct heapscope_stats after;
    if (heapscope_get_stats(&before) != 0) {
        puts("not recording");
        return 1;
    }
    for (int i = 0; i < kBlocks; ++i) blocks[i] = malloc(kBlockSize);
    heapscope_mark("allocated");
    if (heapscope_get_stats(&after) != 0) return 1;
    printf("active=%d live_blocks_added=%llu live_bytes_added=%llu\n", heapscope_is_active(),
           (unsigned long long)(after.live_blocks - before.live_blocks),
           (unsigned long long)(after.live_bytes - before.live_bytes));
    for (int i = 0; i < kBlocks; ++i) free(blocks[i]);
    return 0;
}
