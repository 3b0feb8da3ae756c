// reports: ranking the call sites.
#include "reports/sites.h"

#include <algorithm>
#include <tuple>

namespace heapscope::reports {

std::optional<SiteOrder> parseSiteOrder(std::string_view name) {
    for (std::size_t i = 0; i < kSiteOrderNames.size(); ++i) {
        if (kSiteOrderNames[i] == name) return static_cast<SiteOrder>(i);
    }
    return std::nullopt;
}

std::string siteOrderChoices() {
    std::string out;
    for (const auto name : kSiteOrderNames) {
        if (!out.empty()) out += '|';
        out += name;
    }
    return out;
}

std::string_view siteOrderName(SiteOrder order) {
    return kSiteOrderNames[static_cast<std::size_t>(order)];
}

std::string_view siteOrderDescription(SiteOrder order) {
    switch (order) {
    case SiteOrder::Allocated:
        return "bytes allocated";
    case SiteOrder::Count:
        return "allocations";
    case SiteOrder::Peak:
        return "bytes live at the peak";
    case SiteOrder::Leaked:
        return "bytes leaked";
    case SiteOrder::Temporary:
        return "temporary allocations";
    }
    return "";
}

std::uint64_t siteKey(const analysis::SiteStats& site, SiteOrder order) {
    switch (order) {
    case SiteOrder::Allocated:
        return site.bytesAllocated;
    case SiteOrder::Count:
        return site.allocations;
    case SiteOrder::Peak:
        return site.peakBytes;
    case SiteOrder::Leaked:
        return site.leakedBytes;
    case SiteOrder::Temporary:
        return site.temporaryAllocations;
    }
    return 0;
}

std::vector<analysis::SiteStats> rankSites(const std::vector<analysis::SiteStats>& sites,
                                           SiteOrder order, std::size_t limit) {
    std::vector<analysis::SiteStats> ranked;
    for (const auto& site : sites) {
        if (siteKey(site, order) != 0) ranked.push_back(site);
    }
    const auto before = [order](const analysis::SiteStats& a, const analysis::SiteStats& b) {
        // Larger figures first; the stack id, smaller first, only settles exact ties.
        return std::tuple(siteKey(a, order), a.bytesAllocated, a.allocations, b.stack.value) >
               std::tuple(siteKey(b, order), b.bytesAllocated, b.allocations, a.stack.value);
    };
    const std::size_t kept = std::min(limit, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(kept),
                      ranked.end(), before);
    ranked.resize(kept);
    return ranked;
}

} // namespace heapscope::reports
