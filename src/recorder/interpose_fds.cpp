// recorder: the descriptor hooks. close, close_range, closefrom, dup2 and dup3 leave the
// recorder's own descriptors (own_fds.h) alone and answer the program as if they were not open,
// which is what it would see without heapscope; the recorder's own calls pass. pipe2 moves the
// pipe libunwind opens for itself among the recorder's descriptors.
#include <dlfcn.h>
#include <errno.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "recorder/guard.h"
#include "recorder/own_fds.h"

#define HEAPSCOPE_EXPORT __attribute__((visibility("default")))

namespace {

using namespace heapscope::recorder;

using CloseFn = int (*)(int);
using Dup2Fn = int (*)(int, int);
using Dup3Fn = int (*)(int, int, int);
using Pipe2Fn = int (*)(int*, int);

// Resolved when the library is loaded, so that no hook calls dlsym: close() must stay
// async-signal-safe. Before that (other libraries' constructors) the hooks make the system calls
// themselves.
CloseFn s_close = nullptr;
Dup2Fn s_dup2 = nullptr;
Dup3Fn s_dup3 = nullptr;
Pipe2Fn s_pipe2 = nullptr;

__attribute__((constructor)) void resolveDescriptorFunctions() {
    s_close = reinterpret_cast<CloseFn>(dlsym(RTLD_NEXT, "close"));
    s_dup2 = reinterpret_cast<Dup2Fn>(dlsym(RTLD_NEXT, "dup2"));
    s_dup3 = reinterpret_cast<Dup3Fn>(dlsym(RTLD_NEXT, "dup3"));
    s_pipe2 = reinterpret_cast<Pipe2Fn>(dlsym(RTLD_NEXT, "pipe2"));
}

int realClose(int fd) {
    return s_close != nullptr ? s_close(fd) : static_cast<int>(::syscall(SYS_close, fd));
}

int closeRangeCall(unsigned first, unsigned last, int flags) {
    return static_cast<int>(::syscall(SYS_close_range, first, last, flags));
}

// The program's call would reach one of the recorder's descriptors.
bool isProgramCallOnOwnFd(int fd) { return !t_inRecorder && isOwnFd(fd); }

int notOpen() {
    errno = EBADF;
    return -1;
}

// close_range over [first, last] less the recorder's descriptors, as one call per piece.
int closeRangeSkippingOwn(unsigned first, unsigned last, int flags) {
    int own[kMaxOwnFds];
    const std::size_t count = ownFds(own);
    unsigned from = first;
    bool called = false;
    for (std::size_t i = 0; i < count; ++i) {
        const auto fd = static_cast<unsigned>(own[i]);
        if (fd < from || fd > last) continue;
        if (fd > from) {
            if (closeRangeCall(from, fd - 1, flags) != 0) return -1;
            called = true;
        }
        from = fd + 1;
    }
    if (from <= last && from != 0) return closeRangeCall(from, last, flags);
    // Only the recorder's descriptors in the range: the table is still to be unshared.
    if (!called && (flags & CLOSE_RANGE_UNSHARE) != 0) return ::unshare(CLONE_FILES);
    return 0;
}

} // namespace

extern "C" {

HEAPSCOPE_EXPORT int close(int fd) {
    if (isOwnFd(fd)) {
        if (!t_inRecorder) return notOpen();
        disownFd(fd);
    }
    return realClose(fd);
}

HEAPSCOPE_EXPORT int close_range(unsigned first, unsigned last, int flags) noexcept {
    // Calls the kernel refuses go to it whole, so the program gets its own error.
    const bool refused =
        first > last || (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) != 0;
    if (t_inRecorder || refused) return closeRangeCall(first, last, flags);
    return closeRangeSkippingOwn(first, last, flags);
}

// glibc's closefrom calls close_range inside libc, out of the hook's reach: it is replaced whole.
HEAPSCOPE_EXPORT void closefrom(int lowest) noexcept {
    const unsigned first = lowest < 0 ? 0u : static_cast<unsigned>(lowest);
    if (closeRangeSkippingOwn(first, ~0u, 0) == 0) return;
    // No close_range (a kernel before 5.9): every number up to the limit, as glibc falls back
    // to every open one.
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    const rlim_t end = std::min<rlim_t>(limit.rlim_cur, rlim_t{1} << 20);
    for (rlim_t fd = first; fd < end; ++fd) {
        if (!isOwnFd(static_cast<int>(fd))) realClose(static_cast<int>(fd));
    }
}

HEAPSCOPE_EXPORT int dup2(int oldFd, int newFd) noexcept {
    if (isProgramCallOnOwnFd(newFd)) return notOpen();
    return s_dup2 != nullptr ? s_dup2(oldFd, newFd)
                             : static_cast<int>(::syscall(SYS_dup2, oldFd, newFd));
}

HEAPSCOPE_EXPORT int dup3(int oldFd, int newFd, int flags) noexcept {
    if (isProgramCallOnOwnFd(newFd)) return notOpen();
    return s_dup3 != nullptr ? s_dup3(oldFd, newFd, flags)
                             : static_cast<int>(::syscall(SYS_dup3, oldFd, newFd, flags));
}

HEAPSCOPE_EXPORT int pipe2(int fds[2], int flags) noexcept {
    const int rc = s_pipe2 != nullptr ? s_pipe2(fds, flags)
                                      : static_cast<int>(::syscall(SYS_pipe2, fds, flags));
    if (rc == 0 && t_inRecorder) {
        fds[0] = adoptOwnFd(fds[0]);
        fds[1] = adoptOwnFd(fds[1]);
    }
    return rc;
}

} // extern "C"
