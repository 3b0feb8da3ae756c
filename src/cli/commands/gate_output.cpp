// cli: the JUnit file of `diff` and `check`.
#include "cli/commands/gate_output.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "cli/command.h"

namespace heapscope::cli {

void writeJunit(std::string_view command, const std::string& path, const std::string& suite,
                const std::vector<reports::JunitCase>& cases) {
    const std::string xml = reports::junitXml(suite, cases);
    std::ofstream out(path, std::ios::trunc);
    if (out) out << xml;
    out.close();
    if (!out) {
        throw UsageError(
            fmt::format("{}: cannot write '{}': {}", command, path, std::strerror(errno)));
    }
}

} // namespace heapscope::cli
