// e2e support: heaptrack's reference figures, see heaptrack_figures.h.
#include "heaptrack_figures.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace heapscope::e2e {

namespace {

std::optional<std::string_view> valueAfter(std::string_view text, std::string_view label) {
    const auto at = text.find(label);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    auto value = text.substr(at + label.size());
    value = value.substr(0, value.find_first_of(" \n"));
    return value;
}

} // namespace

std::optional<std::string> findOnPath(std::string_view program) {
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
    while (!dirs.empty()) {
        const auto end = dirs.find(':');
        const auto dir = dirs.substr(0, end);
        const auto candidate = std::filesystem::path(dir) / program;
        std::error_code error;
        if (!dir.empty() && std::filesystem::is_regular_file(candidate, error)) {
            return candidate.string();
        }
        dirs = end == std::string_view::npos ? std::string_view{} : dirs.substr(end + 1);
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parseHeaptrackSize(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    double scale = 1;
    switch (text.back()) {
    case 'B':
        break;
    case 'K':
        scale = 1e3;
        break;
    case 'M':
        scale = 1e6;
        break;
    case 'G':
        scale = 1e9;
        break;
    case 'T':
        scale = 1e12;
        break;
    default:
        return std::nullopt;
    }
    text.remove_suffix(1);
    double number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc{} || end != text.data() + text.size() || number < 0) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(number * scale + 0.5);
}

std::optional<HeaptrackFigures> parseHeaptrackPrint(std::string_view text) {
    const auto calls = valueAfter(text, "\ncalls to allocation functions: ");
    const auto peak = valueAfter(text, "\npeak heap memory consumption: ");
    if (!calls || !peak) {
        return std::nullopt;
    }
    HeaptrackFigures figures;
    const auto [end, error] =
        std::from_chars(calls->data(), calls->data() + calls->size(), figures.allocations);
    const auto peakBytes = parseHeaptrackSize(*peak);
    if (error != std::errc{} || end != calls->data() + calls->size() || !peakBytes) {
        return std::nullopt;
    }
    figures.peakBytes = *peakBytes;
    return figures;
}

HeaptrackFigures measureWithHeaptrack(const Command& command, const std::string& dir) {
    const auto heaptrack = findOnPath("heaptrack");
    const auto print = findOnPath("heaptrack_print");
    if (!heaptrack || !print) {
        throw std::runtime_error("heaptrack is not installed");
    }
    const std::string output = dir + "/ht";
    Command traced = command;
    traced.argv.insert(traced.argv.begin(), {*heaptrack, "-o", output});
    const Result recorded = run(traced);
    if (!recorded.exited()) {
        throw std::runtime_error("heaptrack: " + recorded.describe());
    }
    // heaptrack compresses with zstd when it can, with gzip otherwise.
    std::string data = output + ".zst";
    if (!std::filesystem::exists(data)) {
        data = output + ".gz";
    }
    const Result printed = run({{*print, data}, {}, {}});
    const auto figures = parseHeaptrackPrint(printed.out);
    if (!printed.exited() || printed.exitCode() != 0 || !figures) {
        throw std::runtime_error("heaptrack_print " + data + ": " + printed.describe() + "\n" +
                                 printed.out);
    }
    return *figures;
}

} // namespace heapscope::e2e
