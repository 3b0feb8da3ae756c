// recorder: the trace file's name (options.inc HEAPSCOPE_OUTPUT rules) and the facts about the
// process that go into its header.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "recorder/options.h"

namespace heapscope::recorder {

// HEAPSCOPE_OUTPUT empty: heapscope.<program>.<pid>.hst in the working directory. Set: used as
// given by the process HEAPSCOPE_OUTPUT_PID, with .<pid> before the extension for any other
// (out.hst → out.<pid>.hst).
std::string tracePath(const Options& options, pid_t pid);
// Inserts ".<pid>" before the extension of path's last component (appends it if none).
std::string withPid(const std::string& path, pid_t pid);
// path under directory when it is relative (and directory is known), else path.
std::string inDirectory(const std::string& path, const std::string& directory);
// The working directory, or empty when it cannot be named.
std::string workingDirectory();

std::string executablePath();
std::vector<std::string> commandLine();

} // namespace heapscope::recorder
