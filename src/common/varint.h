// common: LEB128 varints and zigzag encoding, the building blocks of the trace format.
#pragma once

#include <cstddef>
#include <cstdint>

namespace heapscope {

inline constexpr std::size_t kMaxVarintBytes = 10;

// Writes v to out (which must have kMaxVarintBytes of room); returns the bytes written.
inline std::size_t encodeVarint(std::uint64_t v, std::uint8_t* out) noexcept {
    std::size_t n = 0;
    while (v >= 0x80) {
        out[n++] = static_cast<std::uint8_t>(v | 0x80);
        v >>= 7;
    }
    out[n++] = static_cast<std::uint8_t>(v);
    return n;
}

// Reads a varint from [p, end). Returns false on truncation or an over-long encoding, so a
// damaged trace can never make the reader run past its buffer.
[[nodiscard]] inline bool decodeVarint(const std::uint8_t*& p, const std::uint8_t* end,
                                       std::uint64_t& v) noexcept {
    std::uint64_t result = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p == end) return false;
        const std::uint8_t byte = *p++;
        result |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            v = result;
            return true;
        }
    }
    return false;
}

constexpr std::uint64_t zigzagEncode(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

constexpr std::int64_t zigzagDecode(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

} // namespace heapscope
