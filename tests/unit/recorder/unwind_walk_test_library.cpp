// Test library for unwind_walk_test: a recursive chain dlopen'ed, unwound through, unloaded. Built
// twice with different frame sizes (UNWIND_TEST_FRAME_BYTES) but the same code layout, so that a
// rule cached for one copy is wrong for the other loaded at the same address.
#ifndef UNWIND_TEST_FRAME_BYTES
#error "UNWIND_TEST_FRAME_BYTES must be defined"
#endif

extern "C" __attribute__((visibility("default"), noinline)) int
chainThrough(int depth, void (*callback)(void*), void* argument) {
    volatile char frame[UNWIND_TEST_FRAME_BYTES];
    frame[0] = static_cast<char>(depth);
    if (depth == 0)
        callback(argument);
    else
        chainThrough(depth - 1, callback, argument);
    return frame[0]; // used after the call: neither a tail call nor a dead array
}
