// cli: the leak options `run` and `leaks` share: leak-kind lists and suppression files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "analysis/suppressions.h"

namespace heapscope::cli {

// A memcheck leak-kind list ("definite,possible", "all", "none") given to `option`; throws a
// UsageError naming the option otherwise.
analysis::LeakKindSet parseLeakKinds(const CLI::App& app, std::string_view command,
                                     std::string_view option, const std::string& text);

// Every suppression of the files, in order; throws a UsageError with the file and line of the
// first problem ("leaks: suppressions: x.supp:7: expected '{' ...").
std::vector<analysis::Suppression> loadSuppressionFiles(std::string_view command,
                                                        const std::vector<std::string>& paths);

} // namespace heapscope::cli
