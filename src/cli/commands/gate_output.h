// cli: what `diff` and `check` share: the JUnit file both can write for CI dashboards.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/junit.h"

namespace heapscope::cli {

// Writes the JUnit XML of `cases` to path; throws UsageError ("<command>: cannot write ...").
void writeJunit(std::string_view command, const std::string& path, const std::string& suite,
                const std::vector<reports::JunitCase>& cases);

} // namespace heapscope::cli
