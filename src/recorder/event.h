// recorder: the small POD event a hook appends to its thread's buffer. The writer thread turns
// events into trace records; everything not needed on the hot path is looked up there.
#pragma once

#include <cstdint>

namespace heapscope::recorder {

enum class EventKind : std::uint8_t {
    Alloc = 0,
    Free = 1,        // size: the freed block's size (for live statistics)
    ThreadStart = 2, // the thread's first event: the writer emits its ThreadRecord here
    Mark = 3,        // address: a name copied with the real malloc, size: its length
    // A heap error takes two consecutive events, appended under one lock hold:
    Error = 4,       // address: the pointer freed, size: the block's size, stack: the bad
                     // call's, family: the format::ErrorKind
    ErrorDetail = 5, // address: the offset into the block, size: the free stack, stack: the
                     // allocation stack
};

struct Event {
    std::uint64_t ticks; // eventTicks(), read under the buffer's lock
    std::uint64_t address;
    std::uint64_t size;
    std::uint32_t stack;
    EventKind kind;
    std::uint8_t family; // format::AllocFamily
};
static_assert(sizeof(Event) == 32);

} // namespace heapscope::recorder
