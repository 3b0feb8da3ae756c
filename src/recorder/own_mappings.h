// recorder: the registry of the recorder's own anonymous mappings (its tables, buffers and the
// leak scan's arrays, all from mapped_memory.h). The leak scan takes the program's anonymous
// memory for roots, as memcheck does; the recorder's must not be, since its tables hold every
// block's address. Lock-free: the scan reads it while other threads are stopped, perhaps in the
// middle of an update, which it then sees as such.
#pragma once

#include <cstddef>
#include <cstdint>

namespace heapscope::recorder {

void noteOwnMapping(const void* start, std::size_t bytes) noexcept;
void forgetOwnMapping(const void* start) noexcept;

enum class OwnMappingAnswer { No, Yes, Unknown };
// Whether [start, end) overlaps one of the recorder's mappings. Unknown when the registry
// cannot tell: a mapping was being noted when the world stopped, or more were made than it
// holds.
OwnMappingAnswer overlapsOwnMapping(std::uint64_t start, std::uint64_t end) noexcept;

} // namespace heapscope::recorder
