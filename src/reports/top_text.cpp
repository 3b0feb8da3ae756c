// reports: `top` as text.
#include "reports/top_text.h"

#include <fmt/format.h>

#include "common/sizes.h"

namespace heapscope::reports {

std::string frameText(const analysis::Frame& frame) {
    std::string out = fmt::format("{:#x} ", frame.address);
    if (frame.inlined) out += "[inlined] ";
    out += frame.function.value_or("??");
    if (frame.file) {
        out += " at " + *frame.file;
        if (frame.line) out += fmt::format(":{}", *frame.line);
    }
    if (frame.module) out += " in " + *frame.module;
    return out;
}

std::string topText(const std::vector<analysis::SiteStats>& ranked, SiteOrder order,
                    const StackResolver& resolve) {
    if (ranked.empty())
        return fmt::format("no call site has any {}\n", siteOrderDescription(order));
    std::string out = fmt::format("{} call site{} by {}:\n", ranked.size(),
                                  ranked.size() == 1 ? "" : "s", siteOrderDescription(order));
    auto sink = std::back_inserter(out);
    for (const auto& site : ranked) {
        fmt::format_to(sink,
                       "\n{} calls to allocation functions, {} allocated, {} peak, {} leaked, "
                       "{} temporary, from:\n",
                       formatCount(site.allocations), formatSize(site.bytesAllocated),
                       formatSize(site.peakBytes), formatSize(site.leakedBytes),
                       formatCount(site.temporaryAllocations));
        const auto frames = resolve(site.stack);
        if (frames.empty()) out += "  (no stack recorded)\n";
        for (const auto& frame : frames) fmt::format_to(sink, "  {}\n", frameText(frame));
    }
    return out;
}

} // namespace heapscope::reports
