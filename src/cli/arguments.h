// cli: argument parsing shared by the subcommands. CLI11 describes the options and prints
// --help; errors are reported as one line, never as CLI11's multi-line messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace heapscope::cli {

enum class Positionals {
    Anywhere,   // options and positionals may be mixed: `top x.hst --by count`
    EndOptions, // the first positional ends the options: `run ./server --port 0`
};

// Parses args into app, a subcommand's parser named "heapscope <command>" (so its help reads as
// the user types it). Returns false when --help was asked for (the help is already printed
// on stdout). Throws UsageError for an unknown option, a missing value or an extra argument.
[[nodiscard]] bool parseArguments(CLI::App& app, const std::vector<std::string>& args,
                                  Positionals positionals = Positionals::Anywhere);

// "(see heapscope help top)", the tail of every usage error.
std::string seeHelp(const CLI::App& app);

// A positional argument that must be given: throws "missing TRACE argument" if empty.
void requireArgument(const CLI::App& app, std::string_view name, const std::string& value);

// A whole number >= 1 given to `option`; throws a UsageError naming the option otherwise.
std::uint64_t parsePositive(const CLI::App& app, std::string_view option, const std::string& text);

} // namespace heapscope::cli
