// reports: the end-of-run lines of `heapscope run`.
#include "reports/run_summary.h"

#include <fmt/format.h>

#include "common/sizes.h"
#include "reports/leaks_text.h"

namespace heapscope::reports {
namespace {

constexpr std::string_view kPrefix = "heapscope: ";

std::string prefixed(std::string_view text) {
    std::string out;
    while (!text.empty()) {
        const auto end = std::min(text.find('\n'), text.size());
        out += kPrefix;
        out += text.substr(0, end);
        out += '\n';
        text.remove_prefix(std::min(end + 1, text.size()));
    }
    return out;
}

std::uint64_t heapErrors(const analysis::Summary& s) {
    return s.errors.doubleFree + s.errors.invalidFree + s.errors.mismatchedFree;
}

} // namespace

std::string runLeakText(const analysis::Model& model, const StackResolver& resolve,
                        const RunLeakOptions& options, const std::string& tracePath) {
    std::string text;
    if (model.exitLeakCheck) {
        if (model.summary.leakedBlocks == 0) {
            text += "All heap blocks were freed -- no leaks are possible\n";
        } else {
            if (options.lossRecords) {
                LeaksTextOptions shown;
                shown.kinds = options.kinds;
                shown.genSuppressions = options.genSuppressions;
                text += lossRecordsText(model, resolve, shown);
            }
            text += leakSummaryText(model.summary.leaks);
            if (!options.lossRecords)
                text += fmt::format("loss records: heapscope leaks {}\n", tracePath);
        }
    }
    if (const std::uint64_t errors = heapErrors(model.summary); errors != 0) {
        text += fmt::format("{} heap error{} (see heapscope errors {})\n", formatCount(errors),
                            errors == 1 ? "" : "s", tracePath);
    }
    return prefixed(text);
}

std::string runSummaryText(const analysis::Model& model, const std::string& tracePath,
                           const std::string& leakText) {
    const analysis::Summary& s = model.summary;
    std::string out;
    auto sink = std::back_inserter(out);
    fmt::format_to(sink, "heapscope: {} allocations, {} frees, {} allocated{}\n",
                   formatCount(s.allocations), formatCount(s.frees), formatSize(s.bytesAllocated),
                   s.sampleRate == 0 ? "" : " (estimated from a sample)");
    fmt::format_to(sink, "heapscope: peak heap {} at {}, peak RSS {}\n",
                   formatSize(s.peakHeapBytes), formatDuration(s.peakHeapTimeNs),
                   formatSize(s.peakRssBytes));
    fmt::format_to(sink, "heapscope: {} in {} blocks not freed at exit\n",
                   formatSize(s.leakedBytes), formatCount(s.leakedBlocks));
    out += leakText;
    if (s.truncated) {
        fmt::format_to(sink, "heapscope: trace truncated: {}\n",
                       model.readProblem.empty() ? "no end record" : model.readProblem);
    }
    fmt::format_to(sink, "heapscope: trace written to {}\n", tracePath);
    return out;
}

bool runFoundErrors(const analysis::Model& model, analysis::LeakKindSet kinds) {
    if (heapErrors(model.summary) != 0) return true;
    if (model.summary.sampleRate != 0) {
        // Only sampled blocks have loss records; the exit scan's exact totals see every block
        // (suppressions cannot name an unsampled block's stack, so they do not apply here).
        for (std::uint8_t k = 0; k < format::kLeakKindCount; ++k) {
            const auto kind = static_cast<format::LeakKind>(k);
            if (kinds.contains(kind) && model.summary.leaks.of(kind).blocks != 0) return true;
        }
        return false;
    }
    // The records left after suppression, so a suppressed leak does not fail the run.
    for (const analysis::LossRecord& r : model.lossRecords) {
        if (kinds.contains(r.kind)) return true;
    }
    return false;
}

} // namespace heapscope::reports
