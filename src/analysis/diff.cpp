// analysis: comparing two runs for `heapscope diff`.
#include "analysis/diff.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

namespace heapscope::analysis {
namespace {

DiffFigures totalsOf(const Summary& s) {
    return DiffFigures{s.allocations, s.bytesAllocated, s.peakHeapBytes, s.leakedBytes};
}

void add(DiffFigures& into, const SiteStats& site) {
    into.allocations += site.allocations;
    into.bytesAllocated += site.bytesAllocated;
    into.peakBytes += site.peakBytes;
    into.leakedBytes += site.leakedBytes;
}

std::uint64_t bytesChange(const SiteChange& change) {
    const auto a = change.base.bytesAllocated;
    const auto b = change.current.bytesAllocated;
    return a > b ? a - b : b - a;
}

} // namespace

std::string_view diffFigureName(DiffFigure figure) {
    switch (figure) {
    case DiffFigure::Allocations:
        return "allocations";
    case DiffFigure::BytesAllocated:
        return "bytes_allocated";
    case DiffFigure::PeakBytes:
        return "peak_bytes";
    case DiffFigure::LeakedBytes:
        return "leaked_bytes";
    }
    return "";
}

std::uint64_t diffFigureValue(const DiffFigures& figures, DiffFigure figure) {
    switch (figure) {
    case DiffFigure::Allocations:
        return figures.allocations;
    case DiffFigure::BytesAllocated:
        return figures.bytesAllocated;
    case DiffFigure::PeakBytes:
        return figures.peakBytes;
    case DiffFigure::LeakedBytes:
        return figures.leakedBytes;
    }
    return 0;
}

std::string siteKey(const std::vector<Frame>& frames) {
    std::string key;
    for (const Frame& frame : frames) {
        if (frame.function) {
            key += *frame.function;
        } else {
            // Without a name the module is all that survives a rebuild.
            key += '?';
            key += frame.module.value_or("");
        }
        key += '\n';
    }
    return key;
}

bool grewPast(std::uint64_t base, std::uint64_t current, double thresholdPercent) {
    if (current <= base) return false;
    if (base == 0) return true;
    // long double keeps 64-bit byte counts exact enough for a percentage.
    const long double growth =
        (static_cast<long double>(current) - static_cast<long double>(base)) /
        static_cast<long double>(base) * 100.0L;
    return growth > static_cast<long double>(thresholdPercent);
}

DiffResult diffModels(const Model& base, const Model& current, double thresholdPercent,
                      const DiffStackResolver& resolve) {
    DiffResult result;
    result.thresholdPercent = thresholdPercent;
    const DiffFigures baseTotals = totalsOf(base.summary);
    const DiffFigures newTotals = totalsOf(current.summary);
    for (const DiffFigure figure : kDiffFigures) {
        FigureChange change{figure, diffFigureValue(baseTotals, figure),
                            diffFigureValue(newTotals, figure), false};
        change.regressed = grewPast(change.base, change.current, thresholdPercent);
        result.regressed = result.regressed || change.regressed;
        result.totals.push_back(change);
    }

    // Several stacks of one run may symbolize alike (inlined copies, a rebuilt module): their
    // figures are added up under the first of them.
    std::unordered_map<std::string, std::size_t> byKey;
    for (const SiteStats& site : base.sites) {
        const auto [it, inserted] =
            byKey.try_emplace(siteKey(resolve(base, site.stack)), result.sites.size());
        if (inserted) result.sites.push_back(SiteChange{site.stack, std::nullopt, {}, {}});
        add(result.sites[it->second].base, site);
    }
    for (const SiteStats& site : current.sites) {
        const auto [it, inserted] =
            byKey.try_emplace(siteKey(resolve(current, site.stack)), result.sites.size());
        if (inserted) result.sites.push_back(SiteChange{std::nullopt, site.stack, {}, {}});
        SiteChange& change = result.sites[it->second];
        if (!change.newStack) change.newStack = site.stack;
        add(change.current, site);
    }
    std::stable_sort(
        result.sites.begin(), result.sites.end(),
        [](const SiteChange& a, const SiteChange& b) { return bytesChange(a) > bytesChange(b); });
    return result;
}

} // namespace heapscope::analysis
