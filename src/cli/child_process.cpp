// cli: starting and waiting for the profiled program.
#include "cli/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace heapscope::cli {
namespace {

// The terminal sends these to the whole foreground process group: the program gets its own.
constexpr std::array kIgnoredSignals = {SIGINT, SIGQUIT};
// Sent to heapscope alone (kill, a service manager): pass them on and let the program decide.
constexpr std::array kForwardedSignals = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};

volatile sig_atomic_t s_childPid = 0;

void forwardSignal(int signal) {
    const int savedErrno = errno;
    if (s_childPid > 0) kill(static_cast<pid_t>(s_childPid), signal);
    errno = savedErrno;
}

sigset_t handledSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (const int signal : kIgnoredSignals) sigaddset(&set, signal);
    for (const int signal : kForwardedSignals) sigaddset(&set, signal);
    return set;
}

void setDisposition(int signal, void (*handler)(int)) {
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(signal, &action, nullptr);
}

[[noreturn]] void execChild(const std::vector<std::string>& argv,
                            const std::function<Environment(pid_t)>& environment, int errorPipe,
                            const sigset_t& originalMask) {
    // The program must start with the signal mask heapscope was started with.
    sigprocmask(SIG_SETMASK, &originalMask, nullptr);
    for (const auto& [name, value] : environment(getpid())) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> cargv;
    for (const auto& arg : argv) cargv.push_back(const_cast<char*>(arg.c_str()));
    cargv.push_back(nullptr);
    execvp(cargv[0], cargv.data());
    const int error = errno;
    // The parent reports the failure; the child only says why through the pipe.
    [[maybe_unused]] const auto written = write(errorPipe, &error, sizeof error);
    _exit(127);
}

} // namespace

StartedProgram startProgram(const std::vector<std::string>& argv,
                            const std::function<Environment(pid_t)>& environment) {
    // A close-on-exec pipe: a successful exec closes it empty, a failed one sends errno.
    int errorPipe[2];
    if (pipe2(errorPipe, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category());
    // Block the handled signals across fork so none arrives before the parent's handlers exist.
    const sigset_t blocked = handledSignals();
    sigset_t originalMask;
    sigprocmask(SIG_BLOCK, &blocked, &originalMask);

    const pid_t pid = fork();
    if (pid == 0) {
        close(errorPipe[0]);
        execChild(argv, environment, errorPipe[1], originalMask);
    }
    const int forkError = errno;
    close(errorPipe[1]);
    if (pid > 0) {
        s_childPid = pid;
        for (const int signal : kIgnoredSignals) setDisposition(signal, SIG_IGN);
        for (const int signal : kForwardedSignals) setDisposition(signal, forwardSignal);
    }
    sigprocmask(SIG_SETMASK, &originalMask, nullptr);
    if (pid < 0) {
        close(errorPipe[0]);
        throw std::system_error(forkError, std::generic_category(), "fork");
    }

    StartedProgram started{pid, 0};
    ssize_t got = 0;
    do {
        got = read(errorPipe[0], &started.execError, sizeof started.execError);
    } while (got < 0 && errno == EINTR);
    close(errorPipe[0]);
    if (got == static_cast<ssize_t>(sizeof started.execError)) {
        waitForProgram(pid);
    } else {
        started.execError = 0;
    }
    return started;
}

ProgramExit waitForProgram(pid_t pid) {
    int status = 0;
    pid_t waited = 0;
    do {
        waited = waitpid(pid, &status, 0);
    } while (waited < 0 && errno == EINTR);
    const int waitError = errno;

    const sigset_t blocked = handledSignals();
    sigset_t originalMask;
    sigprocmask(SIG_BLOCK, &blocked, &originalMask);
    s_childPid = 0;
    for (const int signal : kIgnoredSignals) setDisposition(signal, SIG_DFL);
    for (const int signal : kForwardedSignals) setDisposition(signal, SIG_DFL);
    sigprocmask(SIG_SETMASK, &originalMask, nullptr);

    if (waited < 0) throw std::system_error(waitError, std::generic_category(), "waitpid");
    if (WIFSIGNALED(status)) return ProgramExit{true, WTERMSIG(status)};
    return ProgramExit{false, WEXITSTATUS(status)};
}

void dieBySignal(int signal) {
    const rlimit noCore = {0, 0};
    setrlimit(RLIMIT_CORE, &noCore);
    setDisposition(signal, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    raise(signal);
    std::_Exit(128 + signal);
}

} // namespace heapscope::cli
