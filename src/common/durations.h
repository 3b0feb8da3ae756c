// common: points in time of a recording as people write them ("2.5s", "1500ms", "800us", or
// plain nanoseconds), for the --from/--to/--at options of the report commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace heapscope {

// Nanoseconds since the start of the recording. Accepts a number (decimals allowed) with an
// optional unit: ns (the default), us, ms, s, min (case-insensitive). Rejects signs, exponents,
// unknown units and values past 2^64 ns.
std::optional<std::uint64_t> parseDuration(std::string_view text);

} // namespace heapscope
