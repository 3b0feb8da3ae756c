// reports: `top` as text, in the manner of heaptrack_print: each site's figures, then its stack.
#pragma once

#include <string>
#include <vector>

#include "analysis/model.h"
#include "reports/reporter.h"
#include "reports/sites.h"

namespace heapscope::reports {

// One frame on one line: "0x4011d6 make_order(int) at /src/app.cpp:45 in /usr/bin/app".
std::string frameText(const analysis::Frame& frame);

// `ranked` comes from rankSites(..., order, ...); order only names the ranking in the title.
std::string topText(const std::vector<analysis::SiteStats>& ranked, SiteOrder order,
                    const StackResolver& resolve);

} // namespace heapscope::reports
