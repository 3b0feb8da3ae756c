// common: byte sizes as people write them ("64K", "50MiB", "1.5G") and as reports print them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace heapscope {

// Accepts a plain number of bytes or a number with a unit: K, KB, KiB, M, MB, MiB, G, GB, GiB,
// T, TB, TiB (case-insensitive; all binary, 1K = 1024, as valgrind and heaptrack use them).
std::optional<std::uint64_t> parseSize(std::string_view text);

// "812.4 MiB", "512 B": one decimal above a KiB, binary units.
std::string formatSize(std::uint64_t bytes);
// Signed variant for diffs: "+1.2 MiB", "-512 B".
std::string formatSignedSize(std::int64_t bytes);

// "1,234,567": thousands separators, as the run summary prints counts.
std::string formatCount(std::uint64_t count);

// "2.31 s", "45.0 ms", "812.0 us" from nanoseconds.
std::string formatDuration(std::uint64_t ns);

} // namespace heapscope
