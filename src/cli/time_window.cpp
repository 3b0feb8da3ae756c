// cli: --from/--to/--at: parsing the times and opening the window through the trace index.
#include "cli/time_window.h"

#include <fmt/format.h>

#include "analysis/window.h"
#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "cli/trace_input.h"
#include "common/durations.h"
#include "common/sizes.h"

namespace heapscope::cli {
namespace {

constexpr std::string_view kTimeHelp = "a time since the start: 2.5s, 1500ms, 800us or ns";

} // namespace

std::uint64_t durationOption(const CLI::App& app, std::string_view command,
                             std::string_view option, const std::string& text) {
    const auto ns = parseDuration(text);
    if (!ns) {
        throw UsageError(fmt::format("{}: {} expects a time such as 2.5s, 1500ms, 800us or ns, "
                                     "not '{}' {}",
                                     command, option, text, seeHelp(app)));
    }
    return *ns;
}

void TimeWindowOptions::add(CLI::App& app, bool allowAt) {
    app.add_option("--from", m_from,
                   "analyse from this time on (" + std::string(kTimeHelp) +
                       "): what was live then is the starting state");
    app.add_option("--to", m_to, "analyse up to this time");
    if (allowAt)
        app.add_option("--at", m_at,
                       "what was live at this time, or at the heap's peak with 'peak' "
                       "(ranked by --by peak unless --by is given)");
}

analysis::Model TimeWindowOptions::load(const CLI::App& app, std::string_view command,
                                        const std::string& tracePath) const {
    if (m_from.empty() && m_to.empty() && m_at.empty()) return loadTrace(command, tracePath);
    if (!m_at.empty() && (!m_from.empty() || !m_to.empty())) {
        throw UsageError(fmt::format("{}: --at cannot be combined with --from or --to {}", command,
                                     seeHelp(app)));
    }
    analysis::TimeWindow window;
    if (!m_from.empty()) window.fromNs = durationOption(app, command, "--from", m_from);
    if (!m_to.empty()) window.toNs = durationOption(app, command, "--to", m_to);
    if (window.fromNs > window.toNs) {
        throw UsageError(fmt::format("{}: --from {} is after --to {} {}", command,
                                     formatDuration(window.fromNs), formatDuration(window.toNs),
                                     seeHelp(app)));
    }
    const std::uint64_t at =
        m_at.empty() || m_at == "peak" ? 0 : durationOption(app, command, "--at", m_at);
    requireReadable(command, tracePath);
    try {
        ProgressBar progress{std::string(command)};
        const analysis::AnalyzeOptions options{progress.callback()};
        if (m_at == "peak")
            window = analysis::TimeWindow::at(analysis::peakTime(tracePath, options));
        else if (!m_at.empty())
            window = analysis::TimeWindow::at(at);
        return analysis::analyzeWindow(tracePath, window, options);
    } catch (const analysis::AnalysisError& e) {
        throw UsageError(fmt::format("{}: {}", command, e.what()));
    }
}

} // namespace heapscope::cli
