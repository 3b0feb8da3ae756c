// recorder: on the error path only, whether an address no tracked block owns could still be a
// heap block (one handed out before recording started, say) or is certainly not one.
#pragma once

#include <cstdint>

namespace heapscope::recorder {

// True when address cannot be a block of any allocator: it lies in a loaded module (code or
// static data, .bss included), it is not mapped, or it lies in a file-backed mapping, in the
// main stack, or in the same mapping as ownStack (an address on the calling thread's stack).
// Anonymous and [heap] memory gives false: the address may belong to a block the recorder never
// saw. Reads /proc/self/maps with plain system calls (no malloc); false when it cannot be read.
bool certainlyNotHeap(std::uint64_t address, std::uint64_t ownStack) noexcept;

} // namespace heapscope::recorder
