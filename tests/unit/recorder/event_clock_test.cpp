// tests/unit/recorder: the event clock. Ticks the hooks stamp must convert to the monotonic
// nanoseconds of the moment they were taken, in the same order, across calibrations.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "recorder/event_clock.h"

namespace heapscope::recorder {
namespace {

void spinFor(std::uint64_t ns) {
    const std::uint64_t until = monotonicNowNs() + ns;
    while (monotonicNowNs() < until) {
    }
}

TEST(EventClock, TicksConvertToTheNanosecondsTheyWereTakenAt) {
    chooseEventClock(true);
    if (!eventClockIsTsc()) GTEST_SKIP() << "the kernel does not keep time with the TSC here";
    // As the writer does: each cycle calibrates, then converts the ticks stamped before it.
    // The last batch is stamped after the last calibration and converted without another.
    TickConverter clock;
    clock.calibrate();
    std::vector<std::uint64_t> nsAfter; // read right after each tick
    std::vector<std::uint64_t> converted;
    constexpr int kCycles = 6;
    constexpr int kPerCycle = 20;
    for (int cycle = 0; cycle < kCycles; ++cycle) {
        std::vector<std::uint64_t> ticks;
        for (int i = 0; i < kPerCycle; ++i) {
            ticks.push_back(eventTicks());
            nsAfter.push_back(monotonicNowNs());
            spinFor(50'000);
        }
        if (cycle + 1 < kCycles) clock.calibrate();
        for (const std::uint64_t t : ticks)
            converted.push_back(clock.toNs(t));
    }
    // A tick lies between the clock reads around it; a few microseconds of slack cover the
    // read itself. The 50 us between ticks would show any error of the rate or the offset.
    for (std::size_t i = 0; i < converted.size(); ++i) {
        EXPECT_LE(converted[i], nsAfter[i] + 5'000) << i;
        if (i > 0) {
            EXPECT_GE(converted[i] + 5'000, nsAfter[i - 1]) << i;
            EXPECT_GT(converted[i], converted[i - 1]) << i;
        }
    }
    chooseEventClock(false);
}

TEST(EventClock, TicksBetweenTwoCalibrationsLandBetweenTheirTimes) {
    chooseEventClock(true);
    if (!eventClockIsTsc()) GTEST_SKIP() << "the kernel does not keep time with the TSC here";
    TickConverter clock;
    const std::uint64_t before = clock.calibrate();
    spinFor(200'000);
    const std::uint64_t middle = eventTicks();
    const std::uint64_t middleNs = monotonicNowNs();
    spinFor(200'000);
    const std::uint64_t after = clock.calibrate();
    EXPECT_LT(before, middle);
    EXPECT_LT(middle, after);
    const std::uint64_t beforeNs = clock.toNs(before);
    const std::uint64_t afterNs = clock.toNs(after);
    EXPECT_GE(afterNs - beforeNs, 400'000u);
    EXPECT_GT(clock.toNs(middle), beforeNs);
    EXPECT_LT(clock.toNs(middle), afterNs);
    // Within a few microseconds of the clock read right after it.
    EXPECT_LE(clock.toNs(middle), middleNs + 5'000);
    EXPECT_GE(clock.toNs(middle) + 20'000, middleNs);
    chooseEventClock(false);
}

TEST(EventClock, WithoutTheTscTicksAreNanoseconds) {
    chooseEventClock(false);
    EXPECT_FALSE(eventClockIsTsc());
    TickConverter clock;
    const std::uint64_t before = monotonicNowNs();
    const std::uint64_t ticks = eventTicks();
    const std::uint64_t calibrated = clock.calibrate();
    EXPECT_GE(ticks, before);
    EXPECT_LE(ticks, calibrated);
    EXPECT_EQ(clock.toNs(ticks), ticks);
    EXPECT_EQ(clock.toNs(12345), 12345u);
}

} // namespace
} // namespace heapscope::recorder
