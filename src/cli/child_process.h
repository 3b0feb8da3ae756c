// cli: starting the profiled program for `heapscope run` and waiting for it the way a shell
// does: terminal signals reach the program alone, termination requests are passed on to it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace heapscope::cli {

using Environment = std::vector<std::pair<std::string, std::string>>;

struct StartedProgram {
    pid_t pid = -1;
    int execError = 0; // errno of a failed exec (the child is then already reaped), else 0
};

struct ProgramExit {
    bool signaled = false;
    int code = 0; // the exit code, or the signal number when signaled
};

// Forks and execs argv[0], searched in PATH like a shell does. environment is called in the
// child with the child's pid; its variables are set there before exec. From the fork on, the
// parent ignores SIGINT and SIGQUIT and forwards SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to the
// child, until waitForProgram returns.
StartedProgram startProgram(const std::vector<std::string>& argv,
                            const std::function<Environment(pid_t)>& environment);

// Waits for the program to end and restores heapscope's own signal handling.
ProgramExit waitForProgram(pid_t pid);

// Ends heapscope by the signal that ended the program, so its caller sees the same status, without
// a core file of heapscope's own. Falls back to exit(128 + signal) if the signal does not kill.
[[noreturn]] void dieBySignal(int signal);

} // namespace heapscope::cli
