// cli: writing a report command's output file.
#include "cli/output_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/arguments.h"
#include "cli/command.h"

namespace heapscope::cli {

std::string requireExtension(const CLI::App& app, const std::string& path,
                             std::initializer_list<std::string_view> allowed) {
    const std::string extension = std::filesystem::path(path).extension().string();
    std::string names;
    for (const auto name : allowed) {
        if (name == extension) return extension;
        names += names.empty() ? "" : " or ";
        names += name;
    }
    throw UsageError(fmt::format("{}: -o expects a {} file, not '{}' {}",
                                 app.get_name().substr(app.get_name().find(' ') + 1), names, path,
                                 seeHelp(app)));
}

void writeOutputFile(std::string_view command, const std::string& path, const std::string& text) {
    if (path == "-") {
        std::cout << text;
        return;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out) out << text;
    out.close();
    if (!out) {
        throw UsageError(
            fmt::format("{}: cannot write '{}': {}", command, path, std::strerror(errno)));
    }
}

} // namespace heapscope::cli
