// recorder: the control endpoint of a recorded process, polled by the writer thread: an
// abstract-namespace Unix datagram socket named "heapscope.<pid>" (no file, no signal), through
// which `heapscope ctl` sends one-line requests and gets a one-line reply.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <atomic>
#include <cstddef>
#include <string>

namespace heapscope::recorder {

// The socket's name after the leading NUL byte of the abstract namespace.
inline std::string controlSocketName(pid_t pid) { return "heapscope." + std::to_string(pid); }

// One request, with the address to reply to.
struct ControlRequest {
    char text[512] = {};
    std::size_t length = 0;
    sockaddr_un from{};
    socklen_t fromLength = 0;
};

class ControlEndpoint {
public:
    // No destructor: the endpoint lives as long as the library (hooks run after exit).
    constexpr ControlEndpoint() = default;
    ControlEndpoint(const ControlEndpoint&) = delete;
    ControlEndpoint& operator=(const ControlEndpoint&) = delete;

    // Binds the socket of process pid (close-on-exec, non-blocking). False when it cannot.
    bool open(pid_t pid) noexcept;
    void close() noexcept;
    // The next waiting request from a process of the same user (or root); false when none.
    // Requests from other users are dropped unanswered.
    bool receive(ControlRequest& out) noexcept;
    void reply(const ControlRequest& to, const char* text) noexcept;

private:
    // Atomic: a leak check's thread may reply while shutdown closes the endpoint.
    std::atomic<int> m_fd{-1};
};

} // namespace heapscope::recorder
