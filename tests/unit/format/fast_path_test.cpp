// format tests: the decoder's unchecked fast path (Alloc, Free, StackNode with their longest
// encoding left in the frame) accepts and refuses exactly what the checked path does.
#include <gtest/gtest.h>

#include <random>

#include "common/varint.h"
#include "trace_builder.h"

namespace heapscope::format::testing {
namespace {

// Rss records after the record under test, enough for it to take the fast path.
Bytes padding() {
    Bytes pad;
    for (int i = 0; i < 30; ++i)
        pad.insert(pad.end(), {0x08, 0x02, 0x00});
    return pad;
}

// A good frame (End t=1), then a frame whose payload is record + tail.
ReadBack readRecord(const Bytes& record, const Bytes& tail) {
    return readBytes(join(
        {headerBytes(sampleHeader()), rawFrame({0x0c, 0x02}), rawFrame(join({record, tail}))}));
}

const Bytes kOverLong = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
// 2^32 zigzag-encoded: a stack id one past the 32-bit range.
const Bytes kStackPastRange = {0x80, 0x80, 0x80, 0x80, 0x20};
// Ten bytes whose last carries bits past the 64th: both paths drop them (u64 max).
const Bytes kTenBytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};

// Both decoders on the same kMaxVarintBytes: same verdict, value and length.
void expectSameVarint(const std::uint8_t (&bytes)[kMaxVarintBytes]) {
    const std::uint8_t* checked = bytes;
    const std::uint8_t* unchecked = bytes;
    std::uint64_t checkedValue = 0;
    std::uint64_t uncheckedValue = 0;
    const bool ok = decodeVarint(checked, bytes + kMaxVarintBytes, checkedValue);
    ASSERT_EQ(ok, decodeVarintUnchecked(unchecked, uncheckedValue));
    if (!ok) return;
    EXPECT_EQ(checkedValue, uncheckedValue);
    EXPECT_EQ(checked, unchecked);
}

TEST(FastPath, UncheckedVarintMatchesTheCheckedOne) {
    // Every length from 1 to 10 bytes, at both ends of its range, then over-long ones.
    for (unsigned bits = 0; bits <= 64; ++bits) {
        for (const std::uint64_t v :
             {bits == 64 ? ~0ull : (1ull << bits) - 1, 1ull << (bits % 64)}) {
            std::uint8_t bytes[kMaxVarintBytes] = {};
            encodeVarint(v, bytes);
            expectSameVarint(bytes);
            const std::uint8_t* p = bytes;
            std::uint64_t decoded = 0;
            ASSERT_TRUE(decodeVarintUnchecked(p, decoded));
            EXPECT_EQ(v, decoded);
        }
    }
    // Random bytes, with continuation bits common enough to reach every length.
    std::mt19937_64 random(42);
    for (int i = 0; i < 200000; ++i) {
        std::uint8_t bytes[kMaxVarintBytes];
        for (std::uint8_t& b : bytes)
            b = static_cast<std::uint8_t>(random() | ((random() % 8 != 0) ? 0x80 : 0));
        expectSameVarint(bytes);
    }
}

TEST(FastPath, RefusesWhatTheCheckedPathRefusesWithTheSameError) {
    const std::size_t frame2 = headerBytes(sampleHeader()).size() + rawFrame({0x0c, 0x02}).size();
    const std::string at = "damaged frame at byte " + std::to_string(frame2) + ": ";
    const struct {
        Bytes record;
        std::string error;
        std::size_t recordsBefore = 0; // good records of the frame before the bad one
    } cases[] = {
        {{0x06, 0x02, 0x02, 0x02, 0x02, 0x00},
         "record before any thread switch in Alloc record at frame offset 0"},
        {{0x05, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x03},
         "enum value out of range in Alloc record at frame offset 2"},
        {join({{0x05, 0x00, 0x06, 0x02, 0x02, 0x02}, kStackPastRange, {0x00}}),
         "stack id out of range in Alloc record at frame offset 2"},
        {join({{0x05, 0x00, 0x06, 0x02}, kOverLong, {0x02, 0x02, 0x00}}),
         "truncated or over-long varint in Alloc record at frame offset 2"},
        {join({{0x05, 0x00, 0x06, 0x02, 0x02, 0x02}, kOverLong, {0x00}}),
         "truncated or over-long varint in Alloc record at frame offset 2"},
        {{0x07, 0x02, 0x02, 0x00},
         "record before any thread switch in Free record at frame offset 0"},
        {{0x05, 0x00, 0x07, 0x02, 0x02, 0x03},
         "enum value out of range in Free record at frame offset 2"},
        {join({{0x05, 0x00, 0x07, 0x02}, kOverLong, {0x00}}),
         "truncated or over-long varint in Free record at frame offset 2"},
        {{0x11, 0x02, 0x01, 0x00},
         "record before any thread switch in FreeRecent record at frame offset 0"},
        {{0x05, 0x00, 0x11, 0x02, 0x01, 0x00},
         "no such earlier Alloc in the frame in FreeRecent record at frame offset 2"},
        {{0x05, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x00, 0x11, 0x02, 0x00, 0x00},
         "no such earlier Alloc in the frame in FreeRecent record at frame offset 8", 1},
        {{0x05, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x00, 0x11, 0x02, 0x01, 0x03},
         "enum value out of range in FreeRecent record at frame offset 8", 1},
        {join({{0x05, 0x00, 0x11, 0x02}, kOverLong, {0x00}}),
         "truncated or over-long varint in FreeRecent record at frame offset 2"},
        {{0x05, 0x00, 0x12, 0x02, 0x01, 0x10, 0x00, 0x00},
         "no such earlier Free in the frame in AllocReuse record at frame offset 2"},
        {{0x05, 0x00, 0x07, 0x02, 0x20, 0x00, 0x12, 0x02, 0x02, 0x10, 0x00, 0x00},
         "no such earlier Free in the frame in AllocReuse record at frame offset 6", 1},
        {{0x05, 0x00, 0x07, 0x02, 0x20, 0x00, 0x12, 0x02, 0x01, 0x10, 0x00, 0x03},
         "enum value out of range in AllocReuse record at frame offset 6", 1},
        {join({{0x03}, kStackPastRange, {0x00, 0x00}}),
         "stack id out of range in StackNode record at frame offset 0"},
        {join({{0x03, 0x00}, kStackPastRange, {0x00}}),
         "stack id out of range in StackNode record at frame offset 0"},
        {join({{0x03, 0x02, 0x01}, kOverLong}),
         "truncated or over-long varint in StackNode record at frame offset 0"},
    };
    for (const auto& c : cases) {
        for (const Bytes& tail : {Bytes{}, padding()}) {
            const ReadBack back = readRecord(c.record, tail);
            EXPECT_EQ(ReadOutcome::Damaged, back.outcome) << c.error;
            EXPECT_EQ(at + c.error, back.error) << "tail of " << tail.size();
            // The good frame's End, then the bad frame's records before the one that fails.
            EXPECT_EQ(1u + c.recordsBefore, back.records.size()) << c.error;
        }
    }
}

TEST(FastPath, DecodesWhatTheCheckedPathDecodes) {
    const Bytes records[] = {
        // ThreadSwitch 7, Alloc with every varint ten bytes long, then a Free back to 0.
        join({{0x05, 0x07, 0x06},
              kTenBytes,
              kTenBytes,
              kTenBytes,
              {0x02, 0x02},
              {0x07, 0x01, 0x01, 0x01}}),
        // The largest stack id, then its delta back to 0 as the parent; return address wraps.
        join({{0x03, 0xfe, 0xff, 0xff, 0xff, 0x1f, 0xfd, 0xff, 0xff, 0xff, 0x1f}, kTenBytes}),
        // Small deltas, negative and positive.
        {0x05, 0x00, 0x06, 0x03, 0x05, 0x10, 0x04, 0x01, 0x07, 0x06, 0x04, 0x00},
        // Two Allocs, a FreeRecent of the first (2 back) with a ten-byte time, then of the second.
        join({{0x05, 0x00, 0x06, 0x02, 0x20, 0x10, 0x00, 0x00, 0x06, 0x02, 0x20, 0x10, 0x00, 0x00},
              {0x11},
              kTenBytes,
              {0x02, 0x01, 0x11, 0x02, 0x01, 0x02}}),
        // Two Frees, then AllocReuse of the older (rank 2) and the other (rank 1 once it is gone).
        {0x05, 0x00, 0x07, 0x02, 0x20, 0x00, 0x07, 0x02, 0x20, 0x00, 0x12,
         0x02, 0x02, 0x10, 0x00, 0x00, 0x12, 0x02, 0x01, 0x10, 0x00, 0x00},
    };
    for (const Bytes& record : records) {
        const ReadBack atEnd = readRecord(record, {});
        const ReadBack padded = readRecord(record, padding());
        ASSERT_EQ(ReadOutcome::Complete, atEnd.outcome) << atEnd.error;
        ASSERT_EQ(ReadOutcome::Complete, padded.outcome) << padded.error;
        ASSERT_LE(atEnd.records.size(), padded.records.size());
        ASSERT_GT(atEnd.records.size(), 1u);
        for (std::size_t i = 0; i < atEnd.records.size(); ++i)
            EXPECT_EQ(describe(atEnd.records[i]), describe(padded.records[i])) << "record " << i;
    }
}

} // namespace
} // namespace heapscope::format::testing
