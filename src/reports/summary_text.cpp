// reports: `summary` as text.
#include "reports/summary_text.h"

#include <fmt/format.h>

#include "common/sizes.h"
#include "reports/window_text.h"

namespace heapscope::reports {
namespace {

constexpr int kLabelWidth = 24;

void line(std::string& out, std::string_view label, std::string_view value) {
    fmt::format_to(std::back_inserter(out), "{:<{}}{}\n", fmt::format("{}:", label), kLabelWidth,
                   value);
}

std::string bytesInBlocks(const analysis::ByteCount& count) {
    return fmt::format("{} in {} blocks", formatSize(count.bytes), formatCount(count.blocks));
}

std::string percentOf(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0) return "0.0%";
    return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& word : words) {
        if (!out.empty()) out += ' ';
        out += word;
    }
    return out;
}

} // namespace

std::string summaryText(const analysis::Model& model) {
    const analysis::Summary& s = model.summary;
    std::string out;
    line(out, "program", s.program);
    if (!model.header.commandLine.empty())
        line(out, "command line", joined(model.header.commandLine));
    line(out, "pid", std::to_string(s.pid));
    line(out, "runtime", formatDuration(s.runtimeNs));
    if (model.window) line(out, "window", windowText(*model.window));
    line(out, "exit status", s.exitStatus ? std::to_string(*s.exitStatus) : "unknown");
    line(out, "threads", formatCount(s.threads));
    if (s.sampleRate != 0) {
        // Only the sampled blocks are in the trace; the leak scan at exit saw every block.
        line(out, "sampled",
             fmt::format("every {}: allocation, byte and heap figures are estimates{}",
                         formatSize(s.sampleRate),
                         model.exitLeakCheck ? " (leak totals are exact)" : ""));
    }
    line(out, "allocations", formatCount(s.allocations));
    line(out, "frees", formatCount(s.frees));
    line(out, "bytes allocated", formatSize(s.bytesAllocated));
    line(out, "peak heap",
         fmt::format("{} at {}", formatSize(s.peakHeapBytes), formatDuration(s.peakHeapTimeNs)));
    line(out, "peak RSS", formatSize(s.peakRssBytes));
    // Sampled, the allocations between a block and its free are mostly not in the trace, so a
    // block looks temporary more often than it was: the estimate runs high.
    line(out, "temporary allocations",
         fmt::format("{} ({} of allocations{})", formatCount(s.temporaryAllocations),
                     percentOf(s.temporaryAllocations, s.allocations),
                     s.sampleRate != 0 ? ", overestimated when sampled" : ""));
    line(out, "not freed at exit",
         bytesInBlocks(analysis::ByteCount{s.leakedBytes, s.leakedBlocks}));
    line(out, "  definitely lost", bytesInBlocks(s.leaks.definitelyLost));
    line(out, "  indirectly lost", bytesInBlocks(s.leaks.indirectlyLost));
    line(out, "  possibly lost", bytesInBlocks(s.leaks.possiblyLost));
    line(out, "  still reachable", bytesInBlocks(s.leaks.stillReachable));
    line(out, "  suppressed", bytesInBlocks(s.leaks.suppressed));
    line(out, "heap errors",
         fmt::format("{} double frees, {} invalid frees, {} mismatched frees",
                     formatCount(s.errors.doubleFree), formatCount(s.errors.invalidFree),
                     formatCount(s.errors.mismatchedFree)));
    if (s.truncated) {
        fmt::format_to(std::back_inserter(out), "trace truncated: {}\n",
                       model.readProblem.empty() ? "no end record" : model.readProblem);
    }
    return out;
}

} // namespace heapscope::reports
