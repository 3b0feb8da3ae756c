// common: size parsing and human-readable formatting.
#include "common/sizes.h"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "common/quantity.h"

namespace heapscope {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

std::optional<double> unitMultiplier(std::string_view unit) {
    static constexpr struct {
        const char* prefix;
        double factor;
    } kUnits[] = {{"", 1.0}, {"K", 1024.0}, {"M", 1024.0 * 1024}, {"G", 1024.0 * 1024 * 1024},
                  {"T", 1024.0 * 1024 * 1024 * 1024}};
    if (unit.empty() || equalsIgnoreCase(unit, "B")) return 1.0;
    for (const auto& u : kUnits) {
        const std::string p = u.prefix;
        if (p.empty()) continue;
        if (equalsIgnoreCase(unit, p) || equalsIgnoreCase(unit, p + "B") ||
            equalsIgnoreCase(unit, p + "iB"))
            return u.factor;
    }
    return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> parseSize(std::string_view text) {
    const auto quantity = splitQuantity(text);
    if (!quantity) return std::nullopt;
    const auto factor = unitMultiplier(quantity->unit);
    if (!factor) return std::nullopt;
    return scaleQuantity(quantity->number, *factor);
}

std::string formatSize(std::uint64_t bytes) {
    static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) return std::to_string(bytes) + " B";
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
    return buf;
}

std::string formatSignedSize(std::int64_t bytes) {
    const std::uint64_t magnitude =
        bytes < 0 ? static_cast<std::uint64_t>(-(bytes + 1)) + 1 : static_cast<std::uint64_t>(bytes);
    return (bytes < 0 ? "-" : "+") + formatSize(magnitude);
}

std::string formatCount(std::uint64_t count) {
    std::string digits = std::to_string(count);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

std::string formatDuration(std::uint64_t ns) {
    char buf[48];
    if (ns >= 1'000'000'000ull)
        std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(ns) / 1e9);
    else if (ns >= 1'000'000ull)
        std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(ns) / 1e6);
    else
        std::snprintf(buf, sizeof buf, "%.1f us", static_cast<double>(ns) / 1e3);
    return buf;
}

} // namespace heapscope
