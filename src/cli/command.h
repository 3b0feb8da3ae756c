// cli: the subcommands and the errors they report. Each subcommand returns its exit status;
// main.cpp turns the exceptions below into one line on stderr and exit status 2.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace heapscope::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitUsage = 2; // bad usage or an unreadable input

// Bad usage or an input that cannot be read; what() is the one-line reason, without the
// "heapscope: " prefix.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Each takes the arguments after the command's name and returns the exit status.
int runCommand(const std::vector<std::string>& args);
int summaryCommand(const std::vector<std::string>& args);
int topCommand(const std::vector<std::string>& args);
int dumpCommand(const std::vector<std::string>& args);

} // namespace heapscope::cli
