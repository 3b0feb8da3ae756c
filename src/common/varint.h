// common: LEB128 varints and zigzag encoding, the building blocks of the trace format.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

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

// decodeVarint for a caller that knows kMaxVarintBytes can be read from p, so no byte needs a
// bounds check: accepts and refuses exactly what decodeVarint does. Past the common one-byte case,
// varints of up to 8 bytes (values below 2^56) decode without a branch on their length, which
// varies from one field to the next too irregularly for the branch predictor.
[[nodiscard]] inline bool decodeVarintUnchecked(const std::uint8_t*& p, std::uint64_t& v) noexcept {
    if (*p < 0x80) {
        v = *p++;
        return true;
    }
    std::uint64_t word = 0;
    std::memcpy(&word, p, sizeof word);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    // The high bit of each byte that ends the varint; the lowest one is its last byte.
    const std::uint64_t stops = ~word & 0x8080808080808080ull;
    if (stops != 0) {
        std::uint64_t x = word & (stops ^ (stops - 1)) & 0x7f7f7f7f7f7f7f7full;
        // Close the gaps between the 7-bit groups: pairs, then quads, then the whole word.
        x = (x & 0x007f007f007f007full) | ((x & 0x7f007f007f007f00ull) >> 1);
        x = (x & 0x00003fff00003fffull) | ((x & 0x3fff00003fff0000ull) >> 2);
        x = (x & 0x000000000fffffffull) | ((x & 0x0fffffff00000000ull) >> 4);
        v = x;
        p += (std::countr_zero(stops) >> 3) + 1;
        return true;
    }
    std::uint64_t result = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        const std::uint64_t byte = *p++;
        result |= (byte & 0x7f) << shift;
        if (byte < 0x80) {
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
