// reports: `leaks` as text, in memcheck's words.
#include "reports/leaks_text.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "common/sizes.h"
#include "reports/leaks_order.h"
#include "reports/suppression_text.h"
#include "reports/top_text.h"
#include "reports/valgrind_text.h"

namespace heapscope::reports {
namespace {

using format::LeakKind;

std::string_view kindPhrase(LeakKind kind) {
    switch (kind) {
    case LeakKind::DefinitelyLost:
        return "definitely lost";
    case LeakKind::IndirectlyLost:
        return "indirectly lost";
    case LeakKind::PossiblyLost:
        return "possibly lost";
    case LeakKind::StillReachable:
        break;
    }
    return "still reachable";
}

// "20,000 bytes", or memcheck's "48 (16 direct, 32 indirect) bytes" for a record that owns
// indirectly lost blocks.
std::string recordBytes(const analysis::LossRecord& r) {
    if (r.indirect.blocks == 0) return fmt::format("{} bytes", formatCount(r.leaked.bytes));
    return fmt::format("{} ({} direct, {} indirect) bytes",
                       formatCount(r.leaked.bytes + r.indirect.bytes), formatCount(r.leaked.bytes),
                       formatCount(r.indirect.bytes));
}

std::string byteCountText(const analysis::ByteCount& count) {
    return fmt::format("{} bytes in {} blocks", formatCount(count.bytes),
                       formatCount(count.blocks));
}

} // namespace

std::string stackText(const std::vector<analysis::Frame>& frames) {
    std::string out;
    const char* verb = "at";
    for (const auto& frame : frames) {
        fmt::format_to(std::back_inserter(out), "   {} {}\n", verb, valgrindFrameLabel(frame));
        verb = "by";
    }
    return out;
}

std::string lossRecordsText(const analysis::Model& model, const StackResolver& resolve,
                            const LeaksTextOptions& options) {
    const std::vector<const analysis::LossRecord*> records = lossRecordsInOrder(model);
    std::string out;
    auto sink = std::back_inserter(out);
    for (std::size_t i = 0; i < records.size(); ++i) {
        const analysis::LossRecord& r = *records[i];
        if (!options.kinds.contains(r.kind)) continue;
        fmt::format_to(sink, "{} in {} blocks are {} in loss record {} of {}\n", recordBytes(r),
                       formatCount(r.leaked.blocks), kindPhrase(r.kind), i + 1, records.size());
        const auto frames = r.stack.value == 0 ? std::vector<analysis::Frame>{} : resolve(r.stack);
        out += frames.empty() ? "   (no stack recorded)\n" : stackText(frames);
        out += '\n';
        if (options.genSuppressions) out += suppressionBlock(r, frames);
    }
    return out;
}

std::string leakSummaryText(const analysis::LeakTotals& leaks) {
    return fmt::format("LEAK SUMMARY:\n"
                       "   definitely lost: {}\n"
                       "   indirectly lost: {}\n"
                       "     possibly lost: {}\n"
                       "   still reachable: {}\n"
                       "        suppressed: {}\n",
                       byteCountText(leaks.definitelyLost), byteCountText(leaks.indirectlyLost),
                       byteCountText(leaks.possiblyLost), byteCountText(leaks.stillReachable),
                       byteCountText(leaks.suppressed));
}

std::string usedSuppressionsText(const std::vector<analysis::Suppression>& suppressions,
                                 const std::vector<analysis::SuppressionUse>& uses) {
    std::string out;
    for (std::size_t i = 0; i < suppressions.size() && i < uses.size(); ++i) {
        if (uses[i].records == 0) continue;
        const analysis::Suppression& s = suppressions[i];
        fmt::format_to(std::back_inserter(out), "used_suppression: {:>6} {} {}:{} suppressed: {}\n",
                       formatCount(uses[i].records), s.name, s.file, s.line,
                       byteCountText(uses[i].leaked));
    }
    return out;
}

std::string growthText(const analysis::Model& model, const StackResolver& resolve) {
    if (model.growth.empty()) return "No call site's live memory kept growing through the run.\n";
    std::string out =
        fmt::format("{} call site{} whose live memory kept growing through the run:\n",
                    model.growth.size(), model.growth.size() == 1 ? "" : "s");
    auto sink = std::back_inserter(out);
    for (const analysis::GrowthSite& g : model.growth) {
        fmt::format_to(sink, "\ngrowing by {}/s, {} live at the end, {} at most, from:\n",
                       formatSize(g.bytesPerSecond), formatSize(g.liveBytesAtEnd),
                       formatSize(g.peakLiveBytes));
        const auto frames = g.stack.value == 0 ? std::vector<analysis::Frame>{} : resolve(g.stack);
        out += frames.empty() ? "   (no stack recorded)\n" : stackText(frames);
    }
    return out;
}

std::string leaksText(const analysis::Model& model, const StackResolver& resolve,
                      const LeaksTextOptions& options) {
    std::string out;
    if (!model.exitLeakCheck) {
        out += "No leak check at exit was recorded (HEAPSCOPE_LEAK_CHECK=none, or the program did "
               "not end normally).\n";
    } else if (model.summary.leakedBlocks == 0) {
        out += "All heap blocks were freed -- no leaks are possible\n";
    } else {
        out += lossRecordsText(model, resolve, options);
        out += leakSummaryText(model.summary.leaks);
    }
    if (options.growth) {
        out += '\n';
        out += growthText(model, resolve);
    }
    return out;
}

} // namespace heapscope::reports
