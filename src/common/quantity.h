// common: the number-with-a-unit values of the command line ("1.5G", "2.5s"), split and scaled
// the same way for sizes and durations.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace heapscope {

struct Quantity {
    std::string_view number; // digits with at most one '.', at least one digit
    std::string_view unit;   // what follows, without surrounding spaces (may be empty)
    bool hasFraction = false;
};

// Splits text (surrounding spaces allowed) into its leading number and its unit; nullopt when it
// does not start with a number (signs and exponents are not numbers here).
std::optional<Quantity> splitQuantity(std::string_view text);

// number × factor rounded to the nearest integer; nullopt when that is past 2^64.
std::optional<std::uint64_t> scaleQuantity(std::string_view number, double factor);

} // namespace heapscope
