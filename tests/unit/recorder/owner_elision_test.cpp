// tests/unit/recorder: lock elision for a structure's one thread: who owns it, when it becomes
// shared, and a live table that a second thread joins while its owner is busy loses nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "recorder/live_table.h"
#include "recorder/owner_elision.h"

namespace heapscope::recorder {
namespace {

TEST(OwnerElision, TheFirstThreadOwnsUntilASecondComes) {
    const bool elides = OwnerElision::available();
    OwnerElision elision;
    ASSERT_EQ(elision.tryEnterElided(), elides);
    if (elides) elision.leaveElided();
    EXPECT_EQ(elision.callerOwns(), elides);
    EXPECT_EQ(elision.shared(), !elides) << "without elision, the first access shares";
    ASSERT_EQ(elision.tryEnterElided(), elides) << "the owner again";
    if (elides) elision.leaveElided();

    bool secondElided = true;
    std::thread([&] { secondElided = elision.tryEnterElided(); }).join();
    EXPECT_FALSE(secondElided);
    EXPECT_TRUE(elision.shared());
    EXPECT_FALSE(elision.tryEnterElided()) << "once shared, the owner locks too";
}

TEST(OwnerElision, SharingWaitsForTheOwnersAccessInFlight) {
    if (!OwnerElision::available())
        GTEST_SKIP() << "nothing is elided here (no membarrier, or TSan)";
    OwnerElision elision;
    ASSERT_TRUE(elision.tryEnterElided());
    std::atomic<bool> shared{false};
    std::thread newcomer([&] {
        elision.share();
        shared.store(true);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(shared.load()) << "share() returned while the owner was inside an access";
    elision.leaveElided();
    newcomer.join();
    EXPECT_TRUE(shared.load());
    EXPECT_FALSE(elision.tryEnterElided());
}

LiveEntry entryAt(std::uint64_t address, std::uint64_t size) {
    return LiveEntry{address, size,  StackId{1}, ThreadIndex{0}, format::AllocFamily::Malloc,
                     true,    false, StackId{}};
}

// The owner churns its own addresses while newcomers arrive one after another; every
// thread's final blocks must be exactly those it left live.
TEST(OwnerElision, ALiveTableJoinedMidChurnLosesNothing) {
    for (int round = 0; round < 20; ++round) {
        LiveTable table;
        constexpr std::uint64_t kBlocks = 4000;
        std::atomic<bool> ownerStarted{false};
        auto churn = [&table](std::uint64_t base) {
            LiveEntry out;
            for (std::uint64_t i = 0; i < kBlocks; ++i) {
                ASSERT_TRUE(table.insert(entryAt(base + i * 16, i + 1)));
                if (i % 3 != 0) {
                    ASSERT_TRUE(table.release(base + i * 16, StackId{}, out));
                }
            }
        };
        std::thread owner([&] {
            LiveEntry out;
            (void)table.find(1, out); // takes ownership before anyone else comes
            ownerStarted.store(true);
            churn(std::uint64_t{1} << 40);
        });
        while (!ownerStarted.load())
            std::this_thread::yield();
        std::vector<std::thread> newcomers;
        for (std::uint64_t t = 1; t <= 3; ++t)
            newcomers.emplace_back([&churn, t] { churn((t + 1) << 40); });
        owner.join();
        for (std::thread& t : newcomers)
            t.join();

        LiveEntry out;
        for (std::uint64_t t = 1; t <= 4; ++t) {
            for (std::uint64_t i = 0; i < kBlocks; ++i) {
                const bool live = table.find((t << 40) + i * 16, out);
                ASSERT_EQ(live, i % 3 == 0) << "thread " << t << " block " << i;
                if (live) {
                    ASSERT_EQ(out.size, i + 1);
                }
            }
        }
        ASSERT_EQ(table.size(), 4 * ((kBlocks + 2) / 3));
    }
}

} // namespace
} // namespace heapscope::recorder
