// reports: folded stacks.
#include "reports/collapsed.h"

#include <map>

#include <fmt/format.h>

#include "reports/valgrind_text.h"

namespace heapscope::reports {
namespace {

// ';' separates frames and the last ' ' the count: names must carry neither a ';' nor a line
// break (C++ names keep their spaces, which the readers allow).
std::string foldedName(const analysis::Frame& frame) {
    std::string name = shortFrameName(frame);
    for (char& c : name) {
        if (c == ';') c = ':';
        if (c == '\n' || c == '\r') c = ' ';
    }
    return name;
}

} // namespace

std::string collapsedStacks(const analysis::Model& model, SiteOrder metric,
                            const StackResolver& resolve) {
    std::map<std::string, std::uint64_t> folded;
    for (const auto& site : model.sites) {
        const std::uint64_t value = siteKey(site, metric);
        if (value == 0) continue;
        const auto frames = resolve(site.stack);
        std::string line;
        for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
            if (!line.empty()) line += ';';
            line += foldedName(*it);
        }
        if (line.empty()) line = "[unknown stack]";
        folded[line] += value;
    }
    std::string out;
    for (const auto& [stack, value] : folded)
        out += fmt::format("{} {}\n", stack, value);
    return out;
}

} // namespace heapscope::reports
