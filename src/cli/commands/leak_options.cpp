// cli: leak-kind lists and suppression files for `run` and `leaks`.
#include "cli/commands/leak_options.h"

#include <fmt/format.h>

#include "cli/arguments.h"
#include "cli/command.h"

namespace heapscope::cli {

analysis::LeakKindSet parseLeakKinds(const CLI::App& app, std::string_view command,
                                     std::string_view option, const std::string& text) {
    const auto kinds = analysis::LeakKindSet::parse(text);
    if (!kinds) {
        throw UsageError(fmt::format("{}: {} expects definite, indirect, possible and reachable "
                                     "separated by commas, all or none; not '{}' {}",
                                     command, option, text, seeHelp(app)));
    }
    return *kinds;
}

std::vector<analysis::Suppression> loadSuppressionFiles(std::string_view command,
                                                        const std::vector<std::string>& paths) {
    std::vector<analysis::Suppression> out;
    for (const auto& path : paths) {
        try {
            auto file = analysis::loadSuppressions(path);
            out.insert(out.end(), std::make_move_iterator(file.begin()),
                       std::make_move_iterator(file.end()));
        } catch (const analysis::SuppressionError& e) {
            throw UsageError(fmt::format("{}: suppressions: {}", command, e.what()));
        }
    }
    return out;
}

} // namespace heapscope::cli
