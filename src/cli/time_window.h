// cli: the --from/--to (and on top, --at) options of the report commands, and the Model of the
// window they name, opened through the trace index.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "analysis/model.h"

namespace heapscope::cli {

// The nanoseconds of a time option (common/durations.h); throws UsageError naming command and
// option when text is no time.
std::uint64_t durationOption(const CLI::App& app, std::string_view command,
                             std::string_view option, const std::string& text);

class TimeWindowOptions {
public:
    // Adds --from and --to to app; with allowAt, also --at TIME|peak.
    void add(CLI::App& app, bool allowAt);
    bool atGiven() const { return !m_at.empty(); }
    // The whole trace (loadTrace) when no option was given, else the window's Model. Throws
    // UsageError for a bad time, --from after --to, or --at together with --from/--to.
    analysis::Model load(const CLI::App& app, std::string_view command,
                         const std::string& tracePath) const;

private:
    std::string m_from;
    std::string m_to;
    std::string m_at;
};

} // namespace heapscope::cli
