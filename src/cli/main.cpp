// cli: the heapscope command. Dispatches to the subcommands and is the one place that turns
// errors into an exit status and a single line on stderr.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"

namespace heapscope::cli {
namespace {

struct CommandEntry {
    std::string_view name;
    std::string_view brief;
    int (*run)(const std::vector<std::string>&);
};

constexpr CommandEntry kCommands[] = {
    {"run", "run a program and record its heap trace", runCommand},
    {"ctl", "start, stop, mark or leak-check a program running under heapscope", ctlCommand},
    {"summary", "totals of a recorded run", summaryCommand},
    {"top", "the call sites that matter most, with their stacks", topCommand},
    {"leaks", "loss records memcheck-style, and the call sites whose memory kept growing",
     leaksCommand},
    {"errors", "heap misuse (double, invalid and mismatched frees) with its stacks", errorsCommand},
    {"export", "the trace for dh_view, go tool pprof, ms_print or flame graph tools", exportCommand},
    {"timeline", "heap and RSS over time (ASCII graph or SVG) and what was live at the peak",
     timelineCommand},
    {"flamegraph", "a flame graph of the call sites (interactive HTML or SVG)", flamegraphCommand},
    {"report", "one self-contained HTML page: summary, timeline, flame graph, leaks, errors",
     reportCommand},
    {"diff", "compare two runs; exit 1 when a figure grew past the threshold", diffCommand},
    {"check", "check a run against budgets; exit 1 when one is broken", checkCommand},
    {"sql", "the queryable heap: a SQLite database with a row per allocation", sqlCommand},
    {"query", "run a read-only SQL query on a trace's database", queryCommand},
    {"index", "index a trace so that time windows open without reading all of it", indexCommand},
    {"dump", "every record of a trace, one per line (for debugging traces)", dumpCommand},
};

const CommandEntry* findCommand(std::string_view name) {
    for (const auto& command : kCommands) {
        if (command.name == name) return &command;
    }
    return nullptr;
}

std::string generalHelp() {
    std::string out = "heapscope: heap profiler and leak checker for native Linux programs.\n\n"
                      "Usage: heapscope COMMAND [ARGS...]\n"
                      "       heapscope help COMMAND\n"
                      "       heapscope --version\n\nCommands:\n";
    for (const auto& command : kCommands)
        out += fmt::format("  {:<12}{}\n", command.name, command.brief);
    out += "\nExit status: 0 on success, 2 on bad usage or an unreadable input; run exits with "
           "the program's status.\n";
    return out;
}

const CommandEntry& requireCommand(const std::string& name) {
    const CommandEntry* command = findCommand(name);
    if (command == nullptr)
        throw UsageError(fmt::format("unknown command '{}' (see heapscope --help)", name));
    return *command;
}

int dispatch(const std::vector<std::string>& args) {
    if (args.empty()) throw UsageError("missing command (see heapscope --help)");
    const std::string& first = args.front();
    if (first == "--help" || first == "-h" || (first == "help" && args.size() == 1)) {
        std::cout << generalHelp();
        return kExitSuccess;
    }
    if (first == "--version") {
        std::cout << "heapscope " HEAPSCOPE_VERSION "\n";
        return kExitSuccess;
    }
    if (first == "help") {
        if (args.size() > 2)
            throw UsageError(
                fmt::format("help: unexpected argument '{}' (see heapscope --help)", args[2]));
        return requireCommand(args[1]).run({"--help"});
    }
    if (first.starts_with("-"))
        throw UsageError(fmt::format("unknown option '{}' (see heapscope --help)", first));
    return requireCommand(first).run(std::vector<std::string>(args.begin() + 1, args.end()));
}

// Whatever went wrong is said in one line: a reason with a newline would break that promise.
std::string oneLine(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

} // namespace
} // namespace heapscope::cli

int main(int argc, char** argv) {
    using namespace heapscope::cli;
    try {
        const int status = dispatch(std::vector<std::string>(argv + 1, argv + argc));
        std::cout.flush();
        return status;
    } catch (const UsageError& e) {
        std::cerr << "heapscope: " << oneLine(e.what()) << '\n';
    } catch (const std::exception& e) {
        // Anything else (out of memory, a failed fork) is also a run that could not be done.
        std::cerr << "heapscope: " << oneLine(e.what()) << '\n';
    }
    return kExitUsage;
}
