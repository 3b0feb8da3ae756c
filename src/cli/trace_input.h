// cli: opening a trace for a report command, with the one-line reasons of an unreadable input.
#pragma once

#include <string>
#include <string_view>

#include "analysis/model.h"

namespace heapscope::cli {

// Analyses the trace at path. Throws UsageError ("<command>: cannot open trace 'x': ...") when
// it cannot be read at all; a truncated or damaged trace is analysed as far as it goes.
analysis::Model loadTrace(std::string_view command, const std::string& path);

// Throws the same UsageError as loadTrace when path cannot be opened for reading.
void requireReadable(std::string_view command, const std::string& path);

} // namespace heapscope::cli
