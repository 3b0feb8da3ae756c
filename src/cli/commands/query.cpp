// cli: `heapscope query TRACE|DB "SQL" [--format table|csv|json]`, one read-only SQL statement
// on the queryable heap of a trace (its database made once and cached) or on a database.
#include <iostream>

#include <fmt/format.h>

#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/commands/sql_database.h"
#include "reports/sqlite_query.h"
#include "reports/sqlite_query_output.h"

namespace heapscope::cli {

int queryCommand(const std::vector<std::string>& args) {
    CLI::App app{"Runs one read-only SQL statement on the queryable heap (the tables of heapscope "
                 "sql) and prints its result. Given a trace, the database is made once and kept "
                 "as TRACE.db beside it (or under $XDG_CACHE_HOME/heapscope when that directory "
                 "is not writable), and remade when the trace or heapscope changes. Example: "
                 "heapscope query run.hst \"SELECT bt, count(*), sum(size) FROM allocations "
                 "WHERE dealloc_after IS NULL GROUP BY bt\"",
                 "heapscope query"};
    std::string input;
    std::string sql;
    std::string format = "table";
    app.add_option("INPUT", input, "a trace (.hst) or a database written by heapscope sql");
    app.add_option("SQL", sql, "the statement, e.g. \"SELECT count(*) FROM allocations\"");
    app.add_option("-f,--format", format, "table|csv|json (default table)");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "INPUT", input);
    requireArgument(app, "SQL", sql);
    const auto outputFormat = reports::parseQueryFormat(format);
    if (!outputFormat) {
        throw UsageError(fmt::format("query: --format expects one of table|csv|json, not '{}' {}",
                                     format, seeHelp(app)));
    }

    const QueryDatabase database(input);
    const auto output = reports::makeQueryOutput(*outputFormat, std::cout);
    try {
        reports::runReadOnlyQuery(database.path(), sql, *output);
    } catch (const reports::QueryRefused& e) {
        throw UsageError(fmt::format("query: {}", e.what()));
    } catch (const reports::SqliteError& e) {
        throw UsageError(fmt::format("query: {}", e.what()));
    }
    return kExitSuccess;
}

} // namespace heapscope::cli
