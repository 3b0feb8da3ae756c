// e2e support: fork/exec with pipes and a deadline, see process.h.
#include "process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace heapscope::e2e {

namespace {

std::string nameOf(const std::string& assignment) {
    return assignment.substr(0, assignment.find('='));
}

// The inherited environment with the command's entries replacing same-named ones.
std::vector<std::string> environmentFor(const Command& command) {
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string assignment = *entry;
        bool replaced = false;
        for (const auto& extra : command.env) {
            replaced = replaced || nameOf(extra) == nameOf(assignment);
        }
        if (!replaced) {
            env.push_back(assignment);
        }
    }
    env.insert(env.end(), command.env.begin(), command.env.end());
    return env;
}

std::vector<char*> pointersTo(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (auto& text : strings) {
        pointers.push_back(text.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void execChild(int outFd, int errFd, int inFd, char** argv, char** envp) {
    setpgid(0, 0);
    const rlimit noCore{0, 0};
    setrlimit(RLIMIT_CORE, &noCore);
    dup2(inFd, STDIN_FILENO);
    dup2(outFd, STDOUT_FILENO);
    dup2(errFd, STDERR_FILENO);
    execve(argv[0], argv, envp);
    const char kMessage[] = "e2e: exec failed\n";
    [[maybe_unused]] auto ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    _exit(127);
}

} // namespace

bool Result::exited() const { return !timedOut && WIFEXITED(waitStatus); }

int Result::exitCode() const { return exited() ? WEXITSTATUS(waitStatus) : -1; }

bool Result::signaled() const { return !timedOut && WIFSIGNALED(waitStatus); }

int Result::signal() const { return signaled() ? WTERMSIG(waitStatus) : 0; }

std::string Result::describe() const {
    std::string text;
    if (timedOut) {
        text = "timed out";
    } else if (exited()) {
        text = "exit " + std::to_string(exitCode());
    } else if (signaled()) {
        text = "signal " + std::to_string(signal()) + " (" + strsignal(signal()) + ")";
    }
    return text + "; stderr:\n" + err;
}

Process::Process(const Command& command) {
    if (command.argv.empty()) {
        throw std::invalid_argument("empty command");
    }
    int outPipe[2];
    int errPipe[2];
    if (pipe2(outPipe, O_CLOEXEC) != 0 || pipe2(errPipe, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    const std::string inPath = command.stdinPath.empty() ? "/dev/null" : command.stdinPath;
    const int inFd = open(inPath.c_str(), O_RDONLY | O_CLOEXEC);
    if (inFd < 0) {
        throw std::runtime_error("cannot open " + inPath);
    }
    std::vector<std::string> argv = command.argv;
    std::vector<std::string> env = environmentFor(command);
    std::vector<char*> argvPointers = pointersTo(argv);
    std::vector<char*> envPointers = pointersTo(env);

    m_pid = fork();
    if (m_pid == 0) {
        execChild(outPipe[1], errPipe[1], inFd, argvPointers.data(), envPointers.data());
    }
    close(outPipe[1]);
    close(errPipe[1]);
    close(inFd);
    if (m_pid < 0) {
        close(outPipe[0]);
        close(errPipe[0]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    // Also in the parent, so that a kill of the group right after fork cannot miss the child.
    setpgid(m_pid, m_pid);
    m_outFd = outPipe[0];
    m_errFd = errPipe[0];
}

Process::~Process() {
    if (!m_reaped) {
        killGroup();
        waitpid(m_pid, nullptr, 0);
    }
    for (int fd : {m_outFd, m_errFd}) {
        if (fd >= 0) {
            close(fd);
        }
    }
}

void Process::killGroup() { kill(-m_pid, SIGKILL); }

bool Process::pump(std::chrono::steady_clock::time_point until) {
    pollfd fds[2] = {{m_outFd, POLLIN, 0}, {m_errFd, POLLIN, 0}};
    const int openPipes = (m_outFd >= 0 ? 1 : 0) + (m_errFd >= 0 ? 1 : 0);
    if (openPipes == 0) {
        return false;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
        return true;
    }
    const int ready = poll(fds, 2, static_cast<int>(left.count()));
    if (ready <= 0) {
        return true;
    }
    int* ownFds[2] = {&m_outFd, &m_errFd};
    std::string* sinks[2] = {&m_out, &m_err};
    for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) {
            continue;
        }
        char buffer[65536];
        const ssize_t count = read(fds[i].fd, buffer, sizeof buffer);
        if (count > 0) {
            sinks[i]->append(buffer, static_cast<std::size_t>(count));
        } else if (count == 0 || errno != EINTR) {
            close(fds[i].fd);
            *ownFds[i] = -1;
        }
    }
    return true;
}

std::optional<std::string> Process::readStdoutLine(std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto newline = m_out.find('\n', m_lineStart);
        if (newline != std::string::npos) {
            std::string line = m_out.substr(m_lineStart, newline - m_lineStart);
            m_lineStart = newline + 1;
            return line;
        }
        if (m_outFd < 0 || std::chrono::steady_clock::now() >= until || !pump(until)) {
            return std::nullopt;
        }
    }
}

Result Process::finish(std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    Result result;
    while (std::chrono::steady_clock::now() < until && pump(until)) {
    }
    int status = 0;
    // Both pipes closed does not mean exited: give the process the rest of the deadline.
    while (waitpid(m_pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= until) {
            result.timedOut = true;
            killGroup();
            waitpid(m_pid, &status, 0);
            break;
        }
        usleep(10000);
    }
    m_reaped = true;
    result.waitStatus = status;
    result.out = m_out;
    result.err = m_err;
    return result;
}

Result run(const Command& command, std::chrono::seconds timeout) {
    Process process(command);
    return process.finish(timeout);
}

} // namespace heapscope::e2e
