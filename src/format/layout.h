// format: byte-level layout shared by the writer and the reader: fixed header and frame header
// sizes, the caps that keep a hostile file from making the reader allocate without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/varint.h"

namespace heapscope::format::layout {

// magic[8] | u16 version | u16 flags | u32 header body length, all little-endian.
inline constexpr std::size_t kHeaderPrefixBytes = 16;
// u32 marker | u32 compressed size | u32 raw size, little-endian.
inline constexpr std::size_t kFrameHeaderBytes = 12;

inline constexpr std::uint32_t kMaxHeaderBodyBytes = 1u << 20;
// The coarsest time quantum a header may state (1 s); the recorder uses 1 µs.
inline constexpr std::uint64_t kMaxTimeQuantumNs = 1'000'000'000;
// Longest string (path, name, argument, build-id) in a trace; the writer truncates to it.
inline constexpr std::uint32_t kMaxStringBytes = 64u << 10;
// The writer closes a frame once it holds this many raw bytes, far below kMaxFrameRawBytes so
// one more record (at most a few strings of kMaxStringBytes) always fits.
inline constexpr std::size_t kAutoFlushBytes = 8u << 20;

inline void storeLe16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v);
    p[1] = static_cast<std::uint8_t>(v >> 8);
}

inline void storeLe32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

inline std::uint16_t loadLe16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

inline std::uint32_t loadLe32(const std::uint8_t* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

inline void appendVarint(std::vector<std::uint8_t>& out, std::uint64_t v) {
    std::uint8_t buf[kMaxVarintBytes];
    out.insert(out.end(), buf, buf + encodeVarint(v, buf));
}

// A string is its length as a varint, then its bytes; longer ones are cut to kMaxStringBytes.
inline void appendString(std::vector<std::uint8_t>& out, std::string_view s) {
    const std::size_t n = s.size() < kMaxStringBytes ? s.size() : kMaxStringBytes;
    appendVarint(out, n);
    out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
}

// Reads fields from [p, end); every read checks the bounds. On failure `why` names the problem.
struct ByteCursor {
    const std::uint8_t* p = nullptr;
    const std::uint8_t* end = nullptr;
    const char* why = nullptr;

    [[nodiscard]] bool varint(std::uint64_t& v) {
        // Most fields of a delta-coded frame fit one byte.
        if (p != end && *p < 0x80) {
            v = *p++;
            return true;
        }
        if (decodeVarint(p, end, v)) return true;
        why = "truncated or over-long varint";
        return false;
    }
    [[nodiscard]] bool u32(std::uint32_t& v) {
        std::uint64_t wide = 0;
        if (!varint(wide)) return false;
        if (wide > UINT32_MAX) {
            why = "value does not fit 32 bits";
            return false;
        }
        v = static_cast<std::uint32_t>(wide);
        return true;
    }
    [[nodiscard]] bool byte(std::uint8_t& v) {
        if (p == end) {
            why = "record cut short";
            return false;
        }
        v = *p++;
        return true;
    }
    [[nodiscard]] bool string(std::string& s) {
        std::uint64_t n = 0;
        if (!varint(n)) return false;
        if (n > kMaxStringBytes) {
            why = "string longer than the 64 KiB limit";
            return false;
        }
        if (n > static_cast<std::uint64_t>(end - p)) {
            why = "string length past the end";
            return false;
        }
        s.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
        p += n;
        return true;
    }
};

// The delta-encoding state of one frame, shared by the writer and the decoder so both sides
// always agree on it; reset (= {}) at every frame start so each frame decodes on its own.
struct DeltaState {
    static constexpr std::uint64_t kNoThread = ~0ull;
    std::uint64_t lastTime = 0; // in time quanta (the header's timeQuantumNs), not ns
    std::uint64_t lastAddress = 0;
    std::uint64_t lastStackId = 0;
    std::uint64_t lastReturnAddress = 0;
    std::uint64_t currentThread = kNoThread;
};

} // namespace heapscope::format::layout
