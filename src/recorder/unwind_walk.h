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

// walkStack from the frame record entryFrame (a __builtin_frame_address(0) of a function still
// running on this thread, above the caller), so the frames below it are not walked: the first
// address is entryFrame's return address. With entryFrame null or not between the caller's
// frame and the stack's end, the walk starts at walkStackFrom's own frame.
int walkStackFrom(const void* entryFrame, std::uintptr_t* out, std::size_t max) noexcept;

// Forgets every cached rule (each thread's table is cleared at its next walk): called after a
// module is unloaded, since another may be loaded at the same addresses.
void dropFrameRules() noexcept;

} // namespace heapscope::recorder
