// cli: `heapscope dump TRACE`, one line per record, for debugging traces and the recorder.
#include <iostream>

#include <fmt/format.h>

#include "cli/arguments.h"
#include "cli/command.h"
#include "cli/trace_input.h"
#include "format/reader.h"
#include "reports/record_text.h"

namespace heapscope::cli {
namespace {

std::string_view outcomeName(format::ReadOutcome outcome) {
    switch (outcome) {
    case format::ReadOutcome::Reading: return "reading";
    case format::ReadOutcome::Complete: return "complete";
    case format::ReadOutcome::Truncated: return "truncated";
    case format::ReadOutcome::Damaged: return "damaged";
    }
    return "unknown";
}

} // namespace

int dumpCommand(const std::vector<std::string>& args) {
    CLI::App app{"Print every record of a trace, one per line, as stored (for debugging traces; "
                 "the output format is not stable).",
                 "heapscope dump"};
    std::string tracePath;
    app.add_option("TRACE", tracePath, "a trace written by heapscope run (.hst)");
    if (!parseArguments(app, args)) return kExitSuccess;
    requireArgument(app, "TRACE", tracePath);
    requireReadable("dump", tracePath);

    format::TraceReader reader;
    if (!reader.open(tracePath)) throw UsageError(fmt::format("dump: {}", reader.error()));
    std::cout << reports::headerText(reader.header()) << '\n';
    format::Record record;
    std::uint64_t count = 0;
    while (reader.next(record)) {
        std::cout << reports::recordText(record) << '\n';
        ++count;
    }
    // A damaged trace is still dumped as far as it goes; the last line says where it stopped.
    std::cout << fmt::format("# {} records, {}{}{}\n", count, outcomeName(reader.outcome()),
                             reader.error().empty() ? "" : ": ", reader.error());
    return kExitSuccess;
}

} // namespace heapscope::cli
