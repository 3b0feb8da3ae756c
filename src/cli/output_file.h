// cli: the files a report command writes with -o: checking the extension asked for and writing
// the text, with one-line reasons when either fails.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace heapscope::cli {

// The extension of path among `allowed` (".svg"); throws a UsageError naming them otherwise.
std::string requireExtension(const CLI::App& app, const std::string& path,
                             std::initializer_list<std::string_view> allowed);

// Writes text to path, or to stdout when path is "-"; throws UsageError ("<command>: cannot write
// 'x': reason").
void writeOutputFile(std::string_view command, const std::string& path, const std::string& text);

} // namespace heapscope::cli
