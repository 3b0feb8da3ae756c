// reports: `errors` as text.
#include "reports/errors_text.h"

#include <iterator>

#include <fmt/format.h>

#include "common/sizes.h"
#include "reports/top_text.h"

namespace heapscope::reports {
namespace {

const char* headline(format::ErrorKind kind) {
    switch (kind) {
    case format::ErrorKind::MismatchedFree:
        return "Mismatched free() / delete / delete []";
    case format::ErrorKind::DoubleFree:
    case format::ErrorKind::InvalidFree:
        break;
    }
    return "Invalid free() / delete / delete[] / realloc()";
}

// "   at FRAME" for the innermost frame, "   by FRAME" for its callers.
void appendStack(std::string& out, const StackResolver& resolve, StackId stack) {
    const auto frames = stack.value == 0 ? std::vector<analysis::Frame>{} : resolve(stack);
    if (frames.empty()) out += "   (no stack recorded)\n";
    const char* verb = "at";
    for (const auto& frame : frames) {
        fmt::format_to(std::back_inserter(out), "   {} {}\n", verb, frameText(frame));
        verb = "by";
    }
}

void appendError(std::string& out, const format::ErrorRecord& e, const StackResolver& resolve) {
    auto sink = std::back_inserter(out);
    fmt::format_to(sink, "\n{}\n", headline(e.kind));
    appendStack(out, resolve, e.stack);
    if (e.kind == format::ErrorKind::DoubleFree) {
        fmt::format_to(sink, " Address {:#x} is {} bytes inside a block of size {} free'd\n",
                       e.address, e.offset, formatCount(e.size));
        appendStack(out, resolve, e.freeStack);
        out += " Block was alloc'd at\n";
        appendStack(out, resolve, e.allocStack);
    } else if (e.allocStack.value != 0 || e.size != 0) {
        fmt::format_to(sink, " Address {:#x} is {} bytes inside a block of size {} alloc'd\n",
                       e.address, e.offset, formatCount(e.size));
        appendStack(out, resolve, e.allocStack);
    } else {
        fmt::format_to(sink,
                       " Address {:#x} is not in the heap (a stack or static address, or not "
                       "mapped)\n",
                       e.address);
    }
}

} // namespace

std::string errorsText(const analysis::Model& model, const StackResolver& resolve) {
    const analysis::ErrorTotals& totals = model.summary.errors;
    const std::uint64_t count = totals.doubleFree + totals.invalidFree + totals.mismatchedFree;
    if (count == 0) return "no heap errors\n";
    std::string out =
        fmt::format("{} heap error{}: {} double free{}, {} invalid free{}, {} mismatched free{}\n",
                    formatCount(count), count == 1 ? "" : "s", formatCount(totals.doubleFree),
                    totals.doubleFree == 1 ? "" : "s", formatCount(totals.invalidFree),
                    totals.invalidFree == 1 ? "" : "s", formatCount(totals.mismatchedFree),
                    totals.mismatchedFree == 1 ? "" : "s");
    for (const format::ErrorRecord& e : model.errors)
        appendError(out, e, resolve);
    if (model.diagnostics.errorsNotKept > 0) {
        fmt::format_to(std::back_inserter(out), "\n... and {} more, not listed\n",
                       formatCount(model.diagnostics.errorsNotKept));
    }
    return out;
}

} // namespace heapscope::reports
