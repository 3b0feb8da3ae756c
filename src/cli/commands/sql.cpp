// cli: `heapscope sql TRACE -o FILE.db`, the queryable heap: a SQLite database with a row per
// allocation and the run's other tables, or only some of the rows for large traces.
#include <charconv>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/commands/sql_database.h"
#include "common/sizes.h"

namespace heapscope::cli {
namespace {

// "250ms", "1.5s", "2min", "800us", "120ns"; a plain number is nanoseconds, the unit of every
// time in the database.
std::optional<std::uint64_t> parseDuration(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data() || !(value >= 0)) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    double scale = 0;
    if (unit.empty() || unit == "ns") {
        scale = 1;
    } else if (unit == "us") {
        scale = 1e3;
    } else if (unit == "ms") {
        scale = 1e6;
    } else if (unit == "s") {
        scale = 1e9;
    } else if (unit == "min") {
        scale = 60e9;
    } else {
        return std::nullopt;
    }
    const double ns = std::round(value * scale);
    if (ns >= 1.8e19) return std::nullopt;
    return static_cast<std::uint64_t>(ns);
}

std::uint64_t durationOption(const CLI::App& app, std::string_view option,
                             const std::string& text) {
    const auto ns = parseDuration(text);
    if (!ns) {
        throw UsageError(fmt::format("sql: {} expects a duration such as 250ms, 1.5s or 2min, not "
                                     "'{}' {}",
                                     option, text, seeHelp(app)));
    }
    return *ns;
}

} // namespace

int sqlCommand(const std::vector<std::string>& args) {
    CLI::App app{"Writes the queryable heap: a SQLite database with a row per allocation "
                 "(allocations: alloc_after, dealloc_after, bt, size, addr, alloc_thread, "
                 "dealloc_thread, family, leak) and the stacks (backtraces: id, frame_no, file, "
                 "line, sym, module, address, inlined), plus sites, threads, modules, samples, "
                 "marks, errors and meta. Times are nanoseconds since the start. For large "
                 "traces, keep only some rows with --live-at-end, --min-lifetime, --from/--to "
                 "(they combine), or only the per-site table with --aggregate; the other "
                 "tables always cover the whole run. Durations: 250ms, 1.5s, 2min, 800us, or "
                 "nanoseconds.",
                 "heapscope sql"};
    std::string tracePath;
    std::string output;
    bool liveAtEnd = false;
    bool aggregate = false;
    std::string minLifetime;
    std::string from;
    std::string to;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    app.add_option("-o,--output", output, "the database file to write (replaced if it exists)");
    app.add_flag("--live-at-end", liveAtEnd, "only the blocks never freed (the leaks)");
    app.add_option("--min-lifetime", minLifetime,
                   "only blocks that lived at least this long (250ms, 1.5s; a block never freed "
                   "lives until the end)");
    app.add_option("--from", from, "only blocks allocated at or after this time since the start");
    app.add_option("--to", to, "only blocks allocated before this time since the start");
    app.add_flag("--aggregate", aggregate,
                 "no row per allocation: only the per-site totals (sites) and the other tables");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    requireArgument(app, "-o", output);

    analysis::LifetimeFilter filter;
    std::vector<std::string> content;
    if (aggregate) {
        filter.none = true;
        content.emplace_back("aggregate");
    }
    if (liveAtEnd) {
        filter.liveAtEndOnly = true;
        content.emplace_back("live-at-end");
    }
    if (!minLifetime.empty()) {
        filter.minLifetimeNs = durationOption(app, "--min-lifetime", minLifetime);
        content.push_back(fmt::format("min-lifetime={}ns", filter.minLifetimeNs));
    }
    if (!from.empty()) {
        filter.fromNs = durationOption(app, "--from", from);
        content.push_back(fmt::format("from={}ns", filter.fromNs));
    }
    if (!to.empty()) {
        filter.toNs = durationOption(app, "--to", to);
        content.push_back(fmt::format("to={}ns", filter.toNs));
    }
    if (filter.fromNs >= filter.toNs)
        throw UsageError(fmt::format("sql: --from must be before --to {}", seeHelp(app)));

    const std::string description =
        content.empty() ? std::string(kFullContent) : fmt::format("{}", fmt::join(content, " "));
    const BuiltDatabase built = buildDatabase("sql", tracePath, output, filter, description);
    std::cout << fmt::format("{}: {} allocation rows, {} call sites\n", output,
                             formatCount(built.allocationRows), formatCount(built.sites));
    return kExitSuccess;
}

} // namespace heapscope::cli
