// cli: `heapscope ctl PID start|stop|mark NAME|leak-check`: steers a running recorded process
// through the control socket its recorder polls (recorder/control_endpoint.h).
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include <fmt/format.h>

#include "cli/arguments.h"
#include "cli/command.h"
#include "recorder/control_endpoint.h"

namespace heapscope::cli {
namespace {

// The recorder answers within one writer cycle (about 10 ms); a leak scan takes about half a
// second per GiB of heap.
constexpr int kReplyTimeoutMs = 10'000;
constexpr int kLeakCheckTimeoutMs = 300'000;

// Closes the descriptor on every path out, exceptions included.
class Socket {
public:
    Socket() : m_fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
    ~Socket() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return m_fd; }

private:
    int m_fd;
};

std::string systemError(std::string_view what) {
    return fmt::format("ctl: {}: {}", what, std::strerror(errno));
}

// Sends request to process pid and returns its one-line reply.
std::string exchange(pid_t pid, const std::string& request, int timeoutMs) {
    Socket socket;
    if (socket.fd() < 0) throw UsageError(systemError("cannot create a socket"));
    // Bound to an automatic abstract name, so the recorder has an address to reply to.
    const sa_family_t family = AF_UNIX;
    if (::bind(socket.fd(), reinterpret_cast<const sockaddr*>(&family), sizeof(family)) != 0)
        throw UsageError(systemError("cannot bind a socket"));
    sockaddr_un target{};
    target.sun_family = AF_UNIX;
    const std::string name = recorder::controlSocketName(pid);
    std::memcpy(target.sun_path + 1, name.data(), name.size());
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (::sendto(socket.fd(), request.data(), request.size(), 0,
                 reinterpret_cast<const sockaddr*>(&target), length) < 0) {
        if (errno == ECONNREFUSED || errno == ENOENT)
            throw UsageError(fmt::format("ctl: process {} is not recorded by heapscope", pid));
        throw UsageError(systemError(fmt::format("cannot reach process {}", pid)));
    }
    pollfd wait{socket.fd(), POLLIN, 0};
    const int ready = ::poll(&wait, 1, timeoutMs);
    if (ready < 0) throw UsageError(systemError("waiting for the reply"));
    if (ready == 0)
        throw UsageError(
            fmt::format("ctl: no reply from process {} in {} s", pid, timeoutMs / 1000));
    char reply[512];
    const ssize_t n = ::recv(socket.fd(), reply, sizeof(reply), 0);
    if (n < 0) throw UsageError(systemError("reading the reply"));
    return std::string(reply, static_cast<std::size_t>(n));
}

} // namespace

int ctlCommand(const std::vector<std::string>& args) {
    CLI::App app{"Steer a program running under heapscope: start or stop (pause) recording, add "
                 "a timeline mark, or run a leak check now (its totals are printed and written "
                 "to the trace). The program's user (or root) may do it.",
                 "heapscope ctl"};
    std::string pidText;
    std::string action;
    std::string name;
    app.add_option("PID", pidText, "the process id of the recorded program");
    app.add_option("ACTION", action, "start | stop | mark | leak-check");
    app.add_option("NAME", name, "the mark's name (mark only)");
    if (!parseArguments(app, args, Positionals::EndOptions)) return kExitSuccess;
    requireArgument(app, "PID", pidText);
    requireArgument(app, "ACTION", action);
    const std::uint64_t pidValue = parsePositive(app, "PID", pidText);
    if (pidValue > static_cast<std::uint64_t>(INT32_MAX))
        throw UsageError(fmt::format("ctl: no process {}", pidText));
    const auto pid = static_cast<pid_t>(pidValue);

    std::string request = action;
    if (action == "mark") {
        requireArgument(app, "NAME", name);
        request += " " + name;
    } else if (action != "start" && action != "stop" && action != "leak-check") {
        throw UsageError(
            fmt::format("ctl: unknown action '{}' (start, stop, mark or leak-check)", action));
    } else if (!name.empty()) {
        throw UsageError(fmt::format("ctl: {} takes no NAME {}", action, seeHelp(app)));
    }
    if (::kill(pid, 0) != 0 && errno == ESRCH)
        throw UsageError(fmt::format("ctl: no process {}", pid));

    const std::string reply =
        exchange(pid, request, action == "leak-check" ? kLeakCheckTimeoutMs : kReplyTimeoutMs);
    if (reply == "ok") return kExitSuccess;
    if (reply.starts_with("ok ")) {
        std::cout << reply.substr(3) << '\n';
        return kExitSuccess;
    }
    const std::string reason = reply.starts_with("error ") ? reply.substr(6) : reply;
    throw UsageError(fmt::format("ctl: process {}: {}", pid, reason));
}

} // namespace heapscope::cli
