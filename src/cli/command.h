// cli: the subcommands and the errors they report. Each subcommand returns its exit status;
// main.cpp turns the exceptions below into one line on stderr and exit status 2.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace heapscope::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitRegression = 1; // diff or check found a figure over its limit
inline constexpr int kExitUsage = 2; // bad usage or an unreadable input

// Bad usage or an input that cannot be read; what() is the one-line reason, without the
// "heapscope: " prefix.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Each takes the arguments after the command's name and returns the exit status.
int runCommand(const std::vector<std::string>& args);
int ctlCommand(const std::vector<std::string>& args);
int summaryCommand(const std::vector<std::string>& args);
int topCommand(const std::vector<std::string>& args);
int leaksCommand(const std::vector<std::string>& args);
int errorsCommand(const std::vector<std::string>& args);
int dumpCommand(const std::vector<std::string>& args);
int exportCommand(const std::vector<std::string>& args);
int diffCommand(const std::vector<std::string>& args);
int checkCommand(const std::vector<std::string>& args);
int sqlCommand(const std::vector<std::string>& args);
int queryCommand(const std::vector<std::string>& args);
int timelineCommand(const std::vector<std::string>& args);
int flamegraphCommand(const std::vector<std::string>& args);
int reportCommand(const std::vector<std::string>& args);
int indexCommand(const std::vector<std::string>& args);

} // namespace heapscope::cli
