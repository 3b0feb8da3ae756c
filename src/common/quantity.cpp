// common: splitting and scaling number-with-a-unit values.
#include "common/quantity.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace heapscope {
namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

} // namespace

std::optional<Quantity> splitQuantity(std::string_view text) {
    text = trimmed(text);
    Quantity q;
    bool seenDigit = false;
    std::size_t end = 0;
    for (; end < text.size(); ++end) {
        const char c = text[end];
        if (std::isdigit(static_cast<unsigned char>(c))) {
            seenDigit = true;
        } else if (c == '.' && !q.hasFraction) {
            q.hasFraction = true;
        } else {
            break;
        }
    }
    if (!seenDigit) return std::nullopt;
    q.number = text.substr(0, end);
    q.unit = trimmed(text.substr(end));
    return q;
}

std::optional<std::uint64_t> scaleQuantity(std::string_view number, double factor) {
    const double value = std::strtod(std::string(number).c_str(), nullptr) * factor;
    if (!std::isfinite(value) || value >= 18446744073709551615.0) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(value));
}

} // namespace heapscope
