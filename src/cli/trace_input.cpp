// cli: opening a trace for a report command.
#include "cli/trace_input.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "analysis/analyze.h"
#include "cli/command.h"
#include "cli/progress.h"

namespace heapscope::cli {

void requireReadable(std::string_view command, const std::string& path) {
    // Checked here so the message has the same shape whatever the analysis would say.
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
        throw UsageError(
            fmt::format("{}: cannot open trace '{}': {}", command, path, std::strerror(errno)));
    }
    std::fclose(file);
}

analysis::Model loadTrace(std::string_view command, const std::string& path) {
    requireReadable(command, path);
    try {
        ProgressBar progress{std::string(command)};
        return analysis::analyzeTrace(path, analysis::AnalyzeOptions{progress.callback()});
    } catch (const analysis::AnalysisError& e) {
        throw UsageError(fmt::format("{}: {}", command, e.what()));
    }
}

} // namespace heapscope::cli
