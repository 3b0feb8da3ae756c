// common: parsing points in time ("2.5s", "1500ms", plain ns).
#include "common/durations.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "common/quantity.h"

namespace heapscope {
namespace {

std::optional<double> unitNanoseconds(std::string_view unit) {
    std::string lower(unit);
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.empty() || lower == "ns") return 1.0;
    if (lower == "us") return 1e3;
    if (lower == "ms") return 1e6;
    if (lower == "s") return 1e9;
    if (lower == "min") return 60e9;
    return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> parseDuration(std::string_view text) {
    const auto quantity = splitQuantity(text);
    if (!quantity) return std::nullopt;
    const auto factor = unitNanoseconds(quantity->unit);
    if (!factor) return std::nullopt;
    // Whole nanoseconds are taken exactly: a double would round values past 2^53.
    if (!quantity->hasFraction && *factor == 1.0) {
        errno = 0;
        const unsigned long long value =
            std::strtoull(std::string(quantity->number).c_str(), nullptr, 10);
        if (errno == ERANGE) return std::nullopt;
        return static_cast<std::uint64_t>(value);
    }
    return scaleQuantity(quantity->number, *factor);
}

} // namespace heapscope
