// common tests: parsing points in time for --from/--to/--at.
#include <gtest/gtest.h>

#include "common/durations.h"

namespace heapscope {
namespace {

TEST(ParseDuration, UnitsAndPlainNanoseconds) {
    EXPECT_EQ(2'500'000'000u, parseDuration("2.5s"));
    EXPECT_EQ(1'500'000'000u, parseDuration("1500ms"));
    EXPECT_EQ(1'500'000'000u, parseDuration("1500MS"));
    EXPECT_EQ(800'000u, parseDuration("800us"));
    EXPECT_EQ(42u, parseDuration("42ns"));
    EXPECT_EQ(42u, parseDuration("42"));
    EXPECT_EQ(0u, parseDuration("0"));
    EXPECT_EQ(90'000'000'000u, parseDuration("1.5min"));
    EXPECT_EQ(3'000'000u, parseDuration(" 3 ms "));
    // Plain nanoseconds stay exact beyond a double's 53 bits.
    EXPECT_EQ(18446744073709551615u, parseDuration("18446744073709551615"));
}

TEST(ParseDuration, RejectsGarbage) {
    for (const char* bad : {"", " ", "s", "abc", "-1s", "+1s", "1e3", "1.2.3s", "12h", "5 sec",
                            "18446744073709551616", "1e30s", "99999999999999999999s"})
        EXPECT_FALSE(parseDuration(bad).has_value()) << bad;
}

} // namespace
} // namespace heapscope
