// recorder: the recorder's own file descriptors (the trace, the control socket, libunwind's
// pipe), kept out of the program's way. Each is moved to the top of the descriptor range, where
// the program's open() calls do not reach, and the hooks of interpose_fds.cpp keep the program
// from closing or replacing it. Without that, a program that closes every descriptor (closefrom,
// a daemon's loop over /proc/self/fd) ended the recording, and one that reuses a number with dup2
// (a shell's `exec 5>log`) got trace frames written into its own file.
#pragma once

#include <cstddef>

namespace heapscope::recorder {

// The recorder holds at most this many at a time (the trace, the control socket, libunwind's two
// pipe ends, with room for a fork child's replacements).
inline constexpr std::size_t kMaxOwnFds = 8;

// Moves fd above the program's descriptors (close-on-exec) and registers it; returns the
// descriptor to use from now on. Where it cannot be moved (a soft limit under 64 descriptors, or
// none free up there), fd stays where it is, registered all the same. A negative fd is returned
// as it is.
int adoptOwnFd(int fd) noexcept;
// Whether fd is one of the recorder's. Lock-free: the close hook asks on every close().
bool isOwnFd(int fd) noexcept;
// Forgets fd: the recorder is closing it.
void disownFd(int fd) noexcept;
// Copies the recorder's descriptors into out in ascending order; returns how many.
std::size_t ownFds(int (&out)[kMaxOwnFds]) noexcept;

} // namespace heapscope::recorder
