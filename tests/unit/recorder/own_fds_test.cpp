// The registry of the recorder's own descriptors: adopted ones move to the top of the range,
// close-on-exec, and are known until disowned.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "recorder/own_fds.h"

namespace heapscope::recorder {
namespace {

int openDevNull() { return ::open("/dev/null", O_RDONLY); }

rlim_t softLimit() {
    rlimit limit{};
    EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    return limit.rlim_cur;
}

TEST(OwnFds, AnAdoptedDescriptorMovesToTheTopOfTheRangeAndIsKnownUntilDisowned) {
    const int original = openDevNull();
    ASSERT_GE(original, 0);
    ASSERT_GE(softLimit(), 64u) << "the test needs room above the program's descriptors";
    const int fd = adoptOwnFd(original);
    ASSERT_GE(fd, 0);
    EXPECT_GE(static_cast<rlim_t>(fd), std::min<rlim_t>(softLimit(), 1024) - 32);
    EXPECT_LT(static_cast<rlim_t>(fd), std::min<rlim_t>(softLimit(), 1024));
    EXPECT_EQ(::fcntl(original, F_GETFD), -1) << "the old number is free again";
    EXPECT_EQ(::fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_TRUE(isOwnFd(fd));
    EXPECT_FALSE(isOwnFd(original));

    // The program's next descriptor takes the number the recorder left.
    const int next = openDevNull();
    EXPECT_EQ(next, original);
    ::close(next);

    disownFd(fd);
    EXPECT_FALSE(isOwnFd(fd));
    ::close(fd);
}

TEST(OwnFds, ListsTheDescriptorsInAscendingOrder) {
    const int a = adoptOwnFd(openDevNull());
    const int b = adoptOwnFd(openDevNull());
    const int c = adoptOwnFd(openDevNull());
    int listed[kMaxOwnFds];
    const std::size_t count = ownFds(listed);
    ASSERT_EQ(count, 3u);
    EXPECT_LT(listed[0], listed[1]);
    EXPECT_LT(listed[1], listed[2]);
    for (const int fd : {a, b, c}) {
        EXPECT_TRUE(isOwnFd(fd));
        disownFd(fd);
        ::close(fd);
    }
    EXPECT_EQ(ownFds(listed), 0u);
}

TEST(OwnFds, ANegativeDescriptorIsReturnedAndNotRegistered) {
    EXPECT_EQ(adoptOwnFd(-1), -1);
    EXPECT_FALSE(isOwnFd(-1));
    int listed[kMaxOwnFds];
    EXPECT_EQ(ownFds(listed), 0u);
}

TEST(OwnFds, WithALowLimitTheDescriptorStaysWhereItIsButIsStillKnown) {
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    low.rlim_cur = 40;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    const int original = openDevNull();
    const int fd = adoptOwnFd(original);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
    EXPECT_EQ(fd, original);
    EXPECT_TRUE(isOwnFd(fd));
    disownFd(fd);
    ::close(fd);
}

} // namespace
} // namespace heapscope::recorder
