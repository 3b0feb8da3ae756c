// cli: argument parsing shared by the subcommands.
#include "cli/arguments.h"

#include <algorithm>
#include <charconv>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"

namespace heapscope::cli {
namespace {

constexpr std::string_view kProgramPrefix = "heapscope ";

std::string_view commandOf(const CLI::App& app) {
    std::string_view name = app.get_name();
    if (name.starts_with(kProgramPrefix)) name.remove_prefix(kProgramPrefix.size());
    return name;
}

bool looksLikeOption(const std::string& arg) { return arg.size() > 1 && arg[0] == '-'; }

// Rewrites args so CLI11 can only succeed: every option is known and carries its value as
// "--name=value" (a value may itself start with '-', as in `-n -3`), and the positionals come
// last, after "--". Unknown options and missing values are reported here, in one line.
std::vector<std::string> normalize(const CLI::App& app, const std::vector<std::string>& args,
                                   Positionals positionals) {
    std::vector<std::string> options;
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            break;
        }
        if (!looksLikeOption(arg)) {
            if (positionals == Positionals::EndOptions) {
                rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
                break;
            }
            rest.push_back(arg);
            continue;
        }
        // "--name=value", "--name value", "-xvalue" or "-x value".
        const bool isLong = arg.starts_with("--");
        const std::size_t nameEnd = isLong ? std::min(arg.find('='), arg.size()) : 2;
        const std::string name = arg.substr(0, nameEnd);
        const CLI::Option* option = app.get_option_no_throw(name);
        if (option == nullptr || option->get_positional()) {
            throw UsageError(fmt::format("unknown option '{}' {}", name, seeHelp(app)));
        }
        const bool attached = nameEnd < arg.size();
        const std::string longName = "--" + option->get_lnames().front();
        if (option->get_expected_max() == 0) {
            if (attached) {
                throw UsageError(fmt::format("option '{}' takes no value {}", name, seeHelp(app)));
            }
            options.push_back(longName);
            continue;
        }
        std::string value;
        if (attached) {
            value = arg.substr(isLong ? nameEnd + 1 : nameEnd);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            throw UsageError(fmt::format("option '{}' needs a value {}", name, seeHelp(app)));
        }
        options.push_back(longName + "=" + value);
    }
    options.push_back("--");
    options.insert(options.end(), rest.begin(), rest.end());
    return options;
}

} // namespace

bool parseArguments(CLI::App& app, const std::vector<std::string>& args, Positionals positionals) {
    std::vector<std::string> normalized = normalize(app, args, positionals);
    // Extra positionals are reported below, in one line.
    app.allow_extras();
    // CLI11 takes its arguments in reverse order.
    std::reverse(normalized.begin(), normalized.end());
    try {
        app.parse(normalized);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return false;
    } catch (const CLI::ParseError& e) {
        throw UsageError(fmt::format("{}: {} {}", commandOf(app), e.what(), seeHelp(app)));
    }
    auto extras = app.remaining();
    // CLI11 keeps the "--" that normalize() put before the positionals among the leftovers.
    if (const auto mark = std::find(extras.begin(), extras.end(), "--"); mark != extras.end())
        extras.erase(mark);
    if (!extras.empty()) {
        throw UsageError(fmt::format("unexpected argument '{}' {}", extras.front(), seeHelp(app)));
    }
    return true;
}

std::string seeHelp(const CLI::App& app) {
    return fmt::format("(see heapscope help {})", commandOf(app));
}

void requireArgument(const CLI::App& app, std::string_view name, const std::string& value) {
    if (value.empty()) {
        throw UsageError(
            fmt::format("{}: missing {} argument {}", commandOf(app), name, seeHelp(app)));
    }
}

std::uint64_t parsePositive(const CLI::App& app, std::string_view option, const std::string& text) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || value == 0) {
        throw UsageError(fmt::format("{}: {} expects a whole number of at least 1, not '{}' {}",
                                     commandOf(app), option, text, seeHelp(app)));
    }
    return value;
}

} // namespace heapscope::cli
