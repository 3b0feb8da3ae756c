// recorder: the control endpoint's socket: bind, peer-credential check, receive and reply.
#include "recorder/control_endpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "recorder/own_fds.h"

namespace heapscope::recorder {
namespace {

// sun_path is NUL then the name, unterminated: the length says where the name ends.
socklen_t abstractAddress(const std::string& name, sockaddr_un& out) noexcept {
    out = sockaddr_un{};
    out.sun_family = AF_UNIX;
    const std::size_t n = std::min(name.size(), sizeof(out.sun_path) - 1);
    std::memcpy(out.sun_path + 1, name.data(), n);
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
}

} // namespace

bool ControlEndpoint::open(pid_t pid) noexcept {
    close();
    const int fd = adoptOwnFd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd < 0) return false;
    const int on = 1;
    sockaddr_un address;
    const socklen_t length = abstractAddress(controlSocketName(pid), address);
    if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0 ||
        ::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
        ::close(fd);
        return false;
    }
    m_fd.store(fd, std::memory_order_release);
    return true;
}

void ControlEndpoint::close() noexcept {
    const int fd = m_fd.exchange(-1, std::memory_order_acq_rel);
    if (fd >= 0) ::close(fd);
}

bool ControlEndpoint::receive(ControlRequest& out) noexcept {
    const int fd = m_fd.load(std::memory_order_acquire);
    if (fd < 0) return false;
    for (;;) {
        iovec io{out.text, sizeof(out.text) - 1};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
        msghdr message{};
        message.msg_name = &out.from;
        message.msg_namelen = sizeof(out.from);
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof(control);
        const ssize_t n = ::recvmsg(fd, &message, MSG_DONTWAIT);
        if (n < 0) return false;
        const cmsghdr* c = CMSG_FIRSTHDR(&message);
        ucred peer{};
        const bool hasPeer =
            c != nullptr && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS;
        if (hasPeer) std::memcpy(&peer, CMSG_DATA(c), sizeof(peer));
        // Abstract sockets have no file permissions: only the process's own user may steer it.
        if (!hasPeer || (peer.uid != ::geteuid() && peer.uid != 0)) continue;
        out.length = static_cast<std::size_t>(n);
        out.text[out.length] = '\0';
        out.fromLength = message.msg_namelen;
        return true;
    }
}

void ControlEndpoint::reply(const ControlRequest& to, const char* text) noexcept {
    const int fd = m_fd.load(std::memory_order_acquire);
    if (fd < 0 || to.fromLength == 0) return;
    ::sendto(fd, text, std::strlen(text), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to.from),
             to.fromLength);
}

} // namespace heapscope::recorder
