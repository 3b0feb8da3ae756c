// cli: `heapscope sql TRACE -o FILE.db`, the queryable heap: a SQLite database with a row per
// allocation and the run's other tables, or only some of the rows for large traces.
#include <iostream>

#include <fmt/format.h>

#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/commands/sql_database.h"
#include "cli/time_window.h"
#include "common/sizes.h"

namespace heapscope::cli {

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
        filter.minLifetimeNs = durationOption(app, "sql", "--min-lifetime", minLifetime);
        content.push_back(fmt::format("min-lifetime={}ns", filter.minLifetimeNs));
    }
    if (!from.empty()) {
        filter.fromNs = durationOption(app, "sql", "--from", from);
        content.push_back(fmt::format("from={}ns", filter.fromNs));
    }
    if (!to.empty()) {
        filter.toNs = durationOption(app, "sql", "--to", to);
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
