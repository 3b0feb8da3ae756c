// recorder: the fast unwinder: walks the calling thread's stack with one cached frame rule per
// return address (unwind_cfa.h), kept per thread in mmap'ed memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace heapscope::recorder {

// Writes the return addresses of the calling thread's stack into out (at most max), innermost
// first: the first is the return address into walkStack's caller. Returns -1 when a frame needs
// the full unwinder (no usable rule, a signal frame, a stack it cannot vouch for).
int walkStack(std::uintptr_t* out, std::size_t max) noexcept;

// Forgets every cached rule (each thread's table is cleared at its next walk): called after a
// module is unloaded, since another may be loaded at the same addresses.
void dropFrameRules() noexcept;

} // namespace heapscope::recorder
