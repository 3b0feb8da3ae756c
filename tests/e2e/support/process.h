// e2e support: run a command with extra environment, capture stdout, stderr and wait status,
// with a generous deadline instead of timing assumptions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace heapscope::e2e {

// Far beyond what any test needs on a busy machine; only a hung process reaches it.
inline constexpr std::chrono::seconds kDefaultTimeout{600};

struct Command {
    std::vector<std::string> argv;
    std::vector<std::string> env; // "NAME=value", added to (or replacing) the inherited ones
    std::string stdinPath;        // empty: /dev/null
};

struct Result {
    std::string out;
    std::string err;
    int waitStatus = 0;
    bool timedOut = false;

    [[nodiscard]] bool exited() const;
    [[nodiscard]] int exitCode() const; // -1 unless exited()
    [[nodiscard]] bool signaled() const;
    [[nodiscard]] int signal() const; // 0 unless signaled()
    // "exit 3" or "signal 15 (Terminated)", then stderr: for failure messages.
    [[nodiscard]] std::string describe() const;
};

// A started process in its own process group (so a timeout can end everything it started).
// Its core dumps are disabled: the signal tests make it crash on purpose.
class Process {
  public:
    explicit Process(const Command& command);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    [[nodiscard]] pid_t pid() const { return m_pid; }
    // The next complete stdout line (without '\n'), or nothing at end of output or deadline.
    std::optional<std::string> readStdoutLine(std::chrono::seconds timeout);
    // Reads the rest of the output and waits for the process.
    Result finish(std::chrono::seconds timeout = kDefaultTimeout);

  private:
    // Waits up to `until` for output and appends it; false when both pipes are closed.
    bool pump(std::chrono::steady_clock::time_point until);
    void killGroup();

    pid_t m_pid = -1;
    int m_outFd = -1;
    int m_errFd = -1;
    std::string m_out;
    std::string m_err;
    std::size_t m_lineStart = 0; // first stdout byte not yet returned by readStdoutLine
    bool m_reaped = false;
};

Result run(const Command& command, std::chrono::seconds timeout = kDefaultTimeout);

} // namespace heapscope::e2e
