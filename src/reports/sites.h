// reports: ranking the call sites for `top` (and any report that lists "the sites that matter").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"

namespace heapscope::reports {

enum class SiteOrder { Allocated, Count, Peak, Leaked, Temporary };

// The spellings of `--by`, in the order of SiteOrder.
inline constexpr std::array<std::string_view, 5> kSiteOrderNames = {"allocated", "count", "peak",
                                                                    "leaked", "temporary"};

std::optional<SiteOrder> parseSiteOrder(std::string_view name);
// "allocated|count|peak|leaked|temporary", for the help of the options that take an order.
std::string siteOrderChoices();
std::string_view siteOrderName(SiteOrder order);
// What the order measures, for titles: "bytes allocated", "allocations", ...
std::string_view siteOrderDescription(SiteOrder order);

// The figure a site is ranked by.
std::uint64_t siteKey(const analysis::SiteStats& site, SiteOrder order);

// The `limit` sites with the largest key, largest first. Sites whose key is 0 are left out: a
// site that leaked nothing does not belong in a list of leaking sites. Ties are broken by bytes
// allocated, then allocations, then stack id, so the output is the same on every run.
std::vector<analysis::SiteStats> rankSites(const std::vector<analysis::SiteStats>& sites,
                                           SiteOrder order, std::size_t limit);

} // namespace heapscope::reports
