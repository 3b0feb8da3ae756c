// common tests: parsing sizes as people write them and formatting sizes, counts and durations.
#include <gtest/gtest.h>

#include <limits>

#include "common/sizes.h"

namespace heapscope {
namespace {

TEST(ParseSize, PlainNumbersAndUnits) {
    EXPECT_EQ(512u, parseSize("512"));
    EXPECT_EQ(0u, parseSize("0"));
    EXPECT_EQ(512u, parseSize("512B"));
    EXPECT_EQ(65536u, parseSize("64K"));
    EXPECT_EQ(65536u, parseSize("64k"));
    EXPECT_EQ(65536u, parseSize("64KB"));
    EXPECT_EQ(65536u, parseSize("64KiB"));
    EXPECT_EQ(52428800u, parseSize("50MiB"));
    EXPECT_EQ(52428800u, parseSize("50mb"));
    EXPECT_EQ(1610612736u, parseSize("1.5G"));
    EXPECT_EQ(2147483648u, parseSize("2GiB"));
    EXPECT_EQ(1099511627776u, parseSize("1T"));
    EXPECT_EQ(2048u, parseSize("2 KB"));
    EXPECT_EQ(7u, parseSize("  7  "));
    EXPECT_EQ(512u, parseSize("0.5K"));
}

TEST(ParseSize, RejectsBadInput) {
    for (const char* bad : {"", " ", "K", "abc", "12Q", "-5", "+5", "1.2.3", "1e3", "64 K B",
                            "0x10", ".", "5MiBs", "99999999999T"})
        EXPECT_EQ(std::nullopt, parseSize(bad)) << '"' << bad << '"';
}

TEST(FormatSize, BinaryUnitsWithOneDecimal) {
    EXPECT_EQ("0 B", formatSize(0));
    EXPECT_EQ("1023 B", formatSize(1023));
    EXPECT_EQ("1.0 KiB", formatSize(1024));
    EXPECT_EQ("1.5 KiB", formatSize(1536));
    EXPECT_EQ("50.0 MiB", formatSize(52428800));
    EXPECT_EQ("1.5 GiB", formatSize(1610612736));
    EXPECT_EQ("16.0 EiB", formatSize(std::numeric_limits<std::uint64_t>::max()));
    EXPECT_EQ("+512 B", formatSignedSize(512));
    EXPECT_EQ("-1.0 KiB", formatSignedSize(-1024));
    EXPECT_EQ("-8.0 EiB", formatSignedSize(std::numeric_limits<std::int64_t>::min()));
}

TEST(FormatCount, ThousandsSeparators) {
    EXPECT_EQ("0", formatCount(0));
    EXPECT_EQ("999", formatCount(999));
    EXPECT_EQ("1,000", formatCount(1000));
    EXPECT_EQ("1,234,567", formatCount(1234567));
    EXPECT_EQ("18,446,744,073,709,551,615", formatCount(std::numeric_limits<std::uint64_t>::max()));
}

TEST(FormatDuration, PicksTheUnit) {
    EXPECT_EQ("2.31 s", formatDuration(2'310'000'000));
    EXPECT_EQ("45.0 ms", formatDuration(45'000'000));
    EXPECT_EQ("812.0 us", formatDuration(812'000));
    EXPECT_EQ("0.0 us", formatDuration(0));
}

} // namespace
} // namespace heapscope
