/* victim `sized`: allocation sizes and counts from argv, so two runs differ by an exact amount
 * (the ground truth of the diff and check tests).
 * Usage: victim_sized BLOCK_BYTES BLOCKS LEAKED
 * sized_site() allocates BLOCKS blocks of BLOCK_BYTES, all live at once (peak heap
 * BLOCKS * BLOCK_BYTES); all are freed but the last LEAKED. Written in C without stdio and with
 * a static pointer table so nothing else allocates: allocations == BLOCKS, leaked bytes ==
 * LEAKED * BLOCK_BYTES. */
#include <stdlib.h>

enum { kMaxBlocks = 4096 };
static void* s_kept[kMaxBlocks];

__attribute__((noinline)) void* sized_site(size_t bytes) { return malloc(bytes); }

int main(int argc, char** argv) {
    if (argc != 4) return 2;
    const size_t bytes = strtoul(argv[1], NULL, 10);
    const size_t blocks = strtoul(argv[2], NULL, 10);
    const size_t leaked = strtoul(argv[3], NULL, 10);
    if (blocks == 0 || blocks > kMaxBlocks || leaked > blocks) return 2;
    for (size_t i = 0; i < blocks; ++i)
        s_kept[i] = sized_site(bytes);
    for (size_t i = 0; i < blocks - leaked; ++i)
        free(s_kept[i]);
    return 0;
}
