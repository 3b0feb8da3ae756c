// recorder: the registry of the recorder's own descriptors: a few atomic slots, read without a
// lock by the descriptor hooks.
#include "recorder/own_fds.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

namespace heapscope::recorder {
namespace {

constexpr int kEmpty = -1;
// Numbers kept for the recorder under the top of the range.
constexpr rlim_t kReservedRange = 32;

std::atomic<int> s_ownFds[kMaxOwnFds] = {kEmpty, kEmpty, kEmpty, kEmpty,
                                         kEmpty, kEmpty, kEmpty, kEmpty};
static_assert(kMaxOwnFds == 8, "initialise every slot");

// The lowest number to move a descriptor to: kReservedRange under the soft limit, or under 1024
// when the limit is higher. The kernel sizes a process's descriptor table to its highest
// descriptor, and a table for a limit of a million would cost megabytes. -1: leave it in place.
int reservedFloor() noexcept {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    const rlim_t top = std::min<rlim_t>(limit.rlim_cur, 1024);
    return top >= 2 * kReservedRange ? static_cast<int>(top - kReservedRange) : -1;
}

} // namespace

int adoptOwnFd(int fd) noexcept {
    if (fd < 0) return fd;
    const int floor = reservedFloor();
    if (floor > fd) {
        const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, floor);
        if (moved >= 0) {
            ::close(fd);
            fd = moved;
        }
    }
    for (std::atomic<int>& slot : s_ownFds) {
        int expected = kEmpty;
        if (slot.compare_exchange_strong(expected, fd, std::memory_order_acq_rel)) break;
    }
    return fd;
}

bool isOwnFd(int fd) noexcept {
    if (fd < 0) return false;
    return std::any_of(std::begin(s_ownFds), std::end(s_ownFds), [fd](const std::atomic<int>& s) {
        return s.load(std::memory_order_acquire) == fd;
    });
}

void disownFd(int fd) noexcept {
    for (std::atomic<int>& slot : s_ownFds) {
        int expected = fd;
        slot.compare_exchange_strong(expected, kEmpty, std::memory_order_acq_rel);
    }
}

std::size_t ownFds(int (&out)[kMaxOwnFds]) noexcept {
    std::size_t count = 0;
    for (const std::atomic<int>& slot : s_ownFds) {
        const int fd = slot.load(std::memory_order_acquire);
        if (fd != kEmpty) out[count++] = fd;
    }
    std::sort(out, out + count);
    return count;
}

} // namespace heapscope::recorder
