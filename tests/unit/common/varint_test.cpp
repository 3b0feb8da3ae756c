// common tests: LEB128 varints and zigzag at their edges, byte for byte.
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "common/varint.h"

namespace heapscope {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes encode(std::uint64_t v) {
    std::uint8_t buf[kMaxVarintBytes];
    return Bytes(buf, buf + encodeVarint(v, buf));
}

TEST(Varint, EncodesKnownValuesExactly) {
    EXPECT_EQ(Bytes({0x00}), encode(0));
    EXPECT_EQ(Bytes({0x01}), encode(1));
    EXPECT_EQ(Bytes({0x7f}), encode(127));
    EXPECT_EQ(Bytes({0x80, 0x01}), encode(128));
    EXPECT_EQ(Bytes({0xac, 0x02}), encode(300));
    EXPECT_EQ(Bytes({0xff, 0x7f}), encode(16383));
    EXPECT_EQ(Bytes({0x80, 0x80, 0x01}), encode(16384));
    EXPECT_EQ(Bytes({0xff, 0xff, 0xff, 0xff, 0x0f}), encode(0xffffffffull));
    EXPECT_EQ(Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}),
              encode(1ull << 63));
    EXPECT_EQ(Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),
              encode(std::numeric_limits<std::uint64_t>::max()));
}

TEST(Varint, RoundTripsEveryPowerOfTwoNeighbour) {
    for (unsigned bit = 0; bit < 64; ++bit) {
        for (std::uint64_t v : {(1ull << bit) - 1, 1ull << bit, (1ull << bit) + 1}) {
            const Bytes bytes = encode(v);
            const std::uint8_t* p = bytes.data();
            std::uint64_t out = ~v;
            ASSERT_TRUE(decodeVarint(p, bytes.data() + bytes.size(), out)) << v;
            EXPECT_EQ(v, out);
            EXPECT_EQ(bytes.data() + bytes.size(), p) << v;
        }
    }
}

TEST(Varint, RejectsTruncatedAndOverlongInput) {
    const Bytes truncated = {0x80, 0x80};
    const std::uint8_t* p = truncated.data();
    std::uint64_t v = 0;
    EXPECT_FALSE(decodeVarint(p, truncated.data() + truncated.size(), v));

    const Bytes empty;
    p = empty.data();
    EXPECT_FALSE(decodeVarint(p, p, v));

    const Bytes overlong(11, 0x80);
    p = overlong.data();
    EXPECT_FALSE(decodeVarint(p, overlong.data() + overlong.size(), v));
    EXPECT_LE(p, overlong.data() + kMaxVarintBytes);
}

TEST(Varint, DecodesOnlyItsOwnBytes) {
    const Bytes two = {0xac, 0x02, 0x05};
    const std::uint8_t* p = two.data();
    std::uint64_t v = 0;
    ASSERT_TRUE(decodeVarint(p, two.data() + two.size(), v));
    EXPECT_EQ(300u, v);
    EXPECT_EQ(two.data() + 2, p);
}

TEST(Zigzag, KnownValues) {
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(0u, zigzagEncode(0));
    EXPECT_EQ(1u, zigzagEncode(-1));
    EXPECT_EQ(2u, zigzagEncode(1));
    EXPECT_EQ(3u, zigzagEncode(-2));
    EXPECT_EQ(4294967294u, zigzagEncode(2147483647));
    EXPECT_EQ(4294967295u, zigzagEncode(-2147483648ll));
    EXPECT_EQ(std::numeric_limits<std::uint64_t>::max() - 1, zigzagEncode(kMax));
    EXPECT_EQ(std::numeric_limits<std::uint64_t>::max(), zigzagEncode(kMin));
    for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, std::int64_t{-64},
                           std::int64_t{63}, kMin, kMax, kMin + 1, kMax - 1})
        EXPECT_EQ(v, zigzagDecode(zigzagEncode(v)));
}

} // namespace
} // namespace heapscope
